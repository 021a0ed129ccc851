using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.Application.Disks;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Disks;

/// <summary>Snapshot and fork of running VMs when the node driver switches a running VM's disk
/// (<see cref="INodeDriver.SwitchDiskAsync"/>). The simulated nodes hold no files, so the switch is faked here: it makes
/// the new leaf over the VM's current one through the server's own backend, as QEMU's blockdev-snapshot-sync does; every
/// other call goes to the real simulated node.</summary>
public sealed class LiveDiskEndpointTests
{
    private static string Simulated => TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }""");

    /// <summary>Records each switch; makes the file through the server's own backend, or fails when told to.</summary>
    private sealed class FakeLiveDisk(IServiceProvider services) : INodeDriverResolver
    {
        public List<(VmId Vm, string Path)> Calls { get; } = [];

        /// <summary>For each switch, whether it ran inside an HTTP request (the request's context flows with the call when it does).</summary>
        public List<bool> InRequest { get; } = [];
        public string? Fail { get; set; }
        public string DriverName => "simulated-live";

        public INodeDriver For(HostId host) => new Node(this, new SimulatedNodeResolver(services.GetRequiredService<SimulatedCluster>()).For(host));

        private async Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct)
        {
            Calls.Add((vm, newActiveDisk));
            InRequest.Add(services.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext is not null);
            if (Fail is not null) throw new DriverException(Fail);
            DiskId.TryParseFileName(Path.GetFileName(newActiveDisk), out var id).Should().BeTrue();
            var current = (await services.GetRequiredService<IDiskCatalog>().LoadAsync(ct)).Tree().ActiveOf(vm)!;
            await services.GetRequiredService<IDiskBackend>().CreateChildAsync(id, current.Id, null, ct);
        }

        private sealed class Node(FakeLiveDisk owner, INodeDriver inner) : INodeDriver
        {
            public string Name => inner.Name;
            public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.CreateAsync(spec, ct);
            public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.StartAsync(spec, ct);
            public Task StopAsync(VmId vm, CancellationToken ct) => inner.StopAsync(vm, ct);
            public Task RebootAsync(VmId vm, CancellationToken ct) => inner.RebootAsync(vm, ct);
            public Task DeleteAsync(VmId vm, CancellationToken ct) => inner.DeleteAsync(vm, ct);
            public Task SuspendAsync(VmId vm, CancellationToken ct) => inner.SuspendAsync(vm, ct);
            public Task ResumeAsync(VmId vm, CancellationToken ct) => inner.ResumeAsync(vm, ct);
            public Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) => owner.SwitchDiskAsync(vm, newActiveDisk, ct);
            public Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.PrepareIncomingAsync(spec, ct);
            public Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct) =>
                inner.MigrateAsync(vm, target, progress, ct);
            public Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) => inner.ReadConsoleAsync(vm, maxBytes, ct);
            public Task<NodeObservation> ObserveAsync(CancellationToken ct) => inner.ObserveAsync(ct);
        }
    }

    private static async Task<(TestServerApp Server, HttpClient Http, FakeLiveDisk Live)> StartAsync()
    {
        var server = await TestServerApp.StartAsync(Simulated, customize: b =>
        {
            b.Services.AddHttpContextAccessor();
            b.Services.AddSingleton(sp => new FakeLiveDisk(sp));
            b.Services.AddSingleton<INodeDriverResolver>(sp => sp.GetRequiredService<FakeLiveDisk>());
            b.Services.AddSingleton(new LiveDiskSwitching(ThroughNodeDriver: true));
        });
        var live = server.App.Services.GetRequiredService<FakeLiveDisk>();
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1"))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("web1", "Running");
        return (server, http, live);
    }

    [Fact]
    public async Task Snapshot_RunningVm_DriverSwitchesItToTheNewLeafInTheStorageFolder()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();

        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);

        var after = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();
        var call = live.Calls.Should().ContainSingle().Subject;
        call.Path.Should().Be(Path.Combine(server.DataDirectory, "storage", Guid.Parse(after.ActiveDisk).ToString("N") + ".qcow2"));
        var tree = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
        tree.Snapshots.Should().ContainSingle().Which.Disk.Should().Be(before.ActiveDisk, "the disk the VM was writing is frozen as the snapshot");
        after.ChainDepth.Should().Be(before.ChainDepth + 1);
        (await (await http.GetAsync(ApiRoutes.Vm("web1"))).ReadAsync<VmDto>()).State.Should().Be("Running");
        live.InRequest.Should().Equal([false], "the operation runner switches the disk, not the request");
    }

    [Fact]
    public async Task Snapshot_SuspendedVm_DriverSwitchesIt_ItsPausedHypervisorStillHoldsTheDisk()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        (await http.PostAsync(ApiRoutes.Vm("web1") + "/suspend", null)).IsSuccessStatusCode.Should().BeTrue();
        await http.WaitForStateAsync("web1", "Suspended");

        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);

        live.Calls.Should().ContainSingle("a paused QEMU writes to the disk it holds once resumed: it must be moved to the new leaf");
        (await (await http.GetAsync(ApiRoutes.Vm("web1"))).ReadAsync<VmDto>()).State.Should().Be("Suspended");
    }

    [Fact]
    public async Task Snapshot_DriverFails_ConflictWithTheReasonAndNothingChanged()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();
        live.Fail = "QMP blockdev-snapshot-sync: Could not create file: No space left on device";

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"));

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("vm.disk-switch-failed");
        problem.GetProperty("detail").GetString().Should().Contain("No space left on device").And.Contain("keeps its disk");
        (await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>()).Should().Be(before);
        (await (await http.GetAsync(ApiRoutes.Vm("web1") + "/snapshots")).ReadAsync<SnapshotTreeDto>()).Snapshots.Should().BeEmpty();
        live.InRequest.Should().Equal([false], "the operation runner switches the disk, not the request");
    }

    [Fact]
    public async Task Snapshot_RunningVmNameTaken_ConflictFromTheDiskTreeAndNoSecondSwitch()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);

        var again = await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"));

        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await again.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("snapshot.exists");
        problem.GetProperty("detail").GetString().Should().Contain("'s1'");
        live.Calls.Should().ContainSingle();
    }

    [Fact]
    public async Task Fork_RunningVm_SourceSwitchedLiveAndForkRuns()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();

        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/fork", new VmForkRequest("copy"))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("copy", "Running");

        live.Calls.Should().ContainSingle().Which.Path.Should().EndWith(
            Guid.Parse((await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>()).ActiveDisk).ToString("N") + ".qcow2");
        var tree = await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        var copy = await (await http.GetAsync(ApiRoutes.Vm("copy") + "/disk")).ReadAsync<VmDiskDto>();
        tree.Disks.Single(d => d.Id == copy.ActiveDisk).Parent.Should().Be(before.ActiveDisk, "the fork backs onto the source's frozen leaf");
        live.InRequest.Should().Equal([false], "the operation runner forks the disk, not the request");
    }

    [Fact]
    public async Task Fork_DriverFails_ConflictWithTheReasonAndTheForkIsTakenBackWithoutAFreshDisk()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();
        live.Fail = "QMP blockdev-snapshot-sync: Permission denied";

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/fork", new VmForkRequest("copy"));

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("vm.disk-switch-failed");
        problem.GetProperty("detail").GetString().Should().Contain("Permission denied");
        await http.WaitUntilGoneAsync("copy");
        (await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>()).Should().Be(before);
        var tree = await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        tree.Disks.Where(d => d.Role == "active").Should().ContainSingle("only web1 has a disk: a fork whose disk failed never gets a fresh image disk")
            .Which.Id.Should().Be(before.ActiveDisk);
        live.InRequest.Should().Equal([false]);
    }

    [Fact]
    public async Task SnapshotStoppedVm_AndRevertRunningVm_DriverNotUsedRevertRefused()
    {
        var (server, http, live) = await StartAsync();
        await using var _ = server;
        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);

        var refused = await http.PostAsync(ApiRoutes.Vm("web1") + "/snapshots/s1/revert", null);

        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("stop it first");
        await http.PostAsync(ApiRoutes.VmAction("web1", "stop"), null);
        await http.WaitForStateAsync("web1", "Stopped");
        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("s2"))).StatusCode.Should().Be(HttpStatusCode.Created);
        live.Calls.Should().ContainSingle("only the running VM's snapshot needed the driver");
    }
}
