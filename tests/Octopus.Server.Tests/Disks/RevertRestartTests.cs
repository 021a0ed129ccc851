using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Disks.Backends;
using Octopus.Disks.Model;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Simulated;
using Octopus.Application.Disks;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Disks;

/// <summary>Revert of a running VM as one "stop, revert, start" operation (<c>POST …/snapshots/{name}/revert</c> with
/// <c>{"restart": true}</c>): the runner stops the VM on its simulated node, reverts its disk and starts it on the new
/// leaf; a failure at any step leaves a state that says what happened.</summary>
public sealed class RevertRestartTests
{
    private static string Simulated => TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }""");

    /// <summary>The server's own simulated disk storage, made to fail making a child when told (a full disk cannot be
    /// arranged here); every other call is the real backend's.</summary>
    private sealed class FailingStorage(IDiskBackend inner) : IDiskBackend
    {
        public string? Fail { get; set; }
        public Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken ct = default) => inner.CreateBaseAsync(id, virtualSize, ct);
        public Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken ct = default) =>
            inner.ImportAsync(id, sourcePath, format, ct);
        public Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken ct = default) =>
            Fail is { } why ? throw new DiskBackendException(why) : inner.CreateChildAsync(id, parent, virtualSize, ct);
        public Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken ct = default) => inner.RebaseAsync(id, newParent, ct);
        public Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken ct = default) => inner.InspectAsync(id, ct);
        public Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken ct = default) => inner.ReadChainAsync(id, ct);
        public Task DeleteAsync(DiskId id, CancellationToken ct = default) => inner.DeleteAsync(id, ct);
        public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct = default) => inner.ListAsync(ct);
    }

    private static async Task<(TestServerApp Server, HttpClient Http, VmDto Vm)> StartAsync(FailingStorage? storage = null)
    {
        var server = await TestServerApp.StartAsync(Simulated, customize: storage is null ? null : b =>
            b.Services.AddSingleton<IDiskBackend>(_ => storage));
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db1"))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("db1", "Running");
        (await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots", new SnapshotRequest("s2"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var vm = await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>();
        return (server, http, vm);
    }

    private static async Task<OperationDto> RevertOperationAsync(HttpClient http) =>
        (await (await http.GetAsync(ApiRoutes.Operations + "?vm=db1&kind=revert-vm")).ReadAsync<Page<OperationDto>>()).Items.Should().ContainSingle().Subject;

    [Fact]
    public async Task Revert_RunningVmWithRestart_OneOperationLeavesItRunningOnANewChildOfTheSnapshot()
    {
        var (server, http, vm) = await StartAsync();
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/disk")).ReadAsync<VmDiskDto>();

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", new RevertRequest(Restart: true));

        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var disk = await r.ReadAsync<VmDiskDto>();
        disk.ActiveDisk.Should().NotBe(before.ActiveDisk);
        (await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>()).State.Should().Be("Running");
        var tree = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
        tree.CurrentAfter.Should().Be("s1", "the VM now continues from s1, not s2");
        // The simulated node was started on the reverted leaf (it records the disk each start names).
        var node = server.App.Services.GetRequiredService<SimulatedCluster>().ActiveDiskOf(new VmId(Guid.Parse(vm.Id)));
        Path.GetFileName(node).Should().Be(new DiskId(Guid.Parse(disk.ActiveDisk)).FileName);

        var op = await RevertOperationAsync(http);
        op.Status.Should().Be("Succeeded");
        op.Actor.Should().Be("admin");
        op.Steps.Select(s => s.Text.Split(':')[0]).Should().Equal("stop", "revert", "start");
        var audit = await (await http.GetAsync(ApiRoutes.Base + "/audit?action=vm.revert")).Content.ReadAsStringAsync();
        audit.Should().Contain("stop, revert, start");
    }

    [Fact]
    public async Task Revert_RestartButTheRevertFails_VmStaysStoppedOnItsDiskAndNothingStarts()
    {
        var storage = new FailingStorage(new SimulatedDiskBackend(TimeProvider.System));
        var (server, http, vm) = await StartAsync(storage);
        await using var _ = server;
        var before = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/disk")).ReadAsync<VmDiskDto>();
        storage.Fail = "No space left on device";

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", new RevertRequest(Restart: true));

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("storage.failed");
        problem.GetProperty("detail").GetString().Should().Contain("No space left on device").And.Contain("stays stopped on the disk it had");
        var after = await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>();
        after.State.Should().Be("Stopped", "a failed revert starts nothing");
        after.StatusReason.Should().Contain("the revert to 's1' failed");
        (await (await http.GetAsync(ApiRoutes.Vm("db1") + "/disk")).ReadAsync<VmDiskDto>()).ActiveDisk.Should().Be(before.ActiveDisk);
        (await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>()).CurrentAfter.Should().Be("s2");
        var op = await RevertOperationAsync(http);
        op.Status.Should().Be("Failed");
        op.Steps.Select(s => s.Text.Split(':')[0]).Should().Equal("stop", "failed");

        // The state is clear enough to go on from: the storage recovers and the same request reverts and starts it.
        storage.Fail = null;
        (await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", new RevertRequest(Restart: true))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>()).CurrentAfter.Should().Be("s1");
        (await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>()).State.Should().Be("Stopped", "a stopped VM is reverted as it is");
    }

    [Fact]
    public async Task Revert_RestartButTheStopFails_VmFailedAndNothingReverted()
    {
        var (server, http, vm) = await StartAsync();
        await using var _ = server;
        server.App.Services.GetRequiredService<SimulatedCluster>().InjectFailure(new VmId(Guid.Parse(vm.Id)), "the guest did not shut down");

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", new RevertRequest(Restart: true));

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("could not be stopped").And.Contain("the guest did not shut down");
        var after = await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>();
        after.State.Should().Be("Failed");
        after.StatusReason.Should().Contain("stop before the revert to 's1' failed");
        (await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>()).CurrentAfter.Should().Be("s2");
    }

    [Fact]
    public async Task Revert_RestartToAMissingSnapshot_NotFoundAndTheVmKeepsRunning()
    {
        var (server, http, _) = await StartAsync();
        await using var __ = server;

        var r = await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots/nope/revert", new RevertRequest(Restart: true));

        r.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("db1/nope");
        (await (await http.GetAsync(ApiRoutes.Vm("db1"))).ReadAsync<VmDto>()).State.Should().Be("Running");
        (await (await http.GetAsync(ApiRoutes.Operations + "?vm=db1&kind=revert-vm")).ReadAsync<Page<OperationDto>>()).Items.Should().BeEmpty();
    }

    [Fact]
    public async Task Revert_RunningVmWithoutRestart_RefusedNamingTheRestartOption()
    {
        var (server, http, _) = await StartAsync();
        await using var __ = server;

        var r = await http.PostAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", null);

        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("--restart");
    }
}
