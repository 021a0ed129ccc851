using System.Net.Http.Json;
using Octopus.Contracts;

namespace Octopus.Web.Tests.Browser;

/// <summary>Issue 18's bulk select on "My VMs" in headless Chromium against a real server (scenario bulk-select.mjs, 1280
/// and 360 px, axe-core): stop two, reboot all (per-VM results with the server's refusals), start one by keyboard, delete
/// all; and suspend two, then resume them (scenario bulk-suspend.mjs). Each bulk call is then found in the audit log with
/// its totals.</summary>
[Collection(BrowserCollection.Name)]
public class BulkSelectBrowserTests(WebServerFixture server)
{
    [Fact]
    public async Task MyVms_BulkActionsOnSelectedVms_ShowEachVmsResult()
    {
        server.RequireBrowser();
        const string user = "bella";
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        var quota = new QuotaDto(MaxCores: 8, MaxMemoryBytes: 16L << 30, MaxDiskBytes: 200L << 30, MaxVms: 5);
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user", quota)))
            r.EnsureSuccessStatusCode();
        using var bella = await server.ClientAsync(user, WebServerFixture.PasswordOf(user));
        string[] names = ["bulk-a", "bulk-b", "bulk-c"];
        foreach (var name in names) await server.CreateRunningVmAsync(bella, name);

        var run = await server.RunScenarioAsync("bulk-select", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = user, ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf(user), ["VM_NAMES"] = string.Join(',', names),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("stopped bulk-a and bulk-b in one action").And.Contain("1 accepted, 2 refused with the server's reason")
            .And.Contain("focus stayed on \"Select bulk-c\"").And.Contain("bulk-a's row updated in place").And.Contain("search for bulk-c listed it alone")
            .And.Contain("axe-core: 0 serious/critical on the bulk delete confirmation at 360 px")
            .And.Contain("all three deleted with one confirmation naming them");
        var audit = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?actor={user}&action=vm.bulk-&limit=100"))!.Items;
        audit.Select(a => (a.Action, a.Result)).Should().Contain([
            ("vm.bulk-stop", "2 of 2 VMs accepted"), ("vm.bulk-reboot", "1 of 3 VMs accepted"),
            ("vm.bulk-start", "1 of 1 VMs accepted"), ("vm.bulk-delete", "3 of 3 VMs accepted")]);
        (await bella.GetFromJsonAsync<Page<VmDto>>($"/api/v1/vms?owner={user}"))!.Items.Should().OnlyContain(v => v.State == "Deleting");
    }

    [Fact]
    public async Task MyVms_BulkSuspendAndResume_TwoSelectedVms()
    {
        server.RequireBrowser();
        const string user = "sula";
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        var quota = new QuotaDto(MaxCores: 8, MaxMemoryBytes: 16L << 30, MaxDiskBytes: 200L << 30, MaxVms: 5);
        using (var r = await admin.PostAsJsonAsync("/api/v1/users", new UserCreateRequest(user, WebServerFixture.PasswordOf(user), "user", quota)))
            r.EnsureSuccessStatusCode();
        using var sula = await server.ClientAsync(user, WebServerFixture.PasswordOf(user));
        string[] names = ["pause-a", "pause-b", "pause-c"];
        foreach (var name in names) await server.CreateRunningVmAsync(sula, name);

        var run = await server.RunScenarioAsync("bulk-suspend", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = user, ["OCTOPUS_PASSWORD"] = WebServerFixture.PasswordOf(user), ["VM_NAMES"] = string.Join(',', names),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("suspended pause-a and pause-b in one action").And.Contain("at 360 px: resumed pause-a and pause-b in one action")
            .And.Contain("axe-core: 0 serious/critical on My VMs after a bulk resume at 360 px");
        var audit = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>($"/api/v1/audit?actor={user}&action=vm.bulk-&limit=100"))!.Items;
        audit.Select(a => (a.Action, a.Result)).Should().Contain([("vm.bulk-suspend", "2 of 2 VMs accepted"), ("vm.bulk-resume", "2 of 2 VMs accepted")]);
        (await sula.GetFromJsonAsync<Page<VmDto>>($"/api/v1/vms?owner={user}"))!.Items.Should().OnlyContain(v => v.State == "Running");
    }

    [Fact]
    public async Task AllVms_AdminBulkActionsOnFilteredVms_NameEachVmWithItsOwner()
    {
        server.RequireBrowser();
        using var admin = await server.ClientAsync("admin", WebServerFixture.AdminPassword);
        string[] names = ["adm-bulk-a", "adm-bulk-b"];
        foreach (var name in names)
        {
            using var r = await admin.PostAsJsonAsync("/api/v1/vms", new VmCreateRequest(name, 1, 512L << 20, 4L << 30, "debian-12", Tags: ["bulk-admin"]));
            r.EnsureSuccessStatusCode();
        }

        var run = await server.RunScenarioAsync("admin-bulk", new Dictionary<string, string>
        {
            ["OCTOPUS_USER"] = "admin", ["OCTOPUS_PASSWORD"] = WebServerFixture.AdminPassword, ["TAG"] = "bulk-admin", ["OWNER"] = "admin",
            ["VM_NAMES"] = string.Join(',', names),
        });

        run.Exit.Should().Be(0, $"the scenario failed:\n{run.Out}\n{run.Err}\n--- server log ---\n{server.ServerLog}");
        run.Out.Should().Contain("the confirmation naming each with its owner; rows updated in place").And.Contain("admin deleted both with one confirmation")
            .And.Contain("search for adm-bulk-b showed it alone").And.Contain("sort Z to A showed adm-bulk-b, adm-bulk-a");
        var audit = (await admin.GetFromJsonAsync<Page<AuditEntryDto>>("/api/v1/audit?actor=admin&action=vm.bulk-&limit=100"))!.Items;
        audit.Select(a => (a.Action, a.Result)).Should().Contain([("vm.bulk-stop", "2 of 2 VMs accepted"), ("vm.bulk-delete", "2 of 2 VMs accepted")]);
    }
}
