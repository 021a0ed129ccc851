using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The cloud-init commands against a real server process: image set/import --cloud-init, vm create --user-data
/// with good and bad files, and the README's "Cloud-init" block run as written.</summary>
public class CloudInitEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private CliProcess Admin => server.AdminOrSkip();

    /// <summary>Runs the README's "Cloud-init" block line by line, with the key path pointing at a key ssh-keygen made and
    /// the example user-data file at its place in the repository.</summary>
    [Fact]
    public async Task ReadmeCloudInitSection_EveryLineSucceeds()
    {
        var admin = Admin;
        var (folder, pub, fingerprint) = await NetworkEndToEndTests.KeygenAsync();
        try
        {
            var root = ReadmeTourTests.RepoRoot();
            var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
            var lines = ReadmeTourTests.BlockLines(readme, "### Cloud-init");
            lines.Should().HaveCount(6);
            var example = Path.Combine(root, "examples", "cloud-init", "web.yaml");
            foreach (var line in lines)
            {
                var text = line.Replace("~/.ssh/id_ed25519.pub", pub, StringComparison.Ordinal)
                    .Replace("examples/cloud-init/web.yaml", example, StringComparison.Ordinal);
                var run = await admin.RunAsync([.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
                run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
                if (line.Contains("image list", StringComparison.Ordinal)) run.Out.Should().Contain("CLOUD-INIT").And.Contain("yes");
                if (line.Contains("vm show", StringComparison.Ordinal))
                    run.Out.Should().Contain("User-data").And.Contain($"{new FileInfo(example).Length} bytes").And.Contain(fingerprint);
            }
            var images = CliProcess.Parse<List<ImageDto>>(await admin.RunAsync("image", "list", "--json"));
            images.Single(i => i.Name == "debian-12").CloudInit.Should().BeFalse("the block's last line turns it off again");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task UserData_BadFiles_RefusedWithTheReason()
    {
        var admin = Admin;
        var folder = Directory.CreateTempSubdirectory("octopus-userdata-").FullName;
        try
        {
            (await admin.RunAsync("image", "set", "debian-12", "--cloud-init", "true")).Exit.Should().Be(ExitCodes.Ok);
            var big = Path.Combine(folder, "big.yaml");
            await File.WriteAllTextAsync(big, "#cloud-config\n" + new string('#', 70_000) + "\n");
            var plain = Path.Combine(folder, "plain.txt");
            await File.WriteAllTextAsync(plain, "hello\n");
            var binary = Path.Combine(folder, "bin");
            await File.WriteAllBytesAsync(binary, [0x23, 0x21, 0xff, 0xfe, 0x00]);

            string[] Create(string file) => ["vm", "create", "--name", "e2e-ud", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
                "--image", "debian-12", "--user-data", file];
            var tooBig = await admin.RunAsync(Create(big));
            tooBig.Exit.Should().NotBe(ExitCodes.Ok);
            tooBig.Err.Should().Contain("70015 bytes").And.Contain("65536 bytes (64 KiB)");
            var unknown = await admin.RunAsync(Create(plain));
            unknown.Exit.Should().NotBe(ExitCodes.Ok);
            unknown.Err.Should().Contain("starts with 'hello'").And.Contain("#cloud-config");
            var notText = await admin.RunAsync(Create(binary));
            notText.Exit.Should().Be(ExitCodes.Usage);
            notText.Err.Should().Contain("not UTF-8 text");
            var missing = await admin.RunAsync(Create(Path.Combine(folder, "nope.yaml")));
            missing.Exit.Should().Be(ExitCodes.Usage);
            missing.Err.Should().Contain("There is no file");
            (await admin.RunAsync("vm", "show", "e2e-ud")).Exit.Should().NotBe(ExitCodes.Ok, "nothing was created");

            var unset = await admin.RunAsync("image", "set", "debian-12");
            unset.Exit.Should().Be(ExitCodes.Usage);
            unset.Err.Should().Contain("--cloud-init true");
        }
        finally
        {
            await admin.RunAsync("image", "set", "debian-12", "--cloud-init", "false");
            Directory.Delete(folder, recursive: true);
        }
    }
}
