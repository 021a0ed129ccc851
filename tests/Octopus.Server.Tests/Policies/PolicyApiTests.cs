using System.Net;
using System.Net.Http.Json;
using System.Text;
using AwesomeAssertions;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Policies;

/// <summary>The policy API's rules: authorisation (a user's policy only ever touches its owner's VMs), admin-only
/// features, malformed and malicious policy text (always a 400 with the position, never a 500), leases.</summary>
public sealed class PolicyApiTests
{
    private const string ShutdownEverything = """
        name: stop-all
        owner: alice
        trigger:
          interval: 1m
        condition: 'true'
        actions:
          - shutdown
        """;

    [Fact]
    public async Task A_users_policy_never_touches_another_users_vm_whatever_its_condition_says()
    {
        await using var h = await PolicyHarness.StartAsync();
        var alice = await h.App.NewUserAsync("alice");
        var bob = await h.App.NewUserAsync("bob");
        var mine = await PolicyHarness.RunningVmAsync(alice, "a1");
        var theirs = await PolicyHarness.RunningVmAsync(bob, "b1");
        await PolicyHarness.CreatePolicyAsync(alice, ShutdownEverything);

        var preview = await (await alice.GetAsync(ApiRoutes.PolicyPreview("stop-all"))).ReadAsync<PolicyPreviewDto>();
        preview.Items.Select(i => i.Vm).Should().Equal("a1");
        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(2));
        await alice.WaitForStateAsync(mine.Id, "Stopped");
        (await PolicyHarness.VmAsync(bob, theirs.Id)).State.Should().Be("Running");

