using System.Text.Json;
using Octopus.Cli.Infrastructure;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>The disk commands of the README's tour ("Disks: fork, snapshot, revert, gc") against a real server process
/// (default storage backend: qcow2 files with qemu-img when it is installed).</summary>
public class DiskEndToEndTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private CliProcess Admin => server.AdminOrSkip();

    private static T Parse<T>((int Exit, string Out, string Err) run) => CliProcess.Parse<T>(run);

    [Fact]
    public async Task Disks_ForkSnapshotSnapshotsRevertTreeGc()
    {
        var admin = Admin;
        Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-disk1", "--cores", "1", "--memory", "1GiB",
            "--disk", "20GiB", "--image", "debian-12", "--json")).State.Should().Be("Running");

        Parse<SnapshotDto>(await admin.RunAsync("vm", "snapshot", "e2e-disk1", "clean", "--json")).Name.Should().Be("clean");
        Parse<SnapshotDto>(await admin.RunAsync("vm", "snapshot", "e2e-disk1", "later", "--json")).Name.Should().Be("later");
        var snapshots = await admin.RunAsync("vm", "snapshots", "e2e-disk1");
        snapshots.Exit.Should().Be(ExitCodes.Ok, snapshots.Err);
        snapshots.Out.Should().Contain("clean").And.Contain("later").And.Contain("(current)");

        var fork = Parse<VmDto>(await admin.RunAsync("vm", "fork", "e2e-disk1", "e2e-disk2", "--cores", "2", "--json"));
        fork.State.Should().Be("Running");
        fork.Cores.Should().Be(2);

        var running = await admin.RunAsync("vm", "revert", "e2e-disk1", "clean");
        running.Exit.Should().Be(ExitCodes.Rejected);
        running.Err.Should().StartWith("error: ").And.Contain("stop it first");
        Parse<VmDto>(await admin.RunAsync("vm", "stop", "e2e-disk1", "--json")).State.Should().Be("Stopped");
        Parse<VmDiskDto>(await admin.RunAsync("vm", "revert", "e2e-disk1", "clean", "--json")).Vm.Should().Be("e2e-disk1");
        Parse<SnapshotTreeDto>(await admin.RunAsync("vm", "snapshots", "e2e-disk1", "--json")).CurrentAfter.Should().Be("clean");

        (await admin.RunAsync("vm", "snapshot", "delete", "e2e-disk1", "later")).Exit.Should().Be(ExitCodes.Ok);
        Parse<SnapshotTreeDto>(await admin.RunAsync("vm", "snapshots", "e2e-disk1", "--json")).Snapshots.Select(s => s.Name)
            .Should().Equal("clean");

        var tree = Parse<DiskTreeDto>(await admin.RunAsync("disk", "tree", "--vm", "e2e-disk2", "--json"));
        tree.Disks.Should().Contain(d => d.Role == "image").And.Contain(d => d.Role == "active");
        var text = await admin.RunAsync("disk", "tree");
        text.Exit.Should().Be(ExitCodes.Ok, text.Err);
        text.Out.Should().Contain("debian-12");

        var dry = Parse<GcReportDto>(await admin.RunAsync("disk", "gc", "--dry-run", "--json"));
        dry.DryRun.Should().BeTrue();
        dry.Pending.Should().BeGreaterThan(0); // the abandoned leaf waits for its grace period (one day by default)
        (await admin.RunAsync("disk", "gc", "--dry-run")).Out.Should().Contain("would delete");
        var real = Parse<GcReportDto>(await admin.RunAsync("disk", "gc", "--json"));
        real.DryRun.Should().BeFalse();
        real.Collected.Should().Be(0); // nothing has been unreachable for the grace period yet

        (await admin.RunAsync("vm", "delete", "e2e-disk2", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        (await admin.RunAsync("vm", "delete", "e2e-disk1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task Revert_WithRestart_StopsRevertsAndStartsARunningVm()
    {
        var admin = Admin;
        Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-disk3", "--cores", "1", "--memory", "1GiB",
            "--disk", "20GiB", "--image", "debian-12", "--json")).State.Should().Be("Running");
        Parse<SnapshotDto>(await admin.RunAsync("vm", "snapshot", "e2e-disk3", "clean", "--json")).Name.Should().Be("clean");
        Parse<SnapshotDto>(await admin.RunAsync("vm", "snapshot", "e2e-disk3", "later", "--json")).Name.Should().Be("later");

        var reverted = await admin.RunAsync("vm", "revert", "e2e-disk3", "clean", "--restart");
        reverted.Exit.Should().Be(ExitCodes.Ok, reverted.Err);
        reverted.Out.Should().Contain("e2e-disk3 reverted to clean and running again.");
        Parse<VmDto>(await admin.RunAsync("vm", "show", "e2e-disk3", "--json")).State.Should().Be("Running");
        Parse<SnapshotTreeDto>(await admin.RunAsync("vm", "snapshots", "e2e-disk3", "--json")).CurrentAfter.Should().Be("clean");

        var missing = await admin.RunAsync("vm", "revert", "e2e-disk3", "nosuch", "--restart");
        missing.Exit.Should().NotBe(ExitCodes.Ok);
        missing.Err.Should().StartWith("error: ").And.Contain("nosuch");
        Parse<VmDto>(await admin.RunAsync("vm", "show", "e2e-disk3", "--json")).State.Should().Be("Running", "nothing is stopped for a snapshot that does not exist");

        (await admin.RunAsync("vm", "delete", "e2e-disk3", "--yes")).Exit.Should().Be(ExitCodes.Ok);
    }

    /// <summary>Runs the README's "Disks: fork, snapshot, revert, gc" block exactly as written (only the import path is
    /// the test server's data folder), line by line: every documented command must succeed.</summary>
    [Fact]
    public async Task ReadmeDisksSection_EveryLineSucceeds()
    {
        var admin = Admin;
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Octopus.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no repository root");
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var section = readme[readme.IndexOf("## Disks: fork, snapshot, revert, gc", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh", StringComparison.Ordinal) + 5)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var lines = block.Split('\n')
            .Select(l => l.Contains(" # ", StringComparison.Ordinal) ? l[..l.IndexOf(" # ", StringComparison.Ordinal)] : l)
            .Select(l => l.Trim()).Where(l => l.StartsWith("./octopus ", StringComparison.Ordinal)).ToList();
        lines.Should().HaveCountGreaterThan(10);

        var import = Path.Combine(server.DataDirectory, "import");
        Directory.CreateDirectory(import);
        await File.WriteAllBytesAsync(Path.Combine(import, "tiny.raw"), new byte[1 << 20]);
        foreach (var line in lines)
        {
            var text = line.Replace("data/import/", import + "/", StringComparison.Ordinal);
            var run = await admin.RunAsync([.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)]);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
        }
    }

    [Fact]
    public async Task Images_ImportListDelete_RefusedWhileAVmUsesIt()
    {
        var admin = Admin;
        var folder = Path.Combine(server.DataDirectory, "import");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "e2e-tiny.raw");
        await File.WriteAllBytesAsync(file, new byte[2 << 20]);

        Parse<ImageDto>(await admin.RunAsync("image", "import", "e2e-tiny", file, "--format", "raw", "--json")).SizeBytes.Should().Be(2L << 20);
        Parse<List<ImageDto>>(await admin.RunAsync("image", "list", "--json")).Select(i => i.Name).Should().Contain("e2e-tiny");
        Parse<VmDto>(await admin.RunAsync("vm", "create", "--name", "e2e-tiny1", "--cores", "1", "--memory", "1GiB",
            "--disk", "1GiB", "--image", "e2e-tiny", "--json")).State.Should().Be("Running");

        var refused = await admin.RunAsync("image", "delete", "e2e-tiny");
        refused.Exit.Should().Be(ExitCodes.Rejected);
        refused.Err.Should().Contain("e2e-tiny1");

        (await admin.RunAsync("vm", "delete", "e2e-tiny1", "--yes")).Exit.Should().Be(ExitCodes.Ok);
        (await admin.RunAsync("image", "delete", "e2e-tiny")).Exit.Should().Be(ExitCodes.Ok);
        Parse<List<ImageDto>>(await admin.RunAsync("image", "list", "--json")).Select(i => i.Name).Should().NotContain("e2e-tiny");
    }
}
