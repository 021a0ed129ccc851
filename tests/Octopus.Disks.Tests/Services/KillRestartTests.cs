using System.Diagnostics;
using System.Globalization;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Octopus.Disks.Tests.Kit;

namespace Octopus.Disks.Tests.Services;

/// <summary>The real thing: a separate process runs random operations on qcow2 files with a JSON catalog and is
/// killed with SIGKILL at a random moment; a "restarted server" (new services over the same folder and catalog file)
/// recovers, and must find every disk that was reachable at the kill, every row with its file and the right backing
/// file, and no leftover file. Five kills, each continuing from the state the previous one left.</summary>
public sealed class KillRestartTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task KillMidOperation_ThenRestart_RecoversWithoutLosingAReachableDisk()
    {
        var store = _temp.File("store");
        var catalogPath = _temp.File("catalog.json");
        var rng = new Random(20261124);
        var recoveredIntents = 0;
        for (var round = 0; round < 5; round++)
        {
            await RunAndKillAsync(store, catalogPath, seed: round, afterOps: rng.Next(3, 25), extraDelayMs: rng.Next(0, 30));

            // What was durable at the moment of the kill.
            var atKill = await new JsonFileDiskCatalog(catalogPath).LoadAsync();
            var reachableAtKill = atKill.Tree().Reachable();

            var catalog = new JsonFileDiskCatalog(catalogPath);
            var backend = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = store });
            var s = DiskServices.Create(catalog, backend, TimeProvider.System, new DiskTreeOptions { MaxChainDepth = 3, GracePeriod = TimeSpan.Zero });
            recoveredIntents += (await s.Recovery.RecoverAsync()).Count;

            var after = await catalog.LoadAsync();
            var because = $"round {round}: {atKill.Intents.Count} operation(s) were in flight at the kill";
            after.Intents.Should().BeEmpty(because);
            (await s.Recovery.VerifyAsync()).Should().BeEmpty(because);
            after.Disks.Select(d => d.Id).Should().Contain(reachableAtKill, because);
            (await backend.ListAsync()).Select(f => f.Id).Should().BeEquivalentTo(after.Disks.Select(d => d.Id), because);
        }
        // Not asserted (timing decides), but shown: how many kills landed inside an operation.
        TestContext.Current.SendDiagnosticMessage($"recovery finished or rolled back {recoveredIntents} interrupted operation(s)");
    }

    private static async Task RunAndKillAsync(string store, string catalogPath, int seed, int afterOps, int extraDelayMs)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Octopus.Disks.CrashWorker");
        var psi = new ProcessStartInfo(File.Exists(worker) ? worker : worker + ".exe")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(store);
        psi.ArgumentList.Add(catalogPath);
        psi.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = 0;
        while (seen <= afterOps)
        {
            var line = await p.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null) throw new InvalidOperationException($"the worker stopped by itself: {await stderr}");
            if (line.StartsWith("op ", StringComparison.Ordinal)) seen++;
        }
        await Task.Delay(extraDelayMs);
        p.Kill(entireProcessTree: true); // SIGKILL: no finally blocks, no flushing, like a power cut for the process
        await p.WaitForExitAsync();
    }
}
