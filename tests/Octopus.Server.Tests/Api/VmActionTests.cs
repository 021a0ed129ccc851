using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary><c>POST /api/v1/vm-actions</c>: one action over many VMs, each authorised and audited like a single call.</summary>
public class VmActionTests
{
    [Fact]
    public async Task Bulk_StopByName_OtherUsersVmIsNotFound_AndEachVmIsAudited()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("a1", "Running");
        await bob.WaitForStateAsync("b1", "Running");

        var r = await alice.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("stop", ["a1", "b1", "nope"]));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await r.ReadAsync<VmBulkActionResponse>();
        body.Succeeded.Should().Be(1);
        body.Failed.Should().Be(2);
        body.Results.Select(x => (x.Vm, x.Ok, x.Status)).Should().Equal(("a1", true, 202), ("b1", false, 404), ("nope", false, 404));
        body.Results[0].Result!.State.Should().BeOneOf("Stopping", "Stopped");
        body.Results[1].Message.Should().Be("VM 'b1' was not found."); // exactly what GET /vms/b1 says to alice
        await bob.WaitForStateAsync("b1", "Running");

        var audit = await (await alice.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(e => e.Action == "vm.stop" && e.Target == "vm/a1" && e.Succeeded);
        audit.Items.Should().Contain(e => e.Action == "vm.stop" && e.Target == "vm/b1" && !e.Succeeded);
        audit.Items.Should().Contain(e => e.Action == "vm.bulk-stop" && e.Result == "1 of 3 VMs accepted");
    }

    /// <summary>Counts the saves made while answering <c>POST /vm-actions</c> (told apart from the control loop's by the
    /// HTTP context they run in).</summary>
    private sealed class BulkRequestSaves(IHttpContextAccessor http) : SaveChangesInterceptor
    {
        public int Saves;

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (http.HttpContext?.Request is { Method: "POST" } r && r.Path == ApiRoutes.VmActions) Interlocked.Increment(ref Saves);
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task Bulk_StopOfManyVms_OneSaveForTheVmsAndOneForTheSummary_EachVmStillDecidedAndAudited()
    {
        BulkRequestSaves? saves = null;
        await using var server = await TestServerApp.StartAsync(customize: b =>
        {
            b.Services.AddHttpContextAccessor();
            b.Services.ConfigureDbContext<OctopusDbContext>((sp, o) =>
                o.AddInterceptors(saves ??= new BulkRequestSaves(sp.GetRequiredService<IHttpContextAccessor>())));
        });
        var admin = await server.LoginAsync();
        var bob = await server.NewUserAsync("bob");
        var names = Enumerable.Range(1, 10).Select(i => $"w{i}").ToList();
        foreach (var n in names) (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        foreach (var n in names) await admin.WaitForStateAsync(n, "Running");
        await bob.WaitForStateAsync("b1", "Running");
        (await admin.PostAsync(ApiRoutes.VmAction("w10", "stop"), null)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("w10", "Stopped");
        saves!.Saves = 0;

        // bob asks for his VM, nine of admin's (not his: "not found", as alone), a name nobody has, and an empty one.
        var r = await bob.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("stop", ["w1", "b1", "", "nope", .. names.Skip(1).Take(3)]));
        var asAdmin = await admin.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("stop", names));

        r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await r.ReadAsync<VmBulkActionResponse>()).Results.Select(x => (x.Vm, x.Ok, x.Status))
            .Should().Equal(("w1", false, 404), ("b1", true, 202), ("", false, 400), ("nope", false, 404), ("w2", false, 404), ("w3", false, 404), ("w4", false, 404));
        var body = await asAdmin.ReadAsync<VmBulkActionResponse>();
        body.Succeeded.Should().Be(10, "w10 was already stopped: accepted, nothing to do, as alone");
        body.Results.Select(x => x.Vm).Should().Equal(names);
        // Before: one save per VM (17 here) plus the summaries; now one per request's chunk of VMs and one per summary.
        saves.Saves.Should().Be(4);
        await bob.WaitForStateAsync("b1", "Stopped");
        foreach (var n in names) await admin.WaitForStateAsync(n, "Stopped");
        var audit = await (await admin.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Count(e => e.Action == "vm.stop" && e.Actor == "admin" && e.Succeeded).Should().Be(11, "one entry per VM (and w10's own stop before)");
        audit.Items.Count(e => e.Action == "vm.stop" && e.Actor == "bob" && !e.Succeeded).Should().Be(5, "each refusal audited (the empty name is refused before any VM)");
        audit.Items.Should().Contain(e => e.Action == "vm.stop" && e.Actor == "bob" && e.Target == "vm/b1" && e.Succeeded);
    }

    /// <summary>Plays a concurrent writer: just before the bulk request's first save that would change
    /// <paramref name="vm"/>'s row, raises that row's version behind the request's back, so the chunk's save loses the
    /// race on it (as when another request or the runner changed the VM in between).</summary>
    private sealed class RaceOneVm(IHttpContextAccessor http, string vm) : SaveChangesInterceptor
    {
        public volatile bool Armed;
        public int Raced;
        public int Saves;

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (Armed && Raced == 0 && InBulkRequest() && eventData.Context!.ChangeTracker.Entries<Octopus.Domain.Vms.Vm>()
                    .Any(e => e.State == EntityState.Modified && e.Entity.Name.Value == vm))
            {
                Raced++;
                await eventData.Context.Database.ExecuteSqlRawAsync("""UPDATE "Vms" SET "Version" = "Version" + 1 WHERE "Name" = {0}""",
                    [vm], cancellationToken);
            }
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            if (InBulkRequest()) Interlocked.Increment(ref Saves);
            return ValueTask.FromResult(result);
        }

        private bool InBulkRequest() => http.HttpContext?.Request is { Method: "POST" } r && r.Path == ApiRoutes.VmActions;
    }

    [Fact]
    public async Task Bulk_StartWhoseChunkLosesARace_RunsEachVmAlone_EachDecidedOnceAndAuditedOnce()
    {
        RaceOneVm? race = null;
        await using var server = await TestServerApp.StartAsync(customize: b =>
        {
            b.Services.AddHttpContextAccessor();
            b.Services.ConfigureDbContext<OctopusDbContext>((sp, o) =>
                o.AddInterceptors(race ??= new RaceOneVm(sp.GetRequiredService<IHttpContextAccessor>(), "w3")));
        });
        var admin = await server.LoginAsync();
        var names = Enumerable.Range(1, 5).Select(i => $"w{i}").ToList();
        foreach (var n in names) (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        foreach (var n in names) await admin.WaitForStateAsync(n, "Running");
        // w5 suspended (a start resumes it, as alone), the others stopped.
        (await admin.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("suspend", ["w5"]))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("stop", names.Take(4).ToList()))).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("w5", "Suspended");
        foreach (var n in names.Take(4)) await admin.WaitForStateAsync(n, "Stopped");
        race!.Raced.Should().Be(0);
        (race.Armed, race.Saves) = (true, 0);

        var r = await admin.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("start", names));

        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await r.ReadAsync<VmBulkActionResponse>();
        body.Results.Select(x => (x.Vm, x.Ok, x.Status)).Should().Equal(names.Select(n => (n, true, 202)));
        race.Raced.Should().Be(1, "w3's row changed under the chunk once");
        // The chunk's save failed (not counted); each of the five VMs then saved alone, and the summary once.
        race.Saves.Should().Be(6);
        foreach (var n in names) await admin.WaitForStateAsync(n, "Running");
        var audit = await (await admin.GetAsync(ApiRoutes.Audit + "?limit=200")).ReadAsync<Page<AuditEntryDto>>();
        foreach (var n in names.Take(4))
            audit.Items.Count(e => e.Action == "vm.start" && e.Target == $"vm/{n}").Should().Be(1, $"{n} was decided once");
        // Alone, a start of a suspended VM is its resume, and it is audited as one.
        audit.Items.Count(e => e.Action is "vm.start" or "vm.resume" && e.Target == "vm/w5").Should().Be(1, "w5 was decided once");
        audit.Items.Should().Contain(e => e.Action == "vm.bulk-start" && e.Result == "5 of 5 VMs accepted");
        var ops = await (await admin.GetAsync(ApiRoutes.Operations + "?limit=200")).ReadAsync<Page<OperationDto>>();
        foreach (var n in names.Take(4))
            ops.Items.Count(o => o.Kind == "start-vm" && o.Vm == n).Should().Be(1, $"{n} got one start operation");
        ops.Items.Count(o => o.Kind == "resume-vm" && o.Vm == "w5").Should().Be(1, "w5 got one resume operation");
    }

    [Fact]
    public async Task Bulk_StopBySelector_PicksOnlyTheCallersMatchingVms()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5) with { Tags = ["lab"] })).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a2", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b1", cores: 1, memoryGiB: 1, diskGiB: 5) with { Tags = ["lab"] })).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("a1", "Running");

        var body = await (await alice.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("stop", Selector: new VmSelector(Tag: "lab"))))
            .ReadAsync<VmBulkActionResponse>();
        body.Results.Should().ContainSingle().Which.Result!.Name.Should().Be("a1");
    }

    [Fact]
    public async Task Bulk_SuspendThenResume_WrongStateVmGetsItsOwnConflict()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        foreach (var n in new[] { "a1", "a2", "a3" })
            (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        foreach (var n in new[] { "a1", "a2", "a3" }) await alice.WaitForStateAsync(n, "Running");
        (await alice.PostAsync(ApiRoutes.Vm("a3") + "/stop", null)).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("a3", "Stopped");

        // a3 is Stopped: refused on its own with the single call's conflict, the other two accepted, the answer a 200
        var r = await alice.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("suspend", ["a1", "a2", "a3"]));
        r.StatusCode.Should().Be(HttpStatusCode.OK);
        var suspended = await r.ReadAsync<VmBulkActionResponse>();
        suspended.Results.Select(x => (x.Vm, x.Ok, x.Status)).Should().Equal(("a1", true, 202), ("a2", true, 202), ("a3", false, 409));
        suspended.Results[2].Code.Should().Be("vm.illegal-transition");
        suspended.Results[2].Message.Should().Be("Cannot suspend VM 'a3': it is Stopped. Allowed when Running.");
        await alice.WaitForStateAsync("a1", "Suspended");
        await alice.WaitForStateAsync("a2", "Suspended");

        var resumed = await (await alice.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("RESUME", ["a1", "a2", "a3"])))
            .ReadAsync<VmBulkActionResponse>();
        resumed.Action.Should().Be("resume");
        resumed.Results.Select(x => (x.Vm, x.Ok, x.Status)).Should().Equal(("a1", true, 202), ("a2", true, 202), ("a3", false, 409));
        resumed.Results[2].Message.Should().Be("Cannot resume VM 'a3': it is Stopped. Allowed when Suspended.");
        await alice.WaitForStateAsync("a1", "Running");
        await alice.WaitForStateAsync("a2", "Running");

        var audit = await (await alice.GetAsync(ApiRoutes.Audit + "?limit=200")).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(e => e.Action == "vm.suspend" && e.Target == "vm/a1" && e.Succeeded);
        audit.Items.Should().Contain(e => e.Action == "vm.bulk-suspend" && e.Result == "2 of 3 VMs accepted");
        audit.Items.Should().Contain(e => e.Action == "vm.bulk-resume" && e.Result == "2 of 3 VMs accepted");
    }

    [Theory]
    [InlineData("""{"action":"explode","vms":["a"]}""", "action")]
    [InlineData("""{"action":"stop"}""", "vms")]
    [InlineData("""{"action":"stop","vms":["a"],"selector":{"tag":"x"}}""", "selector")]
    [InlineData("""{"action":"stop","selector":{"state":"Dancing"}}""", "selector.state")]
    public async Task Bulk_BadRequest_Is400WithField(string json, string field)
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var r = await admin.PostAsync(ApiRoutes.VmActions, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await r.ProblemAsync()).GetProperty("field").GetString().Should().Be(field);
    }

    [Fact]
    public async Task Audit_NamesVmsAndHostsAddressedById()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        var a1 = await alice.WaitForStateAsync("a1", "Running");

        // the web UI addresses VMs and hosts by id; the audit names them: the actor's own VM as vm/NAME, someone else's as
        // vm/OWNER/NAME (an address the API takes), a host as host/NAME; an unknown id stays as it was given
        (await alice.PostAsync(ApiRoutes.Vm(a1.Id) + "/stop", null)).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("a1", "Stopped");
        (await admin.PostAsync(ApiRoutes.Vm(a1.Id) + "/start", null)).EnsureSuccessStatusCode();
        var host = (await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>())[0];
        (await admin.PostAsJsonAsync(ApiRoutes.HostMaintenance(host.Id), new MaintenanceRequest(true))).EnsureSuccessStatusCode();
        var unknown = Guid.NewGuid().ToString();
        (await alice.PostAsync(ApiRoutes.Vm(unknown) + "/stop", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var audit = (await (await admin.GetAsync(ApiRoutes.Audit + "?limit=200")).ReadAsync<Page<AuditEntryDto>>()).Items;
        audit.Should().Contain(e => e.Action == "vm.stop" && e.Actor == "alice" && e.Target == "vm/a1" && e.Succeeded);
        audit.Should().Contain(e => e.Action == "vm.start" && e.Actor == "admin" && e.Target == "vm/alice/a1" && e.Succeeded);
        audit.Should().Contain(e => e.Action == "host.maintenance" && e.Target == $"host/{host.Name}" && e.Succeeded);
        audit.Should().Contain(e => e.Action == "vm.stop" && e.Target == $"vm/{unknown}" && !e.Succeeded);
        (await admin.GetAsync(ApiRoutes.Vm("alice/a1"))).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
