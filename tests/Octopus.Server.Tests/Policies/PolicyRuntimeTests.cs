using System.Net.Http.Json;
using AwesomeAssertions;
using Octopus.Contracts;
using Octopus.Domain.Vms;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Policies;

/// <summary>The runtime around the engine: telemetry feeding the CPU history, events derived from what changed
/// (VM state changed, lease expiring), and the audit of policy management.</summary>
public sealed class PolicyRuntimeTests
{
    [Fact]
    public async Task Telemetry_readings_feed_the_cpu_history_once_per_sample_interval()
    {
        await using var h = await PolicyHarness.StartAsync("""{ "Interval": "1h", "SampleTelemetry": true, "SampleEvery": "10s" }""");
        var admin = await h.App.LoginAsync();
        var vm = await PolicyHarness.RunningVmAsync(admin, "t1");
        VmId.TryParse(vm.Id, out var id).Should().BeTrue();
        var host = await h.HostIdAsync(vm.Host!);

        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(10));
        var first = h.State.VmCpu.History(id).Count;
        first.Should().BeGreaterThan(0);
        h.State.HostCpu.History(host).Count.Should().BeGreaterThan(0);
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(5)); // within the sample interval: nothing new
        h.State.VmCpu.History(id).Count.Should().Be(first);
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(10));
        h.State.VmCpu.History(id).Count.Should().Be(first + 1);
    }

    [Fact]
    public async Task A_vm_state_change_and_an_expiring_lease_trigger_the_policies_reacting_to_them()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var dave = await h.App.NewUserAsync("dave");
        await PolicyHarness.CreatePolicyAsync(dave, """
            name: tell-me-when-stopped
            owner: dave
            trigger:
              event: vmStateChanged
            condition: vm.state == "Stopped"
            actions:
              - notify: { message: "your VM stopped" }
            """);
        await PolicyHarness.CreatePolicyAsync(dave, """
            name: lease-reminder
            owner: dave
            trigger:
              event: leaseExpiring
            condition: vm.lease.expiresIn < 24h
            actions:
              - notify: { message: "your lease ends within a day; extend it with octopus vm lease" }
            """);
        var vm = await PolicyHarness.RunningVmAsync(dave, "d1", lease: PolicyHarness.Start + TimeSpan.FromHours(12));
        await h.PassAsync();
        (await PolicyHarness.HistoryAsync(dave, "lease-reminder")).Should().ContainSingle(e => e.Vm == "d1" && e.Action == "notify");
        (await PolicyHarness.HistoryAsync(dave, "tell-me-when-stopped")).Should().BeEmpty();

        (await dave.PostAsync($"{ApiRoutes.Vm(vm.Id)}/stop", null)).EnsureSuccessStatusCode();
        await dave.WaitForStateAsync(vm.Id, "Stopped");
        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(1));
        (await PolicyHarness.HistoryAsync(dave, "tell-me-when-stopped")).Should().ContainSingle(e => e.Vm == "d1" && e.Result == "ok");
        (await PolicyHarness.HistoryAsync(dave, "lease-reminder")).Should().HaveCount(1, "the lease event fires once per lease end");

        var audit = await (await dave.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "policy.create" && a.Target == "policy/lease-reminder" && a.Actor == "dave");
        audit.Items.Should().Contain(a => a.Action == "policy.notify" && a.Actor == "dave via policy tell-me-when-stopped");
        var r = await dave.PostAsJsonAsync(ApiRoutes.VmLease(vm.Id), new ExtendLeaseRequest(ExpiresAt: PolicyHarness.Start + TimeSpan.FromDays(30)));
        r.IsSuccessStatusCode.Should().BeTrue();
    }
}
