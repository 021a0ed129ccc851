using System.Collections.Concurrent;
using System.Data.Common;
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

public class VmLifecycleTests
{
    /// <summary>The store the tests run on: null for the default (SQLite, or <c>OCTOPUS_TEST_STORE</c>);
    /// <see cref="VmLifecycleTestsOnPostgres"/> runs them all on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public VmLifecycleTests() : this(null) { }

    protected VmLifecycleTests(TestStoreKind? store)
    {
        Store = store;
    }

    [Fact]
    public async Task Create_ThenStopStartRebootDelete_FollowsTheStateMachine()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.LoginAsync();

        var created = await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var vm = await created.ReadAsync<VmDto>();
        vm.Name.Should().Be("web1");
        vm.Owner.Should().Be("admin");
        vm.Cores.Should().Be(2);
        vm.MemoryBytes.Should().Be(4L << 30);
        vm.DiskBytes.Should().Be(20L << 30);
        vm.Image.Should().Be("debian-12");
        created.Headers.Location!.ToString().Should().Be($"/api/v1/vms/{vm.Id}");

        var running = await http.WaitForStateAsync("web1", "Running");
        running.Host.Should().StartWith("h-");
        running.StartedAt.Should().NotBeNull();

        var stop = await http.PostAsync(ApiRoutes.VmAction("web1", "stop"), null);
        stop.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await http.WaitForStateAsync("web1", "Stopped");

