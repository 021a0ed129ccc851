using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Disks;

public class DiskEndpointTests
{
    private static string Simulated => TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }""");

    [Fact]
    public async Task CreateVm_QemuImgBackend_GivesTheVmAQcow2ChildOfItsImage()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Storage": { "Backend": "qemu-img" }"""));
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1"))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("web1", "Running");

        var disk = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();
        disk.ChainDepth.Should().Be(1); // image at depth 0, the VM's disk its child
        disk.VirtualBytes.Should().Be(20L << 30);
        File.Exists(Path.Combine(server.DataDirectory, "storage", Guid.Parse(disk.ActiveDisk).ToString("N") + ".qcow2")).Should().BeTrue();

        (await http.PostAsJsonAsync(ApiRoutes.Vm("web1") + "/snapshots", new SnapshotRequest("before"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var after = await (await http.GetAsync(ApiRoutes.Vm("web1") + "/disk")).ReadAsync<VmDiskDto>();
        after.ActiveDisk.Should().NotBe(disk.ActiveDisk);
        after.ChainDepth.Should().Be(2);
    }

    [Fact]
    public async Task SnapshotRevertDelete_RunningVm_RevertRefusedUntilStopped()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db1"));
        await http.WaitForStateAsync("db1", "Running");

        (await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots", new SnapshotRequest("s1"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await http.PostAsJsonAsync(ApiRoutes.Vm("db1") + "/snapshots", new SnapshotRequest("s2"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var tree = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
        tree.Snapshots.Select(s => (s.Name, s.Parent)).Should().Equal(("s1", null), ("s2", "s1"));
        tree.CurrentAfter.Should().Be("s2");
        tree.Text.Should().Contain("(current)");

        var refused = await http.PostAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", null);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("stop it first");

        await http.PostAsync(ApiRoutes.VmAction("db1", "stop"), null);
        await http.WaitForStateAsync("db1", "Stopped");
        var reverted = await http.PostAsync(ApiRoutes.Vm("db1") + "/snapshots/s1/revert", null);
        reverted.StatusCode.Should().Be(HttpStatusCode.OK);
        tree = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
        tree.CurrentAfter.Should().Be("s1");

        (await http.DeleteAsync(ApiRoutes.Vm("db1") + "/snapshots/s2")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        tree = await (await http.GetAsync(ApiRoutes.Vm("db1") + "/snapshots")).ReadAsync<SnapshotTreeDto>();
        tree.Snapshots.Select(s => s.Name).Should().Equal("s1");
        (await http.DeleteAsync(ApiRoutes.Vm("db1") + "/snapshots/s2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Fork_RunningVm_NewVmRunsOnAChildOfTheSourceState()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("src"));
        await http.WaitForStateAsync("src", "Running");
        var before = await (await http.GetAsync(ApiRoutes.Vm("src") + "/disk")).ReadAsync<VmDiskDto>();

        var forked = await http.PostAsJsonAsync(ApiRoutes.Vm("src") + "/fork", new VmForkRequest("copy", Cores: 4, DiskBytes: 30L << 30));
        forked.StatusCode.Should().Be(HttpStatusCode.Created);
        var vm = await forked.ReadAsync<VmDto>();
        vm.Cores.Should().Be(4);
        vm.MemoryBytes.Should().Be(4L << 30); // the source's
        await http.WaitForStateAsync("copy", "Running");

        var copy = await (await http.GetAsync(ApiRoutes.Vm("copy") + "/disk")).ReadAsync<VmDiskDto>();
        var src = await (await http.GetAsync(ApiRoutes.Vm("src") + "/disk")).ReadAsync<VmDiskDto>();
        copy.ChainDepth.Should().Be(2); // image → src's old leaf (frozen fork point) → copy's disk
        copy.VirtualBytes.Should().Be(30L << 30);
        src.ChainDepth.Should().Be(2);
        src.ActiveDisk.Should().NotBe(before.ActiveDisk);
        var tree = await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        tree.Disks.Single(d => d.Id == before.ActiveDisk).Role.Should().Be("interior");
        tree.Disks.Where(d => d.Parent == before.ActiveDisk).Select(d => d.Id).Should().BeEquivalentTo([copy.ActiveDisk, src.ActiveDisk]);
    }

    [Fact]
    public async Task Fork_OverQuota_RefusedAndNoVmLeftBehind()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var user = await server.NewUserAsync("ann", new QuotaDto(4, 16L << 30, 300L << 30, 5));
        await user.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 3));
        await user.WaitForStateAsync("a1", "Running");

        var refused = await user.PostAsJsonAsync(ApiRoutes.Vm("a1") + "/fork", new VmForkRequest("a2"));
        refused.StatusCode.Should().NotBe(HttpStatusCode.Created); // 3 + 3 cores > quota of 4
        (await user.GetAsync(ApiRoutes.Vm("a2"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DiskCommands_OtherUsersVm_NotFound_AndGcIsAdminOnly()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var admin = await server.LoginAsync();
        await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("secret"));
        await admin.WaitForStateAsync("secret", "Running");
        var bob = await server.NewUserAsync("bob");

        (await bob.PostAsJsonAsync(ApiRoutes.Vm("admin/secret") + "/snapshots", new SnapshotRequest("x"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.GetAsync(ApiRoutes.Vm("admin/secret") + "/snapshots")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.PostAsJsonAsync(ApiRoutes.Vm("admin/secret") + "/fork", new VmForkRequest("mine"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.PostAsync(ApiRoutes.Base + "/disks/gc?dryRun=true", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var bobTree = await (await bob.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        bobTree.Disks.Should().BeEmpty();

        var gc = await (await admin.PostAsync(ApiRoutes.Base + "/disks/gc?dryRun=true", null)).ReadAsync<GcReportDto>();
        gc.DryRun.Should().BeTrue();
        gc.Collected.Should().Be(0);
    }

    [Fact]
    public async Task Snapshot_BadName_ProblemNamesTheField()
    {
        await using var server = await TestServerApp.StartAsync(Simulated);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("v1"));
        await http.WaitForStateAsync("v1", "Running");

        var bad = await http.PostAsJsonAsync(ApiRoutes.Vm("v1") + "/snapshots", new SnapshotRequest("no spaces/allowed"));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ProblemAsync()).GetProperty("field").GetString().Should().Be("name");
    }

    [Fact]
    public async Task DeleteVm_ReleasesItsDisks_GcCollectsThemAfterTheGracePeriod()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(
            """, "Storage": { "Backend": "simulated", "GracePeriod": "00:00:00" }"""));
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("tmp"));
        await http.WaitForStateAsync("tmp", "Running");
        await http.PostAsJsonAsync(ApiRoutes.Vm("tmp") + "/snapshots", new SnapshotRequest("s"));
        var disks = (await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>()).DiskCount;
        disks.Should().Be(5); // 3 configured images, the snapshot, the active disk

        await http.DeleteAsync(ApiRoutes.Vm("tmp"));
        await http.WaitUntilGoneAsync("tmp");
        var dry = await (await http.PostAsync(ApiRoutes.Base + "/disks/gc?dryRun=true", null)).ReadAsync<GcReportDto>();
        dry.Collected.Should().Be(2);
        var real = await (await http.PostAsync(ApiRoutes.Base + "/disks/gc", null)).ReadAsync<GcReportDto>();
        real.Collected.Should().Be(2);
        (await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>()).DiskCount.Should().Be(3); // the images
    }
}

public class ImageEndpointTests
{
    [Fact]
    public async Task ImportCreateDelete_QemuImg_RefusedWhileUsedThenDeleted()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Storage": { "Backend": "qemu-img" }"""));
        var http = await server.LoginAsync();
        var import = Path.Combine(server.DataDirectory, "import");
        Directory.CreateDirectory(import);
        var raw = Path.Combine(import, "tiny.raw");
        await File.WriteAllBytesAsync(raw, new byte[4 << 20]); // 4 MiB raw

        var imported = await http.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("tiny", raw, "raw"));
        imported.StatusCode.Should().Be(HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        (await imported.ReadAsync<ImageDto>()).SizeBytes.Should().Be(4L << 20);
        var list = await (await http.GetAsync(ApiRoutes.Images)).ReadAsync<List<ImageDto>>();
        list.Select(i => i.Name).Should().Contain("tiny");

        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("t1", image: "tiny"));
        await http.WaitForStateAsync("t1", "Running");
        var refused = await http.DeleteAsync(ApiRoutes.Images + "/tiny");
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("t1");

        await http.DeleteAsync(ApiRoutes.Vm("t1"));
        await http.WaitUntilGoneAsync("t1");
        (await http.DeleteAsync(ApiRoutes.Images + "/tiny")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await (await http.GetAsync(ApiRoutes.Images)).ReadAsync<List<ImageDto>>()).Select(i => i.Name).Should().NotContain("tiny");
    }

    [Fact]
    public async Task Import_OutsideTheImportFolders_ForbiddenNamingTheFile()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }"""));
        var http = await server.LoginAsync();
        var r = await http.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("etc", "/etc/passwd", "raw"));
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be("file");

        var user = await server.NewUserAsync("eve");
        (await user.PostAsJsonAsync(ApiRoutes.Images + "/import", new ImageImportRequest("x", "/tmp/x"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}

public class DiskGcReconcileTests
{
    [Fact]
    public async Task Gc_ForkDeletedBeforePlacement_ReleasesItsDiskThenCollectsIt()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(
            """, "Storage": { "Backend": "simulated", "GracePeriod": "00:00:00" }"""));
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("src"));
        await http.WaitForStateAsync("src", "Running");
        foreach (var h in new[] { "h-01", "h-02", "h-03" })
            (await http.PostAsJsonAsync(ApiRoutes.HostMaintenance(h), new MaintenanceRequest(true))).EnsureSuccessStatusCode();

        (await http.PostAsJsonAsync(ApiRoutes.Vm("src") + "/fork", new VmForkRequest("stuck"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await (await http.GetAsync(ApiRoutes.Vm("stuck"))).ReadAsync<VmDto>()).State.Should().Be("Pending");
        await http.DeleteAsync(ApiRoutes.Vm("stuck"));
        await http.WaitUntilGoneAsync("stuck"); // never placed: the driver never saw it, so nothing released its disk

        var dry = await (await http.PostAsync(ApiRoutes.Base + "/disks/gc?dryRun=true", null)).ReadAsync<GcReportDto>();
        dry.ReleasedVmDisks.Should().Be(1);
        var gc = await (await http.PostAsync(ApiRoutes.Base + "/disks/gc", null)).ReadAsync<GcReportDto>();
        gc.ReleasedVmDisks.Should().Be(1);
        gc.Collected.Should().Be(1); // the fork's disk; the fork point stays under src's disk
        var tree = await (await http.GetAsync(ApiRoutes.Base + "/disks/tree")).ReadAsync<DiskTreeDto>();
        tree.Disks.Where(d => d.Role == "active").Should().ContainSingle(); // src's
    }
}
