using System.Diagnostics;
using System.Text.Json;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu;
using Octopus.TestKit;

namespace Octopus.Agent.Tests;

/// <summary>Issue 11's crash test for the one operation the simulated cluster cannot have: a live snapshot
/// (<c>SnapshotVm</c>), where a hypervisor holds the running VM's disk and makes the new overlay (QEMU's
/// blockdev-snapshot-sync, through the agent). The server is a real <c>octopus serve</c> process (SQLite store, qcow2
/// disks in a storage folder shared with the agent); the agent runs in this process with one real QEMU (TCG) guest, and
/// both outlive every server crash, as a host would. For each boundary the runner reports for a snapshot (claimed; step:
/// the disk it is about to freeze is recorded; executed: the tree committed, the operation not; completed) the server is
/// started with <c>OCTOPUS_CRASH_AT</c>, asked for a live snapshot, kills itself (SIGKILL) at the boundary, and is started
/// again on the same data folder without the knob.
/// Then, after one control-loop interval (0.2 s here; the test allows 30 s for a loaded machine and prints what it took):
/// the VM still runs on its host in the same QEMU process; every snapshot operation asked for so far ended Succeeded,
/// each once (one new overlay file per snapshot in the storage folder, and its chain one deeper in qemu-img's view);
/// the store's chain for the VM is exactly the chain the QEMU process has open (QMP query-block); every disk reachable
/// before is still in the tree; nothing is pending, running or transitional. One VM serves every boundary.</summary>
public sealed class LiveSnapshotCrashTests : IAsyncDisposable
{
    private readonly AgentCrashHarness _h = new("ols-", "live-crash-Passw0rd", "live-crash-join-token-0123456789");

    private string Storage => _h.Storage;
    private string ServerData => _h.ServerData;

