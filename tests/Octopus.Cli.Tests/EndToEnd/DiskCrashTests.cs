using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Octopus.Client;
using Octopus.Contracts;
using Octopus.Disks.Backends;
using Octopus.Disks.Services;

using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Issue 4's crash test at server level: the real server process (qemu-img backend) is killed with SIGKILL
/// while disk operations (snapshots, forks, snapshot deletes) are in flight, then restarted on the same data folder.
/// Its start-up recovery must leave a catalog that agrees with the files (<see cref="DiskRecovery.VerifyAsync"/>
/// clean) and no disk that a root reached before the kill may be gone.</summary>
public sealed class DiskCrashTests : IAsyncDisposable
{
    private const string Password = "crash-admin-Passw0rd";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "octopus-crash-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private ServeProcess? _server;

    private string Data => Path.Combine(_dir, "data");

    [Fact]
    public async Task KillDuringDiskOperations_Restart_NoReachableDiskLostAndCatalogMatchesFiles()
    {
        Assert.SkipWhen(!File.Exists(CliProcess.DllPath), $"the CLI build is missing at {CliProcess.DllPath}");
        Assert.SkipWhen(!ServeProcess.QemuImgInstalled, "qemu-img is not installed (scripts/install-deps installs it)");
        var random = new Random(4);
        await StartServerAsync();
        using (var client = await _server!.LoginAsync())
        {
            await client.Vms.CreateAsync(new VmCreateRequest("crash0", 1, 1L << 30, 4L << 30, "debian-12"));
            await client.Vms.WaitForStateAsync("crash0", v => v.State == "Running", TimeSpan.FromSeconds(30));
        }

        for (var round = 0; round < 4; round++)
        {
            HashSet<string> reachable;
            using (var client = await _server!.LoginAsync())
            {
                var tree = await client.Disks.TreeAsync();
                reachable = [.. tree.Disks.Where(d => d.KeptAliveBy.Count > 0).Select(d => d.Id)];
                // Fire operations without waiting for them, then kill the server at a random moment among them.
                var inFlight = new List<Task>();
                for (var i = 0; i < 6; i++)
                {
                    var n = $"r{round}-{i}";
                    inFlight.Add((i % 3) switch
                    {
                        0 => client.Disks.SnapshotAsync("crash0", n),
                        1 => client.Disks.ForkAsync("crash0", new VmForkRequest("f" + n)),
                        _ => client.Disks.DeleteSnapshotAsync("crash0", $"r{round - 1}-0"),
                    });
                }
                await Task.Delay(random.Next(5, 120));
                KillServer();
                try { await Task.WhenAll(inFlight); } catch (Exception e) when (e is OctopusConnectionException or HttpRequestException or OctopusApiException or TaskCanceledException)
                {
                    // Expected: the server died under them, or a refusal (e.g. the snapshot to delete does not exist).
                }
            }

            await StartServerAsync(); // runs DiskRecovery.RecoverAsync before it listens
            using (var client = await _server!.LoginAsync())
            {
                var after = (await client.Disks.TreeAsync()).Disks.Select(d => d.Id).ToHashSet();
                reachable.Except(after).Should().BeEmpty($"round {round}: disks reachable before the kill must survive it\n{ServerLog()}");
            }
        }

        KillServer(); // idle: verify the folder as the next start would find it
        // The catalog is in the store (tables Disks and DiskIntents); open it as the next start would.
        var disks = DiskServices.Create(new Octopus.Persistence.Disks.StoreDiskCatalog(Octopus.Persistence.Sqlite.SqliteStore.Factory(Path.Combine(Data, "octopus.db"))),
            new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = Path.Combine(Data, "storage") }), TimeProvider.System);
        await disks.Recovery.RecoverAsync();
        (await disks.Recovery.VerifyAsync()).Should().BeEmpty();
    }

    private async Task StartServerAsync() =>
        _server = await ServeProcess.StartAsync(Data, Password, _log, new Dictionary<string, string?>
        {
            ["OCTOPUS_CONFIG"] = Path.Combine(_dir, "cli.json"),
            ["Octopus__Storage__Backend"] = "qemu-img",
            ["Octopus__Simulation__OperationDelay"] = "00:00:00.020",
            ["Octopus__Scheduler__Interval"] = "00:00:00.050",
        });

    /// <summary>SIGKILL: no shutdown code runs, exactly like a crash.</summary>
    private void KillServer()
    {
        _server?.Dispose();
        _server = null;
    }

    private string ServerLog() => ServeProcess.Text(_log);


    public ValueTask DisposeAsync()
    {
        KillServer();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
