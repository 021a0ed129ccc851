using System.Net;
using System.Net.Http.Json;
using Octopus.Contracts;
using Octopus.TestKit;
using Octopus.Web.Tests.Auth;

namespace Octopus.Web.Tests.Live;

public class EventStreamTests
{
    [Fact]
    public async Task Events_StreamTheCallersVmChanges_AndNotOtherUsers()
    {
        await using var server = await TestServerApp.StartAsync();
        var alice = await server.NewUserAsync("alice");
        var bob = await server.NewUserAsync("bob");

        using var request = new HttpRequestMessage(HttpMethod.Get, WebRoutes.Events);
        request.Headers.Authorization = alice.DefaultRequestHeaders.Authorization;
        using var response = await server.Anonymous().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await ReadEventAsync(reader)).Type.Should().Be("hello");

        (await bob.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("bob-vm"))).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("alice-vm"))).EnsureSuccessStatusCode();
        await alice.WaitForStateAsync("alice-vm", "Running");

        var seen = new List<VmDto>();
        while (!seen.Any(v => v.State == "Running"))
        {
            var e = await ReadEventAsync(reader);
            if (e.Type == "vm") seen.Add(System.Text.Json.JsonSerializer.Deserialize<VmDto>(e.Data, TestServerApp.Json)!);
        }
        seen.Should().OnlyContain(v => v.Name == "alice-vm" && v.Owner == "alice");

        (await alice.DeleteAsync(ApiRoutes.Vm("alice-vm"))).EnsureSuccessStatusCode();
        await alice.WaitUntilGoneAsync("alice-vm");
        while (true)
        {
            var e = await ReadEventAsync(reader);
            if (e.Type == "vm-deleted")
            {
                System.Text.Json.JsonSerializer.Deserialize<VmDeletedEvent>(e.Data, TestServerApp.Json)!.Name.Should().Be("alice-vm");
                break;
            }
            if (e.Type == "vm") System.Text.Json.JsonSerializer.Deserialize<VmDto>(e.Data, TestServerApp.Json)!.Owner.Should().Be("alice");
        }
    }

    [Fact]
    public async Task Events_OnConnect_SendNoBacklog_OnlyWhatChangesAfterHello()
    {
        await using var server = await TestServerApp.StartAsync();
        var admin = await server.LoginAsync();
        foreach (var n in new[] { "q1", "q2", "q3", "q4" })
            (await admin.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(n, cores: 1, memoryGiB: 0.5, diskGiB: 1))).EnsureSuccessStatusCode();
        foreach (var n in new[] { "q1", "q2", "q3", "q4" }) await admin.WaitForStateAsync(n, "Running");
        // Stopped VMs have nothing that changes by itself (no CPU figure), so any event about them would be backlog.
        foreach (var n in new[] { "q1", "q2", "q4" }) (await admin.PostAsync(ApiRoutes.Vm(n) + "/stop", null)).EnsureSuccessStatusCode();
        foreach (var n in new[] { "q1", "q2", "q4" }) await admin.WaitForStateAsync(n, "Stopped");

        using var request = new HttpRequestMessage(HttpMethod.Get, WebRoutes.Events);
        request.Headers.Authorization = admin.DefaultRequestHeaders.Authorization;
        using var response = await server.Anonymous().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await ReadEventAsync(reader)).Type.Should().Be("hello");

        // The old feed sent every VM here (one event each); now the first event is the change made after hello.
        (await admin.PostAsync(ApiRoutes.Vm("q3") + "/stop", null)).EnsureSuccessStatusCode();
        while (true)
        {
            var e = await ReadEventAsync(reader);
            e.Type.Should().Be("vm");
            var vm = System.Text.Json.JsonSerializer.Deserialize<VmDto>(e.Data, TestServerApp.Json)!;
            vm.Name.Should().Be("q3", "only the VM that changed after hello is sent");
            if (vm.State is "Stopping" or "Stopped") break;
        }
    }

    [Fact]
    public async Task Events_WithSessionCookie_Work_AndWithoutCredentials_Are401()
    {
        await using var server = await TestServerApp.StartAsync();
        (await server.Anonymous().GetAsync(WebRoutes.Events)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var client = new SessionCookieTests.CookieClient(server.Anonymous());
        await client.LoginAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, WebRoutes.Events);
        request.Headers.Add("Cookie", string.Join("; ", client.Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var response = await server.Anonymous().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await ReadEventAsync(reader)).Type.Should().Be("hello");
    }

    private static async Task<(string Type, string Data)> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string type = "message", data = "";
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data.Length > 0 || type != "message") return (type, data);
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
        }
    }
}
