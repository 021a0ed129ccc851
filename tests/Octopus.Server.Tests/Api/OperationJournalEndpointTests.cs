using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary><c>GET /api/v1/operations</c>: the journal as users see it — their VMs' operations (whoever started them) and
/// their own, never another user's; admins see all; filters and paging; one operation with its steps.</summary>
public sealed class OperationJournalEndpointTests : IAsyncLifetime
{
    private TestServerApp server = null!;
    private HttpClient admin = null!;

    public async ValueTask InitializeAsync()
    {
        server = await TestServerApp.StartAsync();
        admin = await server.LoginAsync();
    }

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    private static async Task<Page<OperationDto>> ListAsync(HttpClient http, string query = "")
    {
        var r = await http.GetAsync(ApiRoutes.Operations + query);
        r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        return await r.ReadAsync<Page<OperationDto>>();
    }

    [Fact]
    public async Task Users_SeeTheirVmsOperations_AdminsSeeAll()
    {
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("a1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("b1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("a1", "Running");
        await bob.WaitForStateAsync("b1", "Running");

        var mine = (await ListAsync(alice)).Items;
        mine.Should().NotBeEmpty().And.OnlyContain(o => o.Vm == "a1");
        var create = mine.Single(o => o.Kind == "create-vm");
        create.Status.Should().Be("Succeeded");
        create.Host.Should().NotBeNull("a create runs on the host placement chose");
        create.CompletedAt.Should().NotBeNull();

        (await ListAsync(admin)).Items.Select(o => o.Vm).Should().Contain(["a1", "b1"]);
        (await ListAsync(admin, "?mine=true")).Items.Should().NotContain(o => o.Vm == "a1" || o.Vm == "b1");

        var other = await bob.GetAsync(ApiRoutes.Operation(create.Id));
        other.StatusCode.Should().Be(HttpStatusCode.NotFound, "another user's operation does not exist for bob");
        var own = await (await alice.GetAsync(ApiRoutes.Operation(create.Id))).ReadAsync<OperationDto>();
        own.Should().BeEquivalentTo(create);
    }

    [Fact]
    public async Task Filters_ByVmStatusAndKind_AndPages()
    {
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("f1", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("f1", "Running");
        (await admin.PostAsync(ApiRoutes.VmAction("f1", "stop"), null)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("f1", "Stopped");
        (await admin.PostAsync(ApiRoutes.VmAction("f1", "start"), null)).EnsureSuccessStatusCode();
        await admin.WaitForStateAsync("f1", "Running");

        var onVm = (await ListAsync(admin, "?vm=f1")).Items;
        onVm.Select(o => o.Kind).Should().Equal("start-vm", "stop-vm", "create-vm"); // newest first
        (await ListAsync(admin, "?vm=f1&kind=stop-vm")).Items.Should().ContainSingle();
        (await ListAsync(admin, "?vm=f1&status=finished")).Items.Should().HaveCount(3);
        (await ListAsync(admin, "?vm=f1&status=open")).Items.Should().BeEmpty();

        var first = await ListAsync(admin, "?vm=f1&limit=2");
        first.Items.Should().HaveCount(2);
        first.NextCursor.Should().NotBeNull();
        var second = await ListAsync(admin, $"?vm=f1&limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        second.Items.Select(o => o.Kind).Should().Equal("create-vm");
        second.NextCursor.Should().BeNull();
    }

    [Theory]
    [InlineData("?status=done", "status", "not an operation status")]
    [InlineData("?kind=explode-vm", "kind", "not an operation kind")]
    [InlineData("?limit=0", "limit", "between 1")]
    [InlineData("?cursor=zzz", "cursor", "not one this server gave out")]
    public async Task BadFilters_Are400SayingWhatToUse(string query, string field, string says)
    {
        var r = await admin.GetAsync(ApiRoutes.Operations + query);
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await r.ProblemAsync();
        problem.GetProperty("field").GetString().Should().Be(field);
        problem.GetProperty("detail").GetString().Should().Contain(says);
    }

    [Fact]
    public async Task UnknownOrMalformedId_Is404Or400()
    {
        (await admin.GetAsync(ApiRoutes.Operation(Guid.NewGuid().ToString()))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var bad = await admin.GetAsync(ApiRoutes.Operation("not-an-id"));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("octopus operation list");
    }

    [Fact]
    public async Task PowerOperation_ShowsItsSteps()
    {
        var hosts = await (await admin.GetAsync(ApiRoutes.Hosts)).ReadAsync<List<HostDto>>();
        var empty = hosts.First(h => h.VmCount == 0 && h.PowerState == "On");
        (await admin.PostAsync(ApiRoutes.HostPowerOff(empty.Name), null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        OperationDto? op = null;
        for (var i = 0; i < 200 && op?.Status is not ("Succeeded" or "Failed"); i++)
        {
            var items = (await ListAsync(admin, "?kind=power-off-host")).Items;
            op = items.Count > 0 ? items[0] : null;
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        op!.Host.Should().Be(empty.Name);
        op.Vm.Should().BeNull();
        op.Status.Should().Be("Succeeded", op.Error);
    }
}
