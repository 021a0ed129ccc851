using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Octopus.Contracts;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Api;

/// <summary>Refusals a web user meets carry a stable <c>code</c> and the facts of their message as named <c>args</c>
/// (so the web page can say them in Italian), while <c>detail</c> stays the English text API and CLI users read.</summary>
public class ProblemArgsTests
{
    [Fact]
    public async Task Refusals_CarryCodeAndArgs_BesideTheEnglishDetail()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        var http = await server.NewUserAsync("args", new QuotaDto(MaxVms: 1));
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("db", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        await http.WaitForStateAsync("db", "Running");
        await http.PostAsync(ApiRoutes.VmAction("db", "stop"), null);
        await http.WaitForStateAsync("db", "Stopped");

        // A state that does not allow the action: the VM, the action as one word, the state.
        var illegal = await ProblemOf(await http.PostAsync(ApiRoutes.VmAction("db", "reboot"), null), HttpStatusCode.Conflict, "vm.illegal-transition");
        illegal.GetProperty("detail").GetString().Should().Be("Cannot reboot VM 'db': it is Stopped. Allowed when Running.");
        Args(illegal).Should().Equal(new Dictionary<string, string> { ["name"] = "db", ["action"] = "reboot", ["state"] = "Stopped" });

        // Quota: the resource and the figures as numbers, with their unit.
        var quota = await ProblemOf(await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("two", cores: 1, memoryGiB: 0.25, diskGiB: 1)),
            HttpStatusCode.Forbidden, "quota.exceeded");
        quota.GetProperty("detail").GetString().Should().StartWith("Quota exceeded for VMs: the quota is 1, 1 in use, 1 asked for.");
        Args(quota).Should().Equal(new Dictionary<string, string> { ["resource"] = "VMs", ["limit"] = "1", ["used"] = "1", ["asked"] = "1", ["unit"] = "count" });
        quota.GetProperty("args").GetProperty("limit").ValueKind.Should().Be(JsonValueKind.Number);

        // A name taken, and a name the rules refuse (a validation: the field, and the rule broken in args).
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 0.25, diskGiB: 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        var taken = await ProblemOf(await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("web", cores: 1, memoryGiB: 0.25, diskGiB: 1)),
            HttpStatusCode.Conflict, "vm.duplicate-name");
        Args(taken).Should().Contain("name", "web");
        var invalid = await ProblemOf(await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("Bad_Name", cores: 1, memoryGiB: 0.25, diskGiB: 1)),
            HttpStatusCode.BadRequest, "validation");
        invalid.GetProperty("field").GetString().Should().Be("name");
        Args(invalid).Should().Equal(new Dictionary<string, string> { ["rule"] = "vm-name", ["value"] = "Bad_Name" });
        var memory = await ProblemOf(await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("tiny", cores: 1, memoryGiB: 0.01, diskGiB: 1)),
            HttpStatusCode.BadRequest, "validation");
        Args(memory).Should().Contain("rule", "range").And.Contain("unit", "bytes").And.Contain("min", (64L << 20).ToString());

        // Not found (another user's VM is not found for this caller), and an admin-only call.
        var missing = await ProblemOf(await http.GetAsync(ApiRoutes.Vm("nosuch")), HttpStatusCode.NotFound, "not-found");
        Args(missing).Should().Equal(new Dictionary<string, string> { ["what"] = "VM", ["key"] = "nosuch" });
        var forbidden = await ProblemOf(await http.GetAsync("/api/v1/users"), HttpStatusCode.Forbidden, "auth.admin-only");
        forbidden.GetProperty("args").GetProperty("action").GetString().Should().NotBeNullOrEmpty();

        // A refusal with nothing to rephrase has no args member.
        var bulkBad = await ProblemOf(await http.PostAsJsonAsync(ApiRoutes.VmActions, new { action = "explode", vms = new[] { "db" } }),
            HttpStatusCode.BadRequest, "validation");
        bulkBad.TryGetProperty("args", out _).Should().BeFalse();

        // A bulk action's refused VM carries the same code and args as the single call would.
        var bulk = await (await http.PostAsJsonAsync(ApiRoutes.VmActions, new VmBulkActionRequest("reboot", ["db"]))).Content.ReadFromJsonAsync<JsonElement>();
        var result = bulk.GetProperty("results")[0];
        result.GetProperty("code").GetString().Should().Be("vm.illegal-transition");
        result.GetProperty("args").GetProperty("action").GetString().Should().Be("reboot");
        result.GetProperty("args").GetProperty("state").GetString().Should().Be("Stopped");
    }

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage r, HttpStatusCode status, string code)
    {
        var body = await r.Content.ReadAsStringAsync();
        r.StatusCode.Should().Be(status, body);
        var p = JsonDocument.Parse(body).RootElement.Clone();
        p.GetProperty("code").GetString().Should().Be(code, body);
        return p;
    }

    /// <summary>The problem's args as text (numbers in invariant form).</summary>
    private static Dictionary<string, string> Args(JsonElement problem) =>
        problem.GetProperty("args").EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
}