    [Fact]
    public async Task KillAtEverySnapshotBoundary_Restart_VmRunsOnTheRecordedChainAndEachSnapshotHappenedOnce()
    {
        if (LocalCluster.SkipReason is { } why) Assert.Skip(why);
        Assert.SkipWhen(!File.Exists(ServeProcess.DllPath), $"the CLI build is missing at {ServeProcess.DllPath}");
        var total = Stopwatch.StartNew();
        var guest = await GuestFiles.BuildAsync();
        await _h.PrepareAsync();
        await _h.StartServerAsync(crashAt: null);
        await _h.StartAgentAsync(guest);
        VmId id;
        int qemu;
        using (var client = await _h.Server!.LoginAsync())
        {
            await AgentCrashHarness.WaitForHostOnAsync(client);
            var file = Path.Combine(ServerData, "import", "test-guest.qcow2");
            File.Copy(guest.Disk, file);
            var image = await client.Images.ImportAsync("test-guest", file);
            var vm = await client.Vms.CreateAsync(new VmCreateRequest("live", 1, 128L << 20, image.SizeBytes, image.Name));
            vm = await client.Vms.WaitForStateAsync("live", v => v.State == "Running", TimeSpan.FromSeconds(60))
                ?? throw new TimeoutException("the VM did not reach Running");
            id = new VmId(Guid.Parse(vm.Id));
            qemu = LocalCluster.QemuProcessesUnder(_h.Root).Should().ContainSingle().Subject;
            await AssertQemuRunsTheStoreChainAsync(client, id, "after the create");
        }
        Console.WriteLine($"set-up (guest, server, agent, image, VM running): {total.Elapsed.TotalSeconds:0.0} s");

        var snapshots = new List<string>();
        foreach (var boundary in new[] { "claimed", "step", "executed", "completed" })
        {
            var round = Stopwatch.StartNew();
            var name = "s-" + boundary;
            _h.KillServer(); // idle: the next start arms the knob
            await _h.StartServerAsync($"SnapshotVm:{boundary}");
            HashSet<string> reachable;
            int overlays;
            using (var client = await _h.Server!.LoginAsync())
            {
                await AgentCrashHarness.WaitForHostOnAsync(client);
                reachable = [.. (await client.Disks.TreeAsync()).Disks.Where(d => d.KeptAliveBy.Count > 0).Select(d => d.Id)];
                overlays = StorageFiles().Count;
                try
                {
                    await client.Disks.SnapshotAsync("live", name);
                }
                catch (Exception e) when (e is OctopusConnectionException or HttpRequestException or TaskCanceledException)
                {
                    // The server died while answering: the operation was journaled before the runner took it.
                }
            }
            snapshots.Add(name);
            var expected = $"SnapshotVm:{boundary}:1";
            await _h.WaitForCrashAsync(expected);

            await _h.StartServerAsync(crashAt: null);
            using (var client = await _h.Server!.LoginAsync())
            {
                var settling = Stopwatch.StartNew();
                var (vms, operations) = await AgentCrashHarness.SettledAsync(client);
                var took = settling.Elapsed;
                var because = $"after a crash at {expected} (settled {took.TotalMilliseconds:0} ms after the restart)\n{_h.ServerLog()}";

                var vm = vms.Should().ContainSingle().Subject;
                vm.State.Should().Be("Running", because);
                vm.Host.Should().Be("a1");
                _h.ServerLog().Should().NotContain("marked Failed", "the server's restarts never judge the running VM");
                operations.Where(o => o.Status is "Pending" or "Running").Select(o => $"{o.Kind} {o.Status}").Should().BeEmpty(because);
                LocalCluster.QemuProcessesUnder(_h.Root).Should().Equal([qemu], "the guest kept running in the same QEMU through the server's crash");

                // Every snapshot asked for ended once, as a success (a replay that found its own snapshot is not a failure).
                var taken = operations.Where(o => o.Kind.Replace("-", "", StringComparison.Ordinal).Equals("SnapshotVm", StringComparison.OrdinalIgnoreCase)).ToList();
                taken.Select(o => $"{o.Status} {o.Error}").Should().Equal(snapshots.Select(_ => "Succeeded "), because);
                if (boundary == "executed")
                    taken[^1].Steps.Should().Contain(t => t.Text.Contains("was taken before the restart", StringComparison.Ordinal),
                        "the replay found the snapshot the crashed run had committed and asked neither the tree nor the driver again");
                var tree = await client.Disks.SnapshotsAsync("live");
                tree.Snapshots.Select(s => s.Name).Should().BeEquivalentTo(snapshots, because);

                // One new overlay for this snapshot, no more: in the storage folder and in the chain qemu-img reads.
                StorageFiles().Count.Should().Be(overlays + 1, $"one snapshot makes one overlay file; {because}");
                var leaf = await ActiveLeafFileAsync(client);
                (await QemuImgChainAsync(leaf)).Should().HaveCount(snapshots.Count + 2, "image ← first leaf ← one overlay per snapshot");

                await AssertQemuRunsTheStoreChainAsync(client, id, because);
                var after = (await client.Disks.TreeAsync()).Disks.Select(d => d.Id).ToHashSet();
                reachable.Except(after).Should().BeEmpty($"disks reachable before the crash survive it; {because}");
                Console.WriteLine($"SnapshotVm:{boundary}: settled {took.TotalMilliseconds:0} ms after the restart; round {round.Elapsed.TotalSeconds:0.0} s");
            }
        }
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The store's chain for the VM (its active disk up to the image, by parent links) is the chain the running
    /// QEMU has open (QMP query-block: the image's file, then each backing image), and the agent's spec names its leaf.</summary>
    private async Task AssertQemuRunsTheStoreChainAsync(OctopusClient client, VmId vm, string because)
    {
        var disks = (await client.Disks.TreeAsync()).Disks.ToDictionary(d => d.Id);
        var stored = new List<string>();
        for (var d = disks[(await client.Disks.GetVmDiskAsync("live")).ActiveDisk]; ; d = disks[d.Parent])
        {
            stored.Add(FileOf(d.Id));
            if (d.Parent is null) break;
        }
        var driver = _h.Agent!.Services.GetRequiredService<QemuNodeDriver>();
        var blocks = await driver.QueryAsync(vm, "query-block", CancellationToken.None);
        var open = new List<string>();
        var device = blocks.EnumerateArray().Single(b => b.GetProperty("device").GetString() == QemuCommandLine.DiskId);
        for (var image = device.GetProperty("inserted").GetProperty("image"); ; image = image.GetProperty("backing-image"))
        {
            open.Add(image.GetProperty("filename").GetString()!);
            if (!image.TryGetProperty("backing-image", out _)) break;
        }
        open.Should().Equal(stored, $"the QEMU process runs on the chain the store records; {because}");
        driver.GetSpec(vm).Disk.Should().Be(stored[0], "the agent boots the recorded leaf next time");
    }

    private string FileOf(string diskId) => Path.Combine(Storage, Guid.Parse(diskId).ToString("N") + ".qcow2");

    private async Task<string> ActiveLeafFileAsync(OctopusClient client) => FileOf((await client.Disks.GetVmDiskAsync("live")).ActiveDisk);

    /// <summary>The files of <paramref name="leaf"/>'s backing chain as qemu-img reads them (-U: QEMU holds the leaf).</summary>
    private static async Task<IReadOnlyList<string>> QemuImgChainAsync(string leaf)
    {
        var psi = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "info", "-U", "--backing-chain", "--output=json", leaf }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        p.ExitCode.Should().Be(0, await stderr);
        using var json = JsonDocument.Parse(await stdout);
        return [.. json.RootElement.EnumerateArray().Select(e => e.GetProperty("filename").GetString()!)];
    }

    private HashSet<string> StorageFiles() => [.. Directory.EnumerateFiles(Storage, "*.qcow2").Select(f => Path.GetFileName(f))];

    public ValueTask DisposeAsync() => _h.DisposeAsync();
}
