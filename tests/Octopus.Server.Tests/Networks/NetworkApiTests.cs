using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Networks;

public class NetworkApiTests
{
    private static NetworkCreateRequest Lab(string name = "lab", string subnet = "10.77.0.0/24", string gateway = "10.77.0.1",
        string range = "10.77.0.10-10.77.0.250", string bridge = "br-lab", int? vlan = null, IReadOnlyList<string>? users = null) =>
        new(name, bridge, subnet, gateway, range, "lab.octopus", vlan, users);

    private static VmCreateRequest VmOn(string name, params string[] networks) => ApiExtensions.Vm(name, cores: 1, memoryGiB: 1, diskGiB: 5) with { Networks = networks };

    [Fact]
    public async Task Create_ListShowDelete_ReportsFreeAndUsedAddresses()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();

        var created = await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab(vlan: 42));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.Location!.ToString().Should().Be("/api/v1/networks/lab");
        var dto = await created.ReadAsync<NetworkDto>();
        dto.Should().BeEquivalentTo(new
        {
            Name = "lab", Bridge = "br-lab", Vlan = (int?)42, Subnet = "10.77.0.0/24", Gateway = "10.77.0.1", Range = "10.77.0.10-10.77.0.250",
            Domain = "lab.octopus", Size = 241L, Used = 0L, Free = 241L, // 250 - 10 + 1
        });

        var list = await admin.GetFromJsonAsync<List<NetworkDto>>(ApiRoutes.Networks, TestServerApp.Json);
        list!.Select(n => n.Name).Should().Equal("lab");
        (await admin.GetFromJsonAsync<NetworkDto>(ApiRoutes.Network(dto.Id), TestServerApp.Json))!.Name.Should().Be("lab");

        (await admin.DeleteAsync(ApiRoutes.Network("lab"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync(ApiRoutes.Network("lab"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var audit = await admin.GetStringAsync(ApiRoutes.Audit + "?action=network.");
        audit.Should().Contain("network.create").And.Contain("network.delete");
    }

    [Theory]
    [InlineData("10.77.0.128/25", "10.77.0.129", "10.77.0.130-10.77.0.140", "subnet", "overlaps network 'lab' (10.77.0.0/24)")]
    [InlineData("10.88.0.0/24", "10.88.0.1", "10.88.0.10-10.88.1.10", "range", "not inside 10.88.0.0/24")]
    [InlineData("10.88.0.0/33", "10.88.0.1", "10.88.0.10-10.88.0.20", "subnet", "out of range")]
    [InlineData("10.88.0.0", "10.88.0.1", "10.88.0.10-10.88.0.20", "subnet", "CIDR form")]
    [InlineData("10.88.0.5/24", "10.88.0.1", "10.88.0.10-10.88.0.20", "subnet", "host bits set")]
    [InlineData("10.88.0.0/24", "10.99.0.1", "10.88.0.10-10.88.0.20", "gateway", "not a host address of 10.88.0.0/24")]
    [InlineData("10.88.0.0/24", "10.88.0.1", "10.88.0.20-10.88.0.10", "range", "ends before it starts")]
    [InlineData("10.88.0.0/24", "10.88.0.1", "garbage", "range", "FIRST-LAST")]
    public async Task Create_BadInput_Is400NamingTheField(string subnet, string gateway, string range, string field, string message)
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();

        var r = await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("other", subnet, gateway, range, "br-other"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be(field);
        p.GetProperty("detail").GetString().Should().Contain(message);
        (await admin.GetFromJsonAsync<List<NetworkDto>>(ApiRoutes.Networks, TestServerApp.Json))!.Should().ContainSingle();
    }

    [Fact]
    public async Task Create_ByUser_Is403_AndDuplicateNameIs409()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        (await alice.PostAsJsonAsync(ApiRoutes.Networks, Lab())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        var again = await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab(subnet: "10.78.0.0/24", gateway: "10.78.0.1", range: "10.78.0.2-10.78.0.9", bridge: "br-x"));
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.ProblemAsync()).GetProperty("code").GetString().Should().Be("network.duplicate-name");
        (await alice.DeleteAsync(ApiRoutes.Network("lab"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task VmCreate_WithNetworks_GetsMacIpAndDnsName_KeptAcrossStopStart_ReleasedOnDelete()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("dmz", "10.79.0.0/24", "10.79.0.1", "10.79.0.100-10.79.0.101", "br-dmz"))).EnsureSuccessStatusCode();

        var web = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab", "dmz"))).ReadAsync<VmDto>();
        web.Nics.Should().BeEquivalentTo(new[]
        {
            new NicDto("lab", "0a:0c:0a:4d:00:0a", "10.77.0.10", "web.lab.octopus"), // 10.77.0.10 = 0a.4d.00.0a
            new NicDto("dmz", "0a:0c:0a:4f:00:64", "10.79.0.100", "web.lab.octopus"),
        }, o => o.WithStrictOrdering());
        var db = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("db", "lab"))).ReadAsync<VmDto>();
        db.Nics!.Single().Ip.Should().Be("10.77.0.11");

        await admin.WaitForStateAsync("web", "Running");
        await admin.PostAsync(ApiRoutes.VmAction("web", "stop"), null);
        await admin.WaitForStateAsync("web", "Stopped");
        await admin.PostAsync(ApiRoutes.VmAction("web", "start"), null);
        (await admin.WaitForStateAsync("web", "Running")).Nics.Should().BeEquivalentTo(web.Nics);

        var lab = await admin.GetFromJsonAsync<NetworkDto>(ApiRoutes.Network("lab"), TestServerApp.Json);
        (lab!.Used, lab.Free).Should().Be((2L, 239L));

        var refused = await admin.DeleteAsync(ApiRoutes.Network("lab"));
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("in use by VM(s)").And.Contain("web").And.Contain("db");

        await admin.DeleteAsync(ApiRoutes.Vm("web"));
        await admin.WaitUntilGoneAsync("web");
        lab = await admin.GetFromJsonAsync<NetworkDto>(ApiRoutes.Network("lab"), TestServerApp.Json);
        lab!.Used.Should().Be(1);
        // The released address is handed out again (lowest free first), with the same MAC.
        var next = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("cache", "lab"))).ReadAsync<VmDto>();
        next.Nics!.Single().Should().Be(new NicDto("lab", "0a:0c:0a:4d:00:0a", "10.77.0.10", "cache.lab.octopus"));
    }

    [Fact]
    public async Task Addresses_AdminSeesEveryVm_UserOnlyTheirOwn_OtherNetworkIs404()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("private", "10.79.0.0/24", "10.79.0.1", "10.79.0.10-10.79.0.20", "br-priv", users: ["admin"])))
            .EnsureSuccessStatusCode();
        var alice = await server.NewUserAsync("alice");
        var web = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"))).ReadAsync<VmDto>();
        var mine = await (await alice.PostAsJsonAsync(ApiRoutes.Vms, VmOn("mine", "lab"))).ReadAsync<VmDto>();

        var all = await admin.GetFromJsonAsync<List<NetworkAddressDto>>(ApiRoutes.NetworkAddresses("lab"), TestServerApp.Json);
        all!.Select(a => (a.Ip, a.VmName, a.VmId, a.Owner, a.DnsName)).Should().Equal(
            ("10.77.0.10", "web", web.Id, "admin", "web.lab.octopus"), ("10.77.0.11", "mine", mine.Id, "alice", "mine.lab.octopus"));
        all![0].Mac.Should().Be("0a:0c:0a:4d:00:0a");

        var hers = await alice.GetFromJsonAsync<List<NetworkAddressDto>>(ApiRoutes.NetworkAddresses("lab"), TestServerApp.Json);
        hers!.Select(a => a.VmName).Should().Equal(["mine"], "another user's VM names are not hers to see");
        (await alice.GetAsync(ApiRoutes.NetworkAddresses("private"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetAsync(ApiRoutes.NetworkAddresses("nope"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Fork_GetsFreshNicsOnTheSourcesNetworks_InTheSameOrder()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Storage": { "Backend": "simulated" }"""));
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("dmz", "10.79.0.0/24", "10.79.0.1", "10.79.0.100-10.79.0.101", "br-dmz"))).EnsureSuccessStatusCode();
        await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("src", "dmz", "lab"));
        await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("bare") with { Networks = [] });
        await admin.WaitForStateAsync("src", "Running");
        await admin.WaitForStateAsync("bare", "Running");

        var forked = await admin.PostAsJsonAsync(ApiRoutes.Vm("src") + "/fork", new VmForkRequest("copy"));

        forked.StatusCode.Should().Be(HttpStatusCode.Created);
        (await forked.ReadAsync<VmDto>()).Nics.Should().BeEquivalentTo(new[]
        {
            new NicDto("dmz", "0a:0c:0a:4f:00:65", "10.79.0.101", "copy.lab.octopus"), // the next free address of each network
            new NicDto("lab", "0a:0c:0a:4d:00:0b", "10.77.0.11", "copy.lab.octopus"),
        }, o => o.WithStrictOrdering());
        (await (await admin.PostAsJsonAsync(ApiRoutes.Vm("bare") + "/fork", new VmForkRequest("bare-copy"))).ReadAsync<VmDto>()).Nics
            .Should().BeEmpty("a source without NICs gives a fork without NICs");

        var full = await admin.PostAsJsonAsync(ApiRoutes.Vm("src") + "/fork", new VmForkRequest("third"));
        full.StatusCode.Should().Be(HttpStatusCode.Conflict, "dmz has no free address left");
        (await admin.GetAsync(ApiRoutes.Vm("third"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing is half-made");
    }

    [Fact]
    public async Task RuntimeSpec_CarriesWhatANodeServesForEachNic()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        var web = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"))).ReadAsync<VmDto>();

        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Octopus.Persistence.OctopusDbContext>();
        var vm = await db.Vms.AsNoTracking().SingleAsync(v => v.Id == new Octopus.Domain.Vms.VmId(Guid.Parse(web.Id)));
        var spec = await server.App.Services.GetRequiredService<Octopus.Application.Control.RuntimeSpecs>().BuildAsync(vm, CancellationToken.None);

        // The agent makes the bridge with the gateway, serves the lease and name by dnsmasq and filters by nftables from these alone.
        spec.Nics.Should().Equal(new Octopus.Drivers.NicSpec("0a:0c:0a:4d:00:0a", "lab", "br-lab", "10.77.0.10", null, "10.77.0.0/24", "10.77.0.1",
            "lab.octopus", "web"));
    }

    [Fact]
    public async Task VmCreate_OnExhaustedNetwork_Is409NamingIt_AndCreatesNothing()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab(range: "10.77.0.10-10.77.0.11"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("big", "10.80.0.0/24", "10.80.0.1", "10.80.0.2-10.80.0.200", "br-big"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("a", "lab"))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("b", "lab"))).EnsureSuccessStatusCode();

        // The first NIC (on "big") is allocated before "lab" refuses: the whole command must roll back.
        var r = await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("c", "big", "lab"));
        r.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var p = await r.ProblemAsync();
        p.GetProperty("code").GetString().Should().Be("network.exhausted");
        p.GetProperty("detail").GetString().Should().Contain("Network 'lab' has no free address");
        (await admin.GetAsync(ApiRoutes.Vm("c"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetFromJsonAsync<NetworkDto>(ApiRoutes.Network("big"), TestServerApp.Json))!.Used.Should().Be(0);
    }

    [Fact]
    public async Task VmCreate_InParallel_NeverHandsOutTheSameAddress()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        var users = new List<HttpClient>();
        foreach (var name in new[] { "u1", "u2", "u3" }) users.Add(await server.NewUserAsync(name));

        // 3 users x 4 VMs, all at once (each user's quota allows 5 VMs).
        var requests = users.SelectMany((u, i) => Enumerable.Range(0, 4).Select(k => u.PostAsJsonAsync(ApiRoutes.Vms, VmOn($"p{i}-{k}", "lab")))).ToList();
        var responses = await Task.WhenAll(requests);
        foreach (var r in responses) r.StatusCode.Should().Be(HttpStatusCode.Created, await r.Content.ReadAsStringAsync());
        var ips = new List<string>();
        foreach (var r in responses) ips.Add((await r.ReadAsync<VmDto>()).Nics!.Single().Ip);
        ips.Should().OnlyHaveUniqueItems().And.HaveCount(12);
        (await admin.GetFromJsonAsync<NetworkDto>(ApiRoutes.Network("lab"), TestServerApp.Json))!.Used.Should().Be(12);
    }

    [Fact]
    public async Task RestrictedNetwork_IsInvisibleAndUnusableToOthers()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab(users: ["alice"]))).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("public", "10.90.0.0/24", "10.90.0.1", "10.90.0.2-10.90.0.9", "br-pub"))).EnsureSuccessStatusCode();

        (await alice.GetFromJsonAsync<List<NetworkDto>>(ApiRoutes.Networks, TestServerApp.Json))!.Select(n => n.Name).Should().Equal("lab", "public");
        (await bob.GetFromJsonAsync<List<NetworkDto>>(ApiRoutes.Networks, TestServerApp.Json))!.Select(n => n.Name).Should().Equal("public");
        (await bob.GetAsync(ApiRoutes.Network("lab"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await alice.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"))).StatusCode.Should().Be(HttpStatusCode.Created);
        var r = await bob.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be("networks");
        p.GetProperty("detail").GetString().Should().Be("There is no network 'lab' bob may use. Usable networks: public.");

        var unknownUser = await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab("x", "10.91.0.0/24", "10.91.0.1", "10.91.0.2-10.91.0.9", "br-x", users: ["nobody"]));
        (await unknownUser.ProblemAsync()).GetProperty("field").GetString().Should().Be("users");
    }

    [Fact]
    public async Task SameVmNameOfTwoUsers_GetsDistinctDnsNames()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        (await (await alice.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"))).ReadAsync<VmDto>()).Nics!.Single().DnsName.Should().Be("web.lab.octopus");
        (await (await bob.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web", "lab"))).ReadAsync<VmDto>()).Nics!.Single().DnsName.Should().Be("web-bob.lab.octopus");
    }

    [Fact]
    public async Task DefaultNetwork_IsAttachedWhenNoneIsNamed()
    {
        await using var server = await TestServerApp.StartAsync(TestServerApp.DefaultConfig(""", "Networks": { "Default": "lab" }"""));
        var admin = await server.LoginAsync();
        var missing = await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("early"));
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("default network (Octopus:Networks:Default)");

        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab())).EnsureSuccessStatusCode();
        (await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web"))).ReadAsync<VmDto>()).Nics!.Single().Network.Should().Be("lab");
        (await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("bare") with { Networks = [] })).ReadAsync<VmDto>()).Nics.Should().BeEmpty();
    }
}