        // nor can alice write a policy for bob, an admin-scope policy, an admin-only action, or a script
        (await alice.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(ShutdownEverything.Replace("owner: alice", "owner: bob", StringComparison.Ordinal))))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await alice.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(ShutdownEverything + "\nscope: admin")))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await alice.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(ShutdownEverything.Replace("  - shutdown", "  - move", StringComparison.Ordinal))))
            .StatusCode.Should().BeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.BadRequest);
        var script = await alice.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest("#!csharp\n// name: s1\n// interval: 10m\nvar x = 1;"));
        script.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await script.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("admin-only");

        // bob neither sees nor manages alice's policy; the admin sees both users' policies
        (await bob.GetAsync(ApiRoutes.Policy("stop-all"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bob.PostAsync(ApiRoutes.PolicyDisable("stop-all"), null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await bob.GetAsync(ApiRoutes.Policies)).ReadAsync<List<PolicyDto>>()).Should().BeEmpty();
        var admin = await h.App.LoginAsync();
        (await (await admin.GetAsync(ApiRoutes.Policies)).ReadAsync<List<PolicyDto>>()).Should().ContainSingle(p => p.Name == "stop-all" && p.Owner == "alice");
    }

    [Fact]
    public async Task Admin_script_policies_run_with_the_same_safety_rules_and_are_marked_admin_only()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var vm = await PolicyHarness.RunningVmAsync(admin, "big1");
        var p = await PolicyHarness.CreatePolicyAsync(admin,
            "#!csharp\n// name: notify-all\n// interval: 5m\nforeach (var vm in Vms) if (vm.State == VmState.Running) Notify(vm, \"hello from a script\");");
        p.IsScript.Should().BeTrue();
        p.Description.Should().Contain("admin-only");
        await h.AdvanceAndPassAsync(TimeSpan.FromMinutes(6));
        (await PolicyHarness.HistoryAsync(admin, "notify-all")).Should().ContainSingle(e => e.Action == "notify" && e.VmId == vm.Id && e.Result == "ok");
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "unknown field", "name: p1\nowner: admin\ntriger:\n  interval: 1m\ncondition: 'true'\nactions: [shutdown]\n" },
        { "deep nesting", "name: p1\nowner: admin\ntrigger:\n  interval: 1m\ncondition: '" + new string('(', 500) + "true" + new string(')', 500) + "'\nactions: [shutdown]\n" },
        { "huge literal", "name: p1\nowner: admin\ntrigger:\n  interval: 1m\ncondition: 'vm.name == \"" + new string('x', 5000) + "\"'\nactions: [shutdown]\n" },
        { "huge number", "name: p1\nowner: admin\ntrigger:\n  interval: 1m\ncondition: 'vm.cores > 99999999999999999999999999'\nactions: [shutdown]\n" },
        { "endless list", "name: p1\nowner: admin\ntrigger:\n  interval: 1m\ncondition: 'vm.cores in [" + string.Join(",", Enumerable.Repeat("1", 2000)) + "]'\nactions: [shutdown]\n" },
        { "endless yaml", "name: p1\nowner: admin\nselect:\n  tags: [" + string.Join(",", Enumerable.Repeat("t", 3000)) + "]\ntrigger:\n  interval: 1m\ncondition: 'true'\nactions: [shutdown]\n" },
        { "yaml bomb", "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nname: p1\n" },
        { "deep yaml", "name: p1\nowner: admin\nselect: " + new string('[', 200) + new string(']', 200) + "\n" },
        { "type error", "name: p1\nowner: admin\ntrigger:\n  interval: 1m\ncondition: 'vm.age > 5'\nactions: [shutdown]\n" },
        { "bad cron", "name: p1\nowner: admin\ntrigger:\n  cron: '99 * * * *'\ncondition: 'true'\nactions: [shutdown]\n" },
        { "json unknown", "{\"name\": \"p1\", \"owner\": \"admin\", \"trigger\": {\"interval\": \"1m\"}, \"condition\": \"true\", \"actions\": [\"shutdown\"], \"extra\": 1}" },
        { "not a policy", "just some text" },
        { "binary", "\u0000\u0001\u0002" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_or_malicious_policy_text_is_a_400_with_its_position_never_a_500(string what, string text)
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(text));
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest, what);
        var problem = await r.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("policy.invalid", what);
        problem.GetProperty("line").GetInt32().Should().BeGreaterThan(0, what);
        problem.GetProperty("column").GetInt32().Should().BeGreaterThan(0, what);
        problem.GetProperty("detail").GetString().Should().StartWith("line ", what);
    }

    [Fact]
    public async Task Unknown_fields_name_the_field_and_its_position_and_empty_or_oversized_text_is_refused()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var r = await admin.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest("name: p1\nowner: admin\ntriger:\n  interval: 1m\n"));
        var problem = await r.ProblemAsync();
        problem.GetProperty("line").GetInt32().Should().Be(3);
        problem.GetProperty("column").GetInt32().Should().Be(1);
        problem.GetProperty("detail").GetString().Should().Contain("trigger");

        (await admin.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(""))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsync(ApiRoutes.Policies, new StringContent("{", Encoding.UTF8, "application/json"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(new string('#', 70_000)))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync(ApiRoutes.Policy("nope"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Leases_are_extended_within_the_administrators_maximum()
    {
        await using var h = await PolicyHarness.StartAsync();
        var alice = await h.App.NewUserAsync("alice");
        var vm = await PolicyHarness.RunningVmAsync(alice, "l1", lease: PolicyHarness.Start + TimeSpan.FromDays(1));

        var ok = await alice.PostAsJsonAsync(ApiRoutes.VmLease(vm.Id), new ExtendLeaseRequest("7d"));
        (await ok.ReadAsync<VmDto>()).LeaseExpiresAt.Should().Be(PolicyHarness.Start + TimeSpan.FromDays(8));
        var tooLong = await alice.PostAsJsonAsync(ApiRoutes.VmLease(vm.Id), new ExtendLeaseRequest("100d"));
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.ProblemAsync()).GetProperty("detail").GetString().Should().Contain("at most 90d");
        (await alice.PostAsJsonAsync(ApiRoutes.VmLease(vm.Id), new ExtendLeaseRequest("soon"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await alice.PostAsJsonAsync(ApiRoutes.VmLease(vm.Id), new ExtendLeaseRequest())).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var create = await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("l2", 1, 1, 5) with { LeaseExpiresAt = PolicyHarness.Start + TimeSpan.FromDays(365) });
        create.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Templates_are_listed_and_policies_can_be_disabled_enabled_and_deleted()
    {
        await using var h = await PolicyHarness.StartAsync();
        var admin = await h.App.LoginAsync();
        var templates = await (await admin.GetAsync(ApiRoutes.PolicyTemplates)).ReadAsync<List<PolicyTemplateDto>>();
        templates.Select(t => t.Name).Should().Contain(["nightly-checkpoint", "idle-shutdown", "lease-expiry", "student-hours", "hot-host-move", "host-failure-restart"]);
        var created = await PolicyHarness.CreatePolicyAsync(admin, templates.Single(t => t.Name == "lease-expiry").Document);
        created.Trigger.Should().Be("every 15m");
        created.NextRunAt.Should().Be(PolicyHarness.Start + TimeSpan.FromMinutes(15));
        (await (await admin.PostAsync(ApiRoutes.PolicyDisable("lease-expiry"), null)).ReadAsync<PolicyDto>()).Enabled.Should().BeFalse();
        (await (await admin.PostAsync(ApiRoutes.PolicyEnable("lease-expiry"), null)).ReadAsync<PolicyDto>()).Enabled.Should().BeTrue();
        (await admin.DeleteAsync(ApiRoutes.Policy("lease-expiry"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync(ApiRoutes.Policy("lease-expiry"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
