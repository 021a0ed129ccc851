using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.Drivers.Simulated;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Networks;

/// <summary>A VM's security group through the API on the simulated default: rules are data in the store, and a change on
/// a running VM reaches its node through a journaled ApplyFirewall operation (the simulated node records what it was told).</summary>
public class SecurityRuleApiTests
{
    private static string Rules(string vm) => ApiRoutes.VmSecurityRules(vm);

    private static async Task<OperationDto> WaitOperationAsync(HttpClient http, string id)
    {
        for (var i = 0; i < 200; i++)
        {
            var op = await (await http.GetAsync(ApiRoutes.Operation(id))).ReadAsync<OperationDto>();
            if (op.Status is "Succeeded" or "Failed") return op;
            await Task.Delay(50);
        }
        throw new TimeoutException($"operation {id} did not finish");
    }

    [Fact]
    public async Task AddListRemove_OnARunningVm_AppliesLiveThroughTheJournal_AndIsAudited()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var vm = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5))).ReadAsync<VmDto>();
        await admin.WaitForStateAsync("web", "Running");
        var cluster = server.App.Services.GetRequiredService<SimulatedCluster>();
        var id = new VmId(Guid.Parse(vm.Id));
        cluster.IngressOf(id).Should().BeEmpty("a VM created with no rules receives no new connections");

        var added = await admin.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("tcp", "22", "10.0.0.0/8"));
        added.StatusCode.Should().Be(HttpStatusCode.Created);
        var group = await added.ReadAsync<SecurityGroupDto>();
        group.Rules.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Protocol = "tcp", Port = "22", Source = "10.0.0.0/8" });
        added.Headers.Location!.ToString().Should().Be($"/api/v1/vms/web/security-rules/{group.Rules[0].Id}");
        group.Operation.Should().NotBeNull("the VM runs, so its node is told at once");
        var op = await WaitOperationAsync(admin, group.Operation!);
        (op.Kind, op.Status).Should().Be(("apply-firewall", "Succeeded"));
        cluster.IngressOf(id)!.Select(r => r.ToString()).Should().Equal("tcp 22 10.0.0.0/8");

        group = await (await admin.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("udp", "5000-5100"))).ReadAsync<SecurityGroupDto>();
        await WaitOperationAsync(admin, group.Operation!);
        group = await (await admin.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("icmp", null, "192.168.1.7"))).ReadAsync<SecurityGroupDto>();
        await WaitOperationAsync(admin, group.Operation!);
        cluster.IngressOf(id)!.Select(r => r.ToString()).Should().Equal("tcp 22 10.0.0.0/8", "udp 5000-5100 0.0.0.0/0", "icmp - 192.168.1.7/32");

        var listed = await admin.GetFromJsonAsync<SecurityGroupDto>(Rules(vm.Id), TestServerApp.Json);
        listed!.Rules.Select(r => (r.Protocol, r.Port, r.Source)).Should().Equal(("tcp", "22", "10.0.0.0/8"), ("udp", "5000-5100", "0.0.0.0/0"),
            ("icmp", (string?)null, "192.168.1.7/32"));

        var removed = await admin.DeleteAsync(ApiRoutes.VmSecurityRule("web", listed.Rules[0].Id));
        removed.StatusCode.Should().Be(HttpStatusCode.OK);
        group = await removed.ReadAsync<SecurityGroupDto>();
        group.Rules.Should().HaveCount(2);
        await WaitOperationAsync(admin, group.Operation!);
        cluster.IngressOf(id)!.Select(r => r.ToString()).Should().Equal("udp 5000-5100 0.0.0.0/0", "icmp - 192.168.1.7/32");
        (await admin.DeleteAsync(ApiRoutes.VmSecurityRule("web", listed.Rules[0].Id))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var audit = await admin.GetStringAsync(ApiRoutes.Audit + "?action=vm.rule.");
        audit.Should().Contain("vm.rule.add").And.Contain("tcp 22 10.0.0.0/8").And.Contain("vm.rule.remove");
    }

    [Fact]
    public async Task StoppedVm_KeepsRulesInTheStore_AndItsNodeGetsThemWithTheNextStart()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var vm = await (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5))).ReadAsync<VmDto>();
        await admin.WaitForStateAsync("web", "Running");
        await admin.PostAsync(ApiRoutes.VmAction("web", "stop"), null);
        await admin.WaitForStateAsync("web", "Stopped");

        var group = await (await admin.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("any", null, "10.1.0.0/16"))).ReadAsync<SecurityGroupDto>();
        group.Operation.Should().BeNull("a stopped VM needs no live change");
        var cluster = server.App.Services.GetRequiredService<SimulatedCluster>();
        cluster.IngressOf(new VmId(Guid.Parse(vm.Id))).Should().BeEmpty();

        await admin.PostAsync(ApiRoutes.VmAction("web", "start"), null);
        await admin.WaitForStateAsync("web", "Running");
        cluster.IngressOf(new VmId(Guid.Parse(vm.Id)))!.Select(r => r.ToString()).Should().Equal("any - 10.1.0.0/16");
    }

    [Theory]
    [InlineData("""{"protocol":"gre","port":"22"}""", "protocol", "tcp, udp, icmp or any")]
    [InlineData("""{"protocol":"tcp","port":"70000"}""", "port", "out of range")]
    [InlineData("""{"protocol":"tcp","port":"0"}""", "port", "out of range")]
    [InlineData("""{"protocol":"tcp","port":"90-80"}""", "port", "backwards")]
    [InlineData("""{"protocol":"tcp","port":"ssh"}""", "port", "not a port")]
    [InlineData("""{"protocol":"tcp"}""", "port", "needs a port")]
    [InlineData("""{"protocol":"icmp","port":"22"}""", "port", "takes no port")]
    [InlineData("""{"protocol":"tcp","port":"22","source":"10.0.0.1/8"}""", "source", "host bits set")]
    [InlineData("""{"protocol":"tcp","port":"22","source":"10.0.0.0/33"}""", "source", "not an IPv4 block")]
    [InlineData("""{"protocol":"tcp","port":"22","source":"anywhere"}""", "source", "not an IPv4 block")]
    public async Task Add_BadInput_Is400NamingTheField_AndAddsNothing(string body, string field, string message)
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5));

        var r = await admin.PostAsync(Rules("web"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var p = await r.ProblemAsync();
        p.GetProperty("field").GetString().Should().Be(field);
        p.GetProperty("detail").GetString().Should().Contain(message);
        (await admin.GetFromJsonAsync<SecurityGroupDto>(Rules("web"), TestServerApp.Json))!.Rules.Should().BeEmpty();
    }

    [Fact]
    public async Task Add_Duplicate_Is400_AndOthersVmIs404()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");
        await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 1, diskGiB: 5));
        (await alice.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("tcp", "443"))).StatusCode.Should().Be(HttpStatusCode.Created);

        var twice = await alice.PostAsJsonAsync(Rules("web"), new SecurityRuleRequest("TCP", "443", "0.0.0.0/0"));
        twice.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await twice.ProblemAsync()).GetProperty("field").GetString().Should().Be("rule");

        (await bob.GetAsync(Rules("alice/web"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "another user's VM is not there for bob");
        (await bob.PostAsJsonAsync(Rules("alice/web"), new SecurityRuleRequest("tcp", "22"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await admin.GetFromJsonAsync<SecurityGroupDto>(Rules("alice/web"), TestServerApp.Json))!.Rules.Should().ContainSingle("admins see every VM's rules");
        (await admin.PostAsJsonAsync(Rules("alice/web"), new SecurityRuleRequest("tcp", "22"))).StatusCode.Should().Be(HttpStatusCode.Created);
    }
}
