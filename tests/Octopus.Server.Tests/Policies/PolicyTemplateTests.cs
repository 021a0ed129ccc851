using System.Net.Http.Json;
using AwesomeAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Drivers.Simulated;
using Octopus.Persistence;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Templates;
using Octopus.Application.Policies;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Policies;

/// <summary>Every shipped template, end to end through the server on a fake clock: stored through the API, evaluated by the
/// policy pass, carried out through the command path, visible in history and audit.</summary>
public sealed class PolicyTemplateTests
{
    [Fact]
    public async Task Nightly_checkpoint_runs_at_two_in_rome_and_keeps_the_last_seven()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        await PolicyHarness.CreatePolicyAsync(admin, PolicyTemplates.Text(PolicyTemplates.NightlyCheckpoint));
        var vm = await PolicyHarness.RunningVmAsync(admin, "db1", ["nightly"]);
        var other = await PolicyHarness.RunningVmAsync(admin, "web1");

        await h.AdvanceAndPassAsync(TimeSpan.FromHours(12)); // 22:00 UTC = 23:00 in Rome: not yet
        (await PolicyHarness.HistoryAsync(admin, "nightly-checkpoint")).Should().BeEmpty();
        await h.AdvanceAndPassAsync(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1)); // 01:01 UTC = 02:01 in Rome
        (await PolicyHarness.HistoryAsync(admin, "nightly-checkpoint")).Should().ContainSingle(e => e.Result == "ok" && e.Vm == "db1");
        for (var night = 2; night <= 9; night++) await h.AdvanceAndPassAsync(TimeSpan.FromDays(1));

        var history = await PolicyHarness.HistoryAsync(admin, "nightly-checkpoint");
        history.Should().HaveCount(9).And.OnlyContain(e => e.Action == "checkpoint" && e.Result == "ok" && e.VmId == vm.Id);
        // Each checkpoint is an operation the runner takes, then applies the retention.
        await CheckpointsDoneAsync(admin, "db1", 9);
        var snapshots = await (await admin.GetAsync($"{ApiRoutes.Vm(vm.Id)}/snapshots")).ReadAsync<SnapshotTreeDto>();
        snapshots.Snapshots.Count(s => s.IsCheckpoint).Should().Be(7);
        var none = await (await admin.GetAsync($"{ApiRoutes.Vm(other.Id)}/snapshots")).ReadAsync<SnapshotTreeDto>();
        none.Snapshots.Should().BeEmpty();
    }

    [Fact]
    public async Task Idle_shutdown_stops_only_vms_idle_for_two_hours_and_audits_as_the_owner_via_the_policy()
    {
        await using var h = await PolicyHarness.StartAsync();
        var alice = await h.App.NewUserAsync("alice");
        await PolicyHarness.CreatePolicyAsync(alice, PolicyTemplates.Text(PolicyTemplates.IdleShutdown));
        var idle = await PolicyHarness.RunningVmAsync(alice, "idle1");
        var busy = await PolicyHarness.RunningVmAsync(alice, "busy1");
        var young = await PolicyHarness.RunningVmAsync(alice, "young1");
        h.FeedVmCpu(idle.Id, TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5), 2);
        h.FeedVmCpu(busy.Id, TimeSpan.FromHours(2) + TimeSpan.FromMinutes(5), 40);
        h.FeedVmCpu(young.Id, TimeSpan.FromMinutes(30), 1); // idle, but not for two hours yet

        var preview = await (await alice.GetAsync(ApiRoutes.PolicyPreview("idle-shutdown"))).ReadAsync<PolicyPreviewDto>();
        preview.Items.Where(i => !i.Suppressed).Select(i => i.Vm).Distinct().Should().Equal("idle1");
        preview.Items.Should().Contain(i => i.Action == "shutdown" && i.Reason.Contains("vm.cpu.max(2h)"));

        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(10));
        await alice.WaitForStateAsync(idle.Id, "Stopped");
        (await PolicyHarness.VmAsync(alice, busy.Id)).State.Should().Be("Running");
        (await PolicyHarness.VmAsync(alice, young.Id)).State.Should().Be("Running");

        var history = await PolicyHarness.HistoryAsync(alice, "idle-shutdown");
        history.Select(e => e.Action).Should().BeEquivalentTo(["shutdown", "notify"]);
        var audit = await (await alice.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "vm.stop" && a.Actor == "alice via policy idle-shutdown" && a.Succeeded);
        audit.Items.Should().Contain(a => a.Action == "policy.shutdown" && a.Target == "vm/idle1" && a.Details!.Contains("policy idle-shutdown: ")
            && a.Details.Contains("vm.cpu.max(2h) = 2"));
        audit.Items.Should().Contain(a => a.Action == "policy.notify" && a.Result.Contains("idle for 2 hours"));
    }

    [Fact]
    public async Task Lease_expiry_warns_then_deletes_after_the_grace_period_and_never_deletes_protected_vms()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var bob = await h.App.NewUserAsync("bob");
        await PolicyHarness.CreatePolicyAsync(admin, PolicyTemplates.Text(PolicyTemplates.LeaseExpiry));
        var lease = PolicyHarness.Start + TimeSpan.FromHours(1);
        var leased = await PolicyHarness.RunningVmAsync(bob, "lab1", lease: lease);
        var kept = await PolicyHarness.RunningVmAsync(bob, "lab2", ["protected"], lease: lease);
        var extended = await PolicyHarness.RunningVmAsync(bob, "lab3", lease: lease);

        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(30)); // lease not yet over
        (await PolicyHarness.HistoryAsync(admin, "lease-expiry")).Should().BeEmpty();
        await h.AdvanceAndPassAsync(TimeSpan.FromHours(1)); // expired: warnings only
        var history = await PolicyHarness.HistoryAsync(admin, "lease-expiry");
        history.Should().OnlyContain(e => e.Action == "warn" && e.Result == "ok");
        history.Select(e => e.Vm).Should().BeEquivalentTo(["lab1", "lab3"]);
        (await PolicyHarness.VmAsync(bob, leased.Id)).State.Should().Be("Running");

        // bob extends lab3 within the maximum: the warning no longer applies
        var r = await bob.PostAsJsonAsync(ApiRoutes.VmLease(extended.Id), new ExtendLeaseRequest("7d"));
        r.IsSuccessStatusCode.Should().BeTrue(await r.Content.ReadAsStringAsync());

        await h.AdvanceAndPassAsync(TimeSpan.FromHours(12)); // inside the grace period
        (await PolicyHarness.VmAsync(bob, leased.Id)).State.Should().Be("Running");
        await h.AdvanceAndPassAsync(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(15)); // grace over
        await bob.WaitUntilGoneAsync(leased.Id);
        (await PolicyHarness.VmAsync(bob, kept.Id)).State.Should().Be("Running");
        (await PolicyHarness.VmAsync(bob, extended.Id)).State.Should().Be("Running");
        var preview = await (await admin.GetAsync(ApiRoutes.PolicyPreview("lease-expiry"))).ReadAsync<PolicyPreviewDto>();
        preview.Items.Should().Contain(i => i.Vm == "lab2" && i.Suppressed && i.SuppressedBecause!.Contains("protected"));
    }

    [Fact]
    public async Task Student_hours_suspends_outside_teaching_hours_retrying_a_failed_suspend_and_start_resumes()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var student = await h.App.NewUserAsync("student1");
        await PolicyHarness.CreatePolicyAsync(admin, PolicyTemplates.Text(PolicyTemplates.StudentHours));
        var vm = await PolicyHarness.RunningVmAsync(student, "lab", ["student"]);
        var staff = await PolicyHarness.RunningVmAsync(student, "notes");

        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(15)); // Monday 11:15 in Rome: teaching hours
        (await PolicyHarness.VmAsync(student, vm.Id)).State.Should().Be("Running");

        h.App.App.Services.GetRequiredService<SimulatedCluster>().InjectFailure(Octopus.Domain.Vms.VmId.TryParse(vm.Id, out var id) ? id : default, "hypervisor busy");
        h.Clock.Advance(TimeSpan.FromHours(9)); // 19:15 UTC = 20:15 in Rome
        await h.PassAsync();
        var history = await PolicyHarness.HistoryAsync(admin, "student-hours");
        history.Should().ContainSingle(e => e.Attempt == 1 && e.Result.StartsWith("failed") && e.Error!.Contains("hypervisor busy"));
        (await PolicyHarness.VmAsync(student, vm.Id)).State.Should().Be("Running");

        await h.AdvanceAndPassAsync(TimeSpan.FromSeconds(40)); // backoff: 30 s plus at most 10 %
        history = await PolicyHarness.HistoryAsync(admin, "student-hours");
        history.Should().Contain(e => e.Attempt == 2 && e.Result == "ok");
        (await PolicyHarness.VmAsync(student, vm.Id)).State.Should().Be("Suspended");
        (await PolicyHarness.VmAsync(student, staff.Id)).State.Should().Be("Running");
        var audit = await (await admin.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "policy.suspend" && !a.Succeeded && a.Result.Contains("hypervisor busy"));
        audit.Items.Should().Contain(a => a.Action == "policy.suspend" && a.Succeeded && a.Details!.Contains("(attempt 2)"));

        // the student starts it again: start resumes a suspended VM
        var start = await student.PostAsync($"{ApiRoutes.Vm(vm.Id)}/start", null);
        start.IsSuccessStatusCode.Should().BeTrue(await start.Content.ReadAsStringAsync());
        (await PolicyHarness.VmAsync(student, vm.Id)).State.Should().Be("Running");
    }

    [Fact]
    public async Task Hot_host_move_migrates_one_vm_off_a_host_above_ninety_percent_for_ten_minutes()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        await PolicyHarness.CreatePolicyAsync(admin, PolicyTemplates.Text(PolicyTemplates.HotHostMove));
        var a = await PolicyHarness.RunningVmAsync(admin, "a1");
        var b = await PolicyHarness.RunningVmAsync(admin, "a2", ["x"]);
        var host = a.Host!;
        var hostId = await h.HostIdAsync(host);
        h.FeedHostCpu(hostId, TimeSpan.FromMinutes(5), 95); // hot for only five minutes
        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(1));
        (await PolicyHarness.HistoryAsync(admin, "hot-host-move")).Should().BeEmpty();

        h.FeedHostCpu(hostId, TimeSpan.FromMinutes(11), 95);
        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(1));
        var history = await PolicyHarness.HistoryAsync(admin, "hot-host-move");
        var onHost = new[] { a, b }.Where(v => v.Host == host).Select(v => v.Name).ToList();
        history.Should().ContainSingle(e => e.Action == "move" && e.Result == "ok" && onHost.Contains(e.Vm));
        var moved = history.Single().VmId;
        var after = await admin.WaitForStateAsync(moved, "Running");
        for (var i = 0; i < 100 && after.Host == host; i++) { await Task.Delay(20); after = await PolicyHarness.VmAsync(admin, moved); }
        after.Host.Should().NotBe(host);
    }

    [Fact]
    public async Task Host_failure_restarts_its_vms_on_another_host()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var carol = await h.App.NewUserAsync("carol");
        await PolicyHarness.CreatePolicyAsync(admin, PolicyTemplates.Text(PolicyTemplates.HostFailureRestart));
        var vm = await PolicyHarness.RunningVmAsync(carol, "svc");
        var hostId = await h.HostIdAsync(vm.Host!);
        await h.PassAsync();

        h.App.App.Services.GetRequiredService<SimulatedCluster>().FailHost(hostId);
        await using (var scope = h.App.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var host = await db.Hosts.FirstAsync(x => x.Id == hostId);
            host.MovePower(HostPowerState.Failed, h.Clock.GetUtcNow());
            await db.SaveChangesAsync();
        }
        // failure detection reports it through the sink (the pass would also notice the change itself)
        h.App.App.Services.GetRequiredService<IPolicyEventSink>().Publish(PolicyEvent.HostFailed(hostId));
        await h.PassAsync();

        var history = await PolicyHarness.HistoryAsync(admin, "host-failure-restart");
        history.Should().Contain(e => e.Action == "restartElsewhere" && e.Result == "ok" && e.Vm == "svc");
        var after = await carol.WaitForStateAsync(vm.Id, "Running");
        after.Host.Should().NotBe(vm.Host);
        var audit = await (await admin.GetAsync(ApiRoutes.Audit)).ReadAsync<Page<AuditEntryDto>>();
        audit.Items.Should().Contain(a => a.Action == "vm.restart-elsewhere" && a.Actor == "admin via policy host-failure-restart");
    }

    /// <summary>Waits until <paramref name="count"/> checkpoint operations of the VM have all succeeded.</summary>
    private static async Task CheckpointsDoneAsync(HttpClient http, string vm, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var ops = (await (await http.GetAsync($"{ApiRoutes.Operations}?vm={vm}&kind=checkpoint-vm&limit=100")).ReadAsync<Page<OperationDto>>()).Items;
            if (ops.Count == count && ops.All(o => o.Status == "Succeeded")) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"checkpoint operations of {vm}: {string.Join(", ", ops.Select(o => $"{o.Status} {o.Error}"))}");
            await Task.Delay(100);
        }
    }
}
