using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The network commands against a real server process: create, list, show, delete (refused while used),
/// VMs attached with --network, bad input, and the README's "Networking" section run as written.</summary>
public class NetworkEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private CliProcess Admin => server.AdminOrSkip();

    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task Network_CreateAttachShowDelete()
    {
        var admin = Admin;
        var net = Parse<NetworkDto>(await admin.RunAsync("network", "create", "e2e-a", "--bridge", "br-e2ea", "--subnet", "10.61.0.0/24",
            "--gateway", "10.61.0.1", "--range", "10.61.0.10-10.61.0.11", "--domain", "a.octopus", "--vlan", "7", "--json"));
        (net.Size, net.Vlan).Should().Be((2L, (int?)7));

        var vm = Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-net1", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
            "--image", "debian-12", "--network", "e2e-a", "--json"));
        vm.Nics.Should().Equal(new NicDto("e2e-a", "0a:0c:0a:3d:00:0a", "10.61.0.10", "e2e-net1.a.octopus"));
        var shown = await admin.RunAsync("vm", "show", "e2e-net1");
        shown.Out.Should().Contain("NICs").And.Contain("0a:0c:0a:3d:00:0a").And.Contain("10.61.0.10").And.Contain("e2e-net1.a.octopus");

        var table = await admin.RunAsync("network", "list");
        table.Exit.Should().Be(ExitCodes.Ok, table.Err);
        table.Out.Should().Contain("e2e-a").And.Contain("10.61.0.0/24");
        var detail = await admin.RunAsync("network", "show", "e2e-a");
        detail.Out.Should().Contain("1 used, 1 free of 2");
        detail.Out.Split('\n').Should().Contain(l => l.Contains("10.61.0.10") && l.Contains("e2e-net1") && l.Contains("admin") && l.Contains("0a:0c:0a:3d:00:0a"),
            "show lists which VM holds each used address");
        var detailJson = await admin.RunAsync("network", "show", "e2e-a", "--json");
        detailJson.Exit.Should().Be(ExitCodes.Ok, detailJson.Err);
        Parse<NetworkDto>(detailJson).Name.Should().Be("e2e-a", "the network's own fields are there as before");
        using (var doc = System.Text.Json.JsonDocument.Parse(detailJson.Out))
        {
            var used = doc.RootElement.GetProperty("addresses").EnumerateArray().Single();
            (used.GetProperty("ip").GetString(), used.GetProperty("vmName").GetString(), used.GetProperty("owner").GetString(), used.GetProperty("mac").GetString())
                .Should().Be(("10.61.0.10", "e2e-net1", "admin", "0a:0c:0a:3d:00:0a"), "--json carries the used addresses too");
        }

        var overlap = await admin.RunAsync("network", "create", "e2e-b", "--bridge", "br-e2eb", "--subnet", "10.61.0.0/16",
            "--gateway", "10.61.200.1", "--range", "10.61.200.10-10.61.200.20", "--domain", "b.octopus");
        overlap.Exit.Should().NotBe(ExitCodes.Ok);
        overlap.Err.Should().Contain("overlaps network 'e2e-a'");

        Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-net2", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
            "--image", "debian-12", "--network", "e2e-a", "--json")).Nics!.Single().Ip.Should().Be("10.61.0.11");
        var full = await admin.RunAsync("vm", "create", "--name", "e2e-net3", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
            "--image", "debian-12", "--network", "e2e-a");
        full.Exit.Should().Be(ExitCodes.Rejected);
        full.Err.Should().Contain("Network 'e2e-a' has no free address");

        var inUse = await admin.RunAsync("network", "delete", "e2e-a");
        inUse.Exit.Should().Be(ExitCodes.Rejected);
        inUse.Err.Should().Contain("in use by VM(s)");
        (await admin.RunAsync("vm", "delete", "e2e-net1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        (await admin.RunAsync("vm", "delete", "e2e-net2", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        (await admin.RunAsync("network", "delete", "e2e-a")).Exit.Should().Be(ExitCodes.Ok);
    }

    /// <summary>Runs the README's "Networking" block exactly as written (its lines read from README.md, so the README cannot
    /// drift from what works) against the fixture's server process (simulated cluster, the embedded default), and checks
    /// what each line's comment promises: the NIC `vm show` lists (network, MAC, address, web3.lab.octopus), "1 used, 240
    /// free of 241", the address released by the delete, and the network delete refused while a VM uses it — that line
    /// is run once more, as written, while web3 still exists — and done once none does.</summary>
    [Fact]
    public async Task ReadmeNetworkingSection_RunVerbatim_DoesWhatItsCommentsSay()
    {
        var admin = Admin;
        var readme = await File.ReadAllTextAsync(Path.Combine(ReadmeTourTests.RepoRoot(), "README.md"));
        var lines = ReadmeTourTests.BlockLines(readme, "## Networking");
        lines.Should().HaveCount(7).And.StartWith("./octopus network create lab --bridge br-lab --subnet 10.77.0.0/24 --gateway 10.77.0.1 " +
            "--range 10.77.0.10-10.77.0.250 --domain lab.octopus");
        async Task<(int Exit, string Out, string Err)> RunAsync(string line) =>
            await admin.RunAsync([.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
        var deleteNetwork = lines.Single(l => l.StartsWith("./octopus network delete ", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            if (line == deleteNetwork)
            {
                (await RunAsync("./octopus network show lab")).Out.Should().Contain("0 used, 241 free of 241", "the VM's delete released its address");
            }
            else if (line.StartsWith("./octopus vm delete ", StringComparison.Ordinal))
            {
                var refused = await RunAsync(deleteNetwork);
                refused.Exit.Should().Be(ExitCodes.Rejected, $"`{deleteNetwork}` is refused while web3 uses the network:\n{refused.Out}\n{refused.Err}");
                refused.Err.Should().Contain("in use by VM(s)").And.Contain("web3");
            }
            var run = await RunAsync(line);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
            if (line.Contains("network list", StringComparison.Ordinal)) run.Out.Should().Contain("lab").And.Contain("10.77.0.0/24");
            if (line.Contains("vm show", StringComparison.Ordinal))
                run.Out.Should().Contain("NICs").And.Contain("lab").And.Contain("0a:0c:0a:4d:00:0a").And.Contain("10.77.0.10").And.Contain("web3.lab.octopus");
            if (line.Contains("network show", StringComparison.Ordinal)) run.Out.Should().Contain("1 used, 240 free of 241");
        }
        (await RunAsync("./octopus network show lab")).Exit.Should().NotBe(ExitCodes.Ok, "the last line deleted the network");
    }

    /// <summary>Runs the README's "Security groups" block exactly as written; a rule changed on the running VM is applied
    /// by its operation before the command returns.</summary>
    [Fact]
    public async Task ReadmeSecurityGroupsSection_EveryLineSucceeds()
    {
        var admin = Admin;
        var readme = await File.ReadAllTextAsync(Path.Combine(ReadmeTourTests.RepoRoot(), "README.md"));
        var lines = ReadmeTourTests.BlockLines(readme, "### Security groups");
        lines.Should().HaveCount(9);
        foreach (var line in lines)
        {
            var run = await admin.RunAsync([.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
            if (line.Contains("rule add", StringComparison.Ordinal)) run.Out.Should().Contain("applied on the VM's host");
            if (line.Contains("rule list", StringComparison.Ordinal))
                run.Out.Should().Contain("8000-8100").And.Contain("10.0.0.0/8").And.Contain("icmp").And.Contain("10.78.0.0/24");
            if (line.Contains("rule remove", StringComparison.Ordinal)) run.Out.Should().Contain("Removed tcp 22 from 10.0.0.0/8");
        }
    }

    [Fact]
    public async Task VmRule_BadInput_IsRefusedNamingWhatToFix()
    {
        var admin = Admin;
        (await admin.RunAsync("vm", "create", "--name", "e2e-rules", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB", "--image", "debian-12"))
            .Exit.Should().Be(ExitCodes.Ok);
        var both = await admin.RunAsync("vm", "rule", "add", "e2e-rules", "--tcp", "22", "--icmp");
        (both.Exit, both.Err).Should().Match<(int, string)>(r => r.Item1 == ExitCodes.Usage && r.Item2.Contains("exactly one of --tcp"));
        var port = await admin.RunAsync("vm", "rule", "add", "e2e-rules", "--tcp", "70000");
        port.Exit.Should().NotBe(ExitCodes.Ok);
        port.Err.Should().Contain("out of range");
        var cidr = await admin.RunAsync("vm", "rule", "add", "e2e-rules", "--udp", "53", "--from", "10.0.0.1/8");
        cidr.Err.Should().Contain("host bits set");
        var added = Parse<SecurityGroupDto>(await admin.RunAsync("vm", "rule", "add", "e2e-rules", "--udp", "53", "--from", "10.0.0.0/8", "--json"));
        added.Rules.Should().ContainSingle();
        (await admin.RunAsync("vm", "rule", "add", "e2e-rules", "--udp", "53", "--from", "10.0.0.0/8")).Err.Should().Contain("already has the rule");
        var missing = await admin.RunAsync("vm", "rule", "remove", "e2e-rules", "--udp", "54", "--from", "10.0.0.0/8");
        missing.Exit.Should().Be(ExitCodes.Rejected);
        missing.Err.Should().Contain("has no rule udp 54 from 10.0.0.0/8");
        var byId = await admin.RunAsync("vm", "rule", "remove", "e2e-rules", added.Rules[0].Id);
        byId.Exit.Should().Be(ExitCodes.Ok, byId.Err);
        (await admin.RunAsync("vm", "rule", "list", "e2e-rules")).Out.Should().Contain("No rules");
        (await admin.RunAsync("vm", "delete", "e2e-rules", "--yes")).Exit.Should().Be(ExitCodes.Ok);
    }

    /// <summary>A key made by ssh-keygen for the test, in a folder the test removes; null when ssh-keygen is missing.</summary>
    internal static async Task<(string Folder, string PublicFile, string Fingerprint)> KeygenAsync()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/ssh-keygen"), "ssh-keygen is missing (openssh-client)");
        var folder = Directory.CreateTempSubdirectory("octopus-keys-").FullName;
        var key = Path.Combine(folder, "id_ed25519");
        using (var gen = System.Diagnostics.Process.Start("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "you@laptop", "-f", key])!)
            await gen.WaitForExitAsync();
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/ssh-keygen", ["-l", "-f", key + ".pub"]) { RedirectStandardOutput = true };
        using var list = System.Diagnostics.Process.Start(psi)!;
        var line = await list.StandardOutput.ReadToEndAsync();
        await list.WaitForExitAsync();
        return (folder, key + ".pub", line.Split(' ')[1]);
    }

    /// <summary>Runs the README's "SSH keys" block as written, with the key path pointing at a key ssh-keygen made; the
    /// fingerprint Octopus shows is the one ssh-keygen prints.</summary>
    [Fact]
    public async Task ReadmeSshKeysSection_EveryLineSucceeds_WithSshKeygensFingerprint()
    {
        var admin = Admin;
        var (folder, pub, fingerprint) = await KeygenAsync();
        try
        {
            var readme = await File.ReadAllTextAsync(Path.Combine(ReadmeTourTests.RepoRoot(), "README.md"));
            var lines = ReadmeTourTests.BlockLines(readme, "### SSH keys");
            lines.Should().HaveCount(6);
            foreach (var line in lines)
            {
                var text = line.Replace("~/.ssh/id_ed25519.pub", pub, StringComparison.Ordinal);
                var run = await admin.RunAsync([.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
                run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
                if (line.Contains("key list", StringComparison.Ordinal)) run.Out.Should().Contain("laptop").And.Contain(fingerprint);
                if (line.Contains("vm show", StringComparison.Ordinal)) run.Out.Should().Contain("SSH keys").And.Contain(fingerprint).And.Contain("you@laptop");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Key_FromStdinAndFile_BadKeysRefused()
    {
        var admin = Admin;
        var (folder, pub, fingerprint) = await KeygenAsync();
        try
        {
            var fromStdin = await admin.RunWithInputAsync(await File.ReadAllTextAsync(pub), "key", "add", "e2e-stdin", "-", "--json");
            Parse<SshKeyDto>(fromStdin).Fingerprint.Should().Be(fingerprint);
            var bad = await admin.RunWithInputAsync("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x\n", "key", "add", "e2e-bad", "-");
            bad.Exit.Should().NotBe(ExitCodes.Ok);
            bad.Err.Should().Contain("not ssh-ed25519");
            var missing = await admin.RunAsync("key", "add", "e2e-none", Path.Combine(folder, "nope.pub"));
            missing.Exit.Should().Be(ExitCodes.Usage);
            missing.Err.Should().Contain("There is no file");

            var vm = Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-keys", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
                "--image", "debian-12", "--ssh-key", pub, "--json"));
            vm.SshKeys.Should().Equal($"{fingerprint} you@laptop");
            (await admin.RunAsync("vm", "delete", "e2e-keys", "--yes")).Exit.Should().Be(ExitCodes.Ok);
            (await admin.RunAsync("key", "remove", "e2e-stdin")).Exit.Should().Be(ExitCodes.Ok);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
