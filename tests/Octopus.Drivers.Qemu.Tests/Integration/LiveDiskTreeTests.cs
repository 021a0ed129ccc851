using System.Text.RegularExpressions;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Disks.Services;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu.Processes;

namespace Octopus.Drivers.Qemu.Tests.Integration;

/// <summary>The disk tree over a running QEMU guest: a live snapshot and a live fork go through
/// <see cref="DiskTreeService"/> and <see cref="QemuNodeDriver.SwitchDiskAsync"/>; the guest keeps running (its serial heartbeat
/// goes on) and the files' backing chains (qemu-img info --backing-chain) are the chains the catalog records.</summary>
public sealed partial class LiveDiskTreeTests(TestGuestFixture guest) : IClassFixture<TestGuestFixture>, IAsyncLifetime
{
    private const string Ready = "OCTOPUS-GUEST-READY";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private QemuNodeDriver? _driver;

    [GeneratedRegex(@"OCTOPUS-HEARTBEAT (\d+)")]
    private static partial Regex HeartbeatLine();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_driver is not null) await _driver.DisposeAsync();
        guest.KillAll();
    }

    [Fact]
    public async Task SnapshotThenFork_RunningGuest_KeepsRunningAndFilesMatchCatalog()
    {
        if (guest.SkipReason is not null) Assert.Skip(guest.SkipReason);
        var folder = Path.Combine(guest.Root, "tree");
        var catalog = new JsonFileDiskCatalog(Path.Combine(guest.Root, "disks.json"));
        var backend = new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = folder });
        var disks = DiskServices.Create(catalog, backend, TimeProvider.System);
        var owner = new UserId(Guid.NewGuid());
        await disks.Tree.ImportImageAsync(TestGuestFixture.Image, owner, Path.Combine(guest.Storage, "images", TestGuestFixture.Image.Value + ".qcow2"), DiskImageFormat.Qcow2, Ct);
        var geometry = Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), TestGuestFixture.Image);
        var specs = new TreeSpecs(catalog, folder);
        var sourceId = VmId.New();
        await disks.Tree.CreateVmDiskAsync(sourceId, owner, TestGuestFixture.Image, ct: Ct);
        var source = await specs.ForAsync(sourceId, "live", geometry);
        _driver = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(guest.Root, "lt"), ShutdownTimeout = TimeSpan.FromSeconds(20) },
            guest.Boot, TimeProvider.System);
        var driver = _driver;
        await driver.CreateAsync(source, Ct);
        await WaitForConsoleAsync(driver, source.Id, c => c.Contains(Ready, StringComparison.Ordinal), "the ready marker");
        LiveDiskSwitch SwitchOf(VmId vm) => (id, ct) => driver.SwitchDiskAsync(vm, Path.Combine(folder, id.FileName), ct);
        var before = LastHeartbeat(await driver.ReadConsoleAsync(source.Id, 64 * 1024, Ct));

        var snapshot = await disks.Tree.SnapshotLiveAsync(source.Id, SnapshotName.Parse("s1"), SwitchOf(source.Id), Ct);

        var tree = (await catalog.LoadAsync(Ct)).Tree();
        var active = tree.ActiveOf(source.Id)!;
        active.Parent.Should().Be(snapshot.Id);
        driver.GetSpec(source.Id).Disk.Should().Be(Path.Combine(folder, active.Id.FileName), "QEMU writes to the leaf the catalog names");
        (await driver.GetStateAsync(source.Id, Ct)).State.Should().Be(QemuRunState.Running, "a live snapshot does not stop the guest");
        var afterSnapshot = LastHeartbeat(await WaitForHeartbeatAboveAsync(driver, source.Id, before));
        (await ChainAsync(folder, active.Id)).Should().Equal(CatalogChain(tree, active.Id));

        var forkId = VmId.New();
        var fork = await disks.Tree.ForkLiveAsync(source.Id, forkId, owner, null, SwitchOf(source.Id), Ct);

        tree = (await catalog.LoadAsync(Ct)).Tree();
        fork.ForkPoint.Id.Should().Be(active.Id, "the leaf the source was writing is the fork point");
        tree.ActiveOf(source.Id)!.Id.Should().Be(fork.SourceActive.Id);
        driver.GetSpec(source.Id).Disk.Should().Be(Path.Combine(folder, fork.SourceActive.Id.FileName));
        await WaitForHeartbeatAboveAsync(driver, source.Id, afterSnapshot);
        (await ChainAsync(folder, fork.SourceActive.Id)).Should().Equal(CatalogChain(tree, fork.SourceActive.Id));
        (await ChainAsync(folder, fork.NewActive.Id)).Should().Equal(CatalogChain(tree, fork.NewActive.Id));
        var forked = await specs.ForAsync(forkId, "live-fork", geometry);
        forked.Disks[0].Chain.Select(p => Path.GetFileName(p)).Should().Equal(CatalogChain(tree, fork.NewActive.Id).Select(d => d.FileName));
        await driver.CreateAsync(forked, Ct);
        await WaitForConsoleAsync(driver, forkId, c => c.Contains(Ready, StringComparison.Ordinal), "the fork's ready marker");
        (await disks.Recovery.VerifyAsync(Ct)).Should().BeEmpty("every file backs onto what the catalog says");

        await driver.StopAsync(forkId, Ct);
        await driver.StopAsync(source.Id, Ct);
    }

    /// <summary>The chain as the files say it, read with <c>qemu-img info --backing-chain</c>: the disk first, the image last.</summary>
    private static async Task<List<DiskId>> ChainAsync(string folder, DiskId disk)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var a in new[] { "info", "-U", "--backing-chain", "--output=json", disk.FileName }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var json = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return [.. doc.RootElement.EnumerateArray().Select(e => DiskId.TryParseFileName(Path.GetFileName(e.GetProperty("filename").GetString()!), out var id) ? id : default)];
    }

    private static List<DiskId> CatalogChain(DiskTree tree, DiskId disk) => [disk, .. tree.Ancestors(disk).Select(d => d.Id)];

    private static async Task<string> WaitForConsoleAsync(QemuNodeDriver driver, VmId vm, Func<string, bool> until, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            text = await driver.ReadConsoleAsync(vm, 64 * 1024, Ct);
            if (until(text)) return text;
            await Task.Delay(100, Ct);
        }
        throw new Xunit.Sdk.XunitException($"waited 60 s for {what}; console ends with:\n{text[Math.Max(0, text.Length - 2000)..]}");
    }

    private static int LastHeartbeat(string console)
    {
        var matches = HeartbeatLine().Matches(console);
        return matches.Count == 0 ? 0 : int.Parse(matches[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Task<string> WaitForHeartbeatAboveAsync(QemuNodeDriver driver, VmId vm, int above) =>
        WaitForConsoleAsync(driver, vm, c => LastHeartbeat(c) > above, $"a heartbeat above {above}");

    /// <summary>Builds each VM's runtime spec from the leaf the disk catalog names for it and its chain (as the server's
    /// RuntimeSpecs does); the driver boots its own default kernel.</summary>
    private sealed class TreeSpecs(IDiskCatalog catalog, string folder)
    {
        public async Task<VmRuntimeSpec> ForAsync(VmId id, string name, Geometry geometry)
        {
            var tree = (await catalog.LoadAsync(Ct)).Tree();
            var active = tree.ActiveOf(id) ?? throw new DriverException($"VM {id} has no disk in the catalog.");
            var chain = CatalogChain(tree, active.Id).Select(d => Path.Combine(folder, d.FileName)).ToList();
            return new VmRuntimeSpec(id, name, geometry, [new DiskAttachment(chain[0], chain, false)], [], null, ConsoleSpec.SerialOnly);
        }
    }
}
