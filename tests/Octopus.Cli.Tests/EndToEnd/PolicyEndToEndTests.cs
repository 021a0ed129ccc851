using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The policy commands against a real server process: create (YAML and JSON), list, show, preview, history,
/// disable, enable, delete, templates, vm lease/suspend/resume, and the README's "Policies" block exactly as written.</summary>
public class PolicyEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private CliProcess Admin => server.AdminOrSkip();

    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task Policy_CreateListShowPreviewHistoryDisableDelete()
    {
        var admin = Admin;
        var dir = Directory.CreateTempSubdirectory("octopus-policy-e2e-").FullName;
        try
        {
            var yaml = Path.Combine(dir, "p.yaml");
            await File.WriteAllTextAsync(yaml, """
                name: e2e-stop-tagged
                owner: admin
                trigger:
                  interval: 1h
                condition: '"e2e-stop" in vm.tags'
                actions:
                  - shutdown
                """);
            var json = Path.Combine(dir, "p.json");
            await File.WriteAllTextAsync(json, """{"name": "e2e-json", "owner": "admin", "trigger": {"event": "vmStateChanged"}, "condition": "vm.state == \"Failed\"", "actions": [{"notify": {"message": "failed"}}]}""");

            var created = Parse<PolicyDto>(await admin.RunAsync("policy", "create", "--file", yaml, "--json"));
            created.Scope.Should().Be("user");
            created.Trigger.Should().Be("every 1h");
            Parse<PolicyDto>(await admin.RunAsync("policy", "create", "--file", json, "--json")).Trigger.Should().Be("on vmStateChanged");

            Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-pol1", "--cores", "1", "--memory", "1GiB", "--disk", "5GiB",
                "--image", "debian-12", "--tag", "e2e-stop", "--json")).State.Should().Be("Running");

            var list = await admin.RunAsync("policy", "list");
            list.Exit.Should().Be(ExitCodes.Ok, list.Err);
            list.Out.Should().Contain("e2e-stop-tagged").And.Contain("e2e-json");
            var show = await admin.RunAsync("policy", "show", "e2e-stop-tagged");
            show.Out.Should().Contain("\"e2e-stop\" in vm.tags");

            var preview = Parse<PolicyPreviewDto>(await admin.RunAsync("policy", "preview", "e2e-stop-tagged", "--json"));
            preview.Items.Should().ContainSingle(i => i.Vm == "e2e-pol1" && i.Action == "shutdown" && i.Reason.Contains("vm.tags"));
            (await admin.RunAsync("policy", "preview", "e2e-stop-tagged")).Out.Should().Contain("e2e-pol1");
            var history = await admin.RunAsync("policy", "history", "e2e-stop-tagged");
            history.Exit.Should().Be(ExitCodes.Ok, history.Err);

            Parse<PolicyDto>(await admin.RunAsync("policy", "disable", "e2e-stop-tagged", "--json")).Enabled.Should().BeFalse();
            (await admin.RunAsync("policy", "delete", "e2e-stop-tagged")).Exit.Should().Be(ExitCodes.Ok);
            (await admin.RunAsync("policy", "delete", "e2e-json")).Exit.Should().Be(ExitCodes.Ok);
            var gone = await admin.RunAsync("policy", "show", "e2e-stop-tagged");
            gone.Exit.Should().NotBe(ExitCodes.Ok);
            gone.Err.Should().StartWith("error: ");

            // a malformed file: one error line with the position, no stack trace
            var bad = Path.Combine(dir, "bad.yaml");
            await File.WriteAllTextAsync(bad, "name: x1\nowner: admin\ntriger:\n  interval: 1m\n");
            var refused = await admin.RunAsync("policy", "create", "--file", bad);
            refused.Exit.Should().NotBe(ExitCodes.Ok);
            refused.Err.Should().StartWith("error: ").And.Contain("line 3, column 1").And.NotContain("   at ");

            var lease = Parse<VmDto>(await admin.RunAsync("vm", "lease", "e2e-pol1", "--extend", "7d", "--json"));
            lease.LeaseExpiresAt.Should().NotBeNull();
            Parse<VmDto>(await admin.RunAsync("vm", "suspend", "e2e-pol1", "--json")).State.Should().Be("Suspended");
            Parse<VmDto>(await admin.RunAsync("vm", "resume", "e2e-pol1", "--json")).State.Should().Be("Running");
            (await admin.RunAsync("vm", "delete", "e2e-pol1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Runs the README's "Policies" block exactly as written (paths resolved against the repository root).</summary>
    [Fact]
    public async Task ReadmePoliciesSection_EveryLineSucceeds()
    {
        var admin = Admin;
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Octopus.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no repository root");
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var section = readme[readme.IndexOf("## Policies: conditions and actions", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh", StringComparison.Ordinal) + 5)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var lines = block.Split('\n')
            .Select(l => l.Contains(" # ", StringComparison.Ordinal) ? l[..l.IndexOf(" # ", StringComparison.Ordinal)] : l)
            .Select(l => l.Trim()).Where(l => l.StartsWith("./octopus ", StringComparison.Ordinal)).ToList();
        lines.Should().HaveCountGreaterThan(10);
        foreach (var line in lines)
        {
            var text = line.Replace("examples/", Path.Combine(root, "examples") + "/", StringComparison.Ordinal);
            var run = await admin.RunAsync([.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
        }
    }
}