        (await http.PostAsync(ApiRoutes.VmAction(vm.Id, "start"), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await http.WaitForStateAsync(vm.Id, "Running");

        (await http.PostAsync(ApiRoutes.VmAction("web1", "reboot"), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await http.WaitForStateAsync("web1", "Running");

        var delete = await http.DeleteAsync(ApiRoutes.Vm("web1"));
        delete.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await delete.ReadAsync<VmDto>()).State.Should().Be("Deleting");
        await http.WaitUntilGoneAsync("web1");
    }

    /// <summary>The tables each SELECT run while answering a <c>POST /vms</c> reads from (the request is told apart from
    /// the control loop's queries by the HTTP context the command runs in).</summary>
    private sealed class CreateRequestReads(IHttpContextAccessor http) : DbCommandInterceptor
    {
        public ConcurrentBag<string> Selects { get; } = [];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (http.HttpContext?.Request is { Method: "POST" } r && r.Path == ApiRoutes.Vms) Selects.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    [Fact]
    public async Task Create_AnswerBuiltFromTheRowsTheCreateWrote_SameAsReadingTheVmBack()
    {
        CreateRequestReads? reads = null;
        await using var server = await TestServerApp.StartAsync(store: Store, customize: b =>
        {
            b.Services.AddHttpContextAccessor();
            b.Services.ConfigureDbContext<OctopusDbContext>((sp, o) =>
                o.AddInterceptors(reads ??= new CreateRequestReads(sp.GetRequiredService<IHttpContextAccessor>())));
        });
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Networks, new NetworkCreateRequest("lab", "br-lab", "10.77.0.0/24", "10.77.0.1", "10.77.0.10-10.77.0.250", "lab.octopus", null, null)))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        (await http.PatchAsJsonAsync($"{ApiRoutes.Images}/debian-12", new ImageUpdateRequest(true))).StatusCode.Should().Be(HttpStatusCode.OK);
        var key = TestSshKeys.Ed25519("me@laptop");
        reads!.Selects.Clear();

        var created = await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1, memoryGiB: 1, diskGiB: 5)
            with { Networks = ["lab"], SshKeys = [key], UserData = "#cloud-config\n" });

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var answer = await created.ReadAsync<VmDto>();
        // Before, the answer read the VM's owner, NICs and networks, SSH keys, user-data and load back: five queries more.
        foreach (var table in new[] { "VmSshKeys", "VmUserData", "VmLoads" })
            reads.Selects.Should().NotContain(sql => sql.Contains($"FROM \"{table}", StringComparison.Ordinal), $"the create wrote {table}'s rows itself");
        var read = await http.GetFromJsonAsync<VmDto>(ApiRoutes.Vm(answer.Id), TestServerApp.Json);
        answer.Owner.Should().Be("admin").And.Be(read!.Owner);
        answer.Nics.Should().ContainSingle().And.BeEquivalentTo(read.Nics);
        answer.Nics[0].Network.Should().Be("lab");
        answer.SshKeys.Should().ContainSingle().And.BeEquivalentTo(read.SshKeys);
        answer.SshKeys[0].Should().EndWith(" me@laptop");
        answer.UserDataBytes.Should().Be(14).And.Be(read.UserDataBytes);
        answer.Host.Should().BeNull();
        answer.CpuLoad.Should().Be(0);
    }

    [Fact]
    public async Task Reboot_StoppedVm_Is409WithTheStateAndWhatIsAllowed()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db"));
        await http.WaitForStateAsync("db", "Running");
        await http.PostAsync(ApiRoutes.VmAction("db", "stop"), null);
        await http.WaitForStateAsync("db", "Stopped");

        var r = await http.PostAsync(ApiRoutes.VmAction("db", "reboot"), null);
        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var p = await r.ProblemAsync();
        p.GetProperty("detail").GetString().Should().Be("Cannot reboot VM 'db': it is Stopped. Allowed when Running.");
        p.GetProperty("code").GetString().Should().Be("vm.illegal-transition");
    }

    [Fact]
    public async Task List_Placement_AndAudit_ShowWhatHappened()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.LoginAsync();
        await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 4));
        await http.WaitForStateAsync("a1", "Running");

        var page = await (await http.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        page.Items.Select(v => v.Name).Should().Equal("a1");
        page.NextCursor.Should().BeNull();

        var placement = await (await http.GetAsync(ApiRoutes.VmPlacement("a1"))).ReadAsync<PlacementDto>();
        placement.ChosenHost.Should().StartWith("h-");
        placement.Hosts.Should().HaveCount(3);
        placement.Hosts.Should().OnlyContain(h => h.Feasible);
        placement.Summary.Should().Contain(placement.ChosenHost!);

        var audit = await (await http.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "vm.create" && a.Target == "vm/a1" && a.Succeeded && a.Actor == "admin");
    }

    [Fact]
    public async Task List_PagesWithCursor()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.LoginAsync();
        foreach (var n in new[] { "p1", "p2", "p3" })
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 1, diskGiB: 1))).EnsureSuccessStatusCode();

        var first = await (await http.GetAsync(ApiRoutes.Vms + "?limit=2")).ReadAsync<Page<VmDto>>();
        first.Items.Should().HaveCount(2);
        first.NextCursor.Should().NotBeNull();
        var second = await (await http.GetAsync(ApiRoutes.Vms + "?limit=2&cursor=" + Uri.EscapeDataString(first.NextCursor!))).ReadAsync<Page<VmDto>>();
        second.Items.Should().HaveCount(1);
        second.NextCursor.Should().BeNull();
        first.Items.Concat(second.Items).Select(v => v.Name).Should().BeEquivalentTo(["p1", "p2", "p3"]);
    }

    [Fact]
    public async Task Create_WhenNothingFitsNow_StaysPendingWithReason_ThenPlacedWhenCapacityAppears()
    {
        await using var server = await TestServerApp.StartAsync(store: Store);
        var http = await server.LoginAsync();
        // 3 hosts x 16 GiB: three 12 GiB VMs fill one host each, a fourth cannot fit anywhere now.
        foreach (var n in new[] { "big1", "big2", "big3" })
        {
            (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
            await http.WaitForStateAsync(n, "Running");
        }
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("late", cores: 1, memoryGiB: 12, diskGiB: 10))).EnsureSuccessStatusCode();
        await Task.Delay(300);
        var late = await (await http.GetAsync(ApiRoutes.Vm("late"))).ReadAsync<VmDto>();
        late.State.Should().Be("Pending");
        late.StatusReason.Should().Contain("memory");

        var explain = await (await http.GetAsync(ApiRoutes.VmPlacement("late"))).ReadAsync<PlacementDto>();
        explain.ChosenHost.Should().BeNull();
        explain.Hosts.Should().OnlyContain(h => !h.Feasible && h.Rejections.Any(r => r.Plugin.Contains("Memory")));

        await http.DeleteAsync(ApiRoutes.Vm("big2"));
        var placed = await http.WaitForStateAsync("late", "Running");
        placed.Host.Should().NotBeNull();
    }
}

/// <summary>Create, list, act on and delete VMs with the store on PostgreSQL.</summary>
public sealed class VmLifecycleTestsOnPostgres() : VmLifecycleTests(TestStoreKind.Postgres);
