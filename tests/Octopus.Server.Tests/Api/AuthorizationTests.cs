using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

public class AuthorizationTests
{
    [Fact]
    public async Task Token_WrongPassword_Is401Problem()
    {
        await using var server = await TestServerApp.StartAsync();
        var r = await server.Anonymous().PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("admin", "wrong-password"));
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Be("Wrong user name or password.");
        var unknown = await server.Anonymous().PostAsJsonAsync(ApiRoutes.Token, new TokenRequest("nobody", "whatever-pw"));
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Api_WithoutOrWithBadToken_Is401Problem()
    {
        await using var server = await TestServerApp.StartAsync();
        var anon = server.Anonymous();
        var r = await anon.GetAsync(ApiRoutes.Vms);
        r.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await r.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("Bearer");

        anon.DefaultRequestHeaders.Authorization = new("Bearer", "oct_forged");
        var forged = await anon.GetAsync(ApiRoutes.Vms);
        forged.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await forged.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("unknown or expired");
    }

    [Fact]
    public async Task Health_NeedsNoToken()
    {
        await using var server = await TestServerApp.StartAsync();
        var h = await (await server.Anonymous().GetAsync(ApiRoutes.Health)).ReadAsync<HealthDto>();
        h.Status.Should().Be("ok");
        h.Hosts.Should().Be(3);
        h.Driver.Should().Be("simulated");
    }

    [Fact]
    public async Task User_SeesOnlyOwnVms_OthersAre404_AdminSeesAll()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        var admin = await server.LoginAsync();

        var aliceVm = await (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1))).ReadAsync<VmDto>();
        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web1", cores: 1))).StatusCode.Should().Be(HttpStatusCode.Created);

        var bobsView = await (await bob.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        bobsView.Items.Should().ContainSingle().Which.Owner.Should().Be("bob");

        // by id, by owner/name: alice's VM does not exist for bob
        (await bob.GetAsync(ApiRoutes.Vm(aliceVm.Id))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.GetAsync(ApiRoutes.Vm("alice/web1"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.PostAsync(ApiRoutes.VmAction(aliceVm.Id, "stop"), null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.DeleteAsync(ApiRoutes.Vm(aliceVm.Id))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.GetAsync(ApiRoutes.VmPlacement(aliceVm.Id))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var all = await (await admin.GetAsync(ApiRoutes.Vms)).ReadAsync<Page<VmDto>>();
        all.Items.Select(v => v.Owner).Should().BeEquivalentTo(["alice", "bob"]);
        (await admin.GetAsync(ApiRoutes.Vm("web1"))).StatusCode.Should().Be(HttpStatusCode.Conflict); // ambiguous for admin
        (await admin.GetAsync(ApiRoutes.Vm("alice/web1"))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await admin.GetAsync(ApiRoutes.Vms + "?owner=bob")).ReadAsync<Page<VmDto>>()).Items.Should().ContainSingle();
    }

    [Fact]
    public async Task AdminOnlyCalls_AreForbiddenForUsers()
    {
        await using var server = await TestServerApp.StartAsync();
        var carol = await server.NewUserAsync("carol");
        (await carol.GetAsync(ApiRoutes.Users)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await carol.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("mallory", "password123"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await carol.PostAsJsonAsync(ApiRoutes.HostMaintenance("h-1"), new MaintenanceRequest(true))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await carol.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("v", cores: 1) with { Owner = "admin" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Quota_Exceeded_Is403WithQuotaUsageAndAsk()
    {
        await using var server = await TestServerApp.StartAsync();
        var dave = await server.NewUserAsync("dave", new QuotaDto(MaxCores: 4));
        (await dave.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("one", cores: 3))).StatusCode.Should().Be(HttpStatusCode.Created);
        var r = await dave.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("two", cores: 2));
        r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var p = await r.ProblemAsync();
        p.GetProperty("code").GetString().Should().Be("quota.exceeded");
        p.GetProperty("detail").GetString().Should().StartWith("Quota exceeded for cores: the quota is 4, 3 in use, 2 asked for.");
        var me = await (await dave.GetAsync(ApiRoutes.Me)).ReadAsync<MeDto>();
        me.Usage.Cores.Should().Be(3);
    }

    [Fact]
    public async Task Users_CreateAndList_WithValidation()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("erin", "short"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("Erin!", "long-enough"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("erin", "long-enough", "root"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("erin", "long-enough"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await admin.PostAsJsonAsync(ApiRoutes.Users, new UserCreateRequest("erin", "long-enough"))).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var users = await (await admin.GetAsync(ApiRoutes.Users)).ReadAsync<Page<UserDto>>();
        users.Items.Select(u => u.Username).Should().Equal("admin", "erin");
        users.Items[1].Quota.MaxCores.Should().Be(8); // the configured default quota
    }
}
