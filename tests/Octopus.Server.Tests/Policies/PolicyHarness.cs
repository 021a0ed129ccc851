using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Policies;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Policies;

/// <summary>A test server on a fake clock (Monday 2 March 2026, 10:00 UTC) whose policy loop only runs when the test asks
/// (<see cref="PassAsync"/>) and whose CPU history is fed by the test, not by telemetry.</summary>
internal sealed class PolicyHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private PolicyHarness(TestServerApp app, FakeTimeProvider clock) { App = app; Clock = clock; }

    public TestServerApp App { get; }
    public FakeTimeProvider Clock { get; }
    public PolicyRuntimeState State => App.App.Services.GetRequiredService<PolicyRuntimeState>();

    public static async Task<PolicyHarness> StartAsync(
        string policies = """{ "Interval": "1h", "SampleTelemetry": false, "MaxLease": "90d" }""")
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TestServerApp.StartAsync(TestServerApp.DefaultConfig($", \"Policies\": {policies}"),
            customize: b => b.Services.AddSingleton<TimeProvider>(clock));
        return new PolicyHarness(app, clock);
    }

    public async Task<int> PassAsync()
    {
        await using var scope = App.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PolicyPass>().RunAsync(CancellationToken.None);
    }

    public async Task AdvanceAndPassAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await PassAsync();
    }

    public static async Task<PolicyDto> CreatePolicyAsync(HttpClient http, string text)
    {
        var r = await http.PostAsJsonAsync(ApiRoutes.Policies, new CreatePolicyRequest(text));
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"create policy: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return await r.ReadAsync<PolicyDto>();
    }

    public static async Task<VmDto> RunningVmAsync(HttpClient http, string name, IReadOnlyList<string>? tags = null, DateTimeOffset? lease = null)
    {
        var r = await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm(name, cores: 1, memoryGiB: 1, diskGiB: 5) with { Tags = tags, LeaseExpiresAt = lease });
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"create vm: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        var vm = await r.ReadAsync<VmDto>();
        return await http.WaitForStateAsync(vm.Id, "Running");
    }

    /// <summary>One CPU sample a minute over <paramref name="span"/> up to now.</summary>
    public void FeedVmCpu(string vmId, TimeSpan span, double percent)
    {
        if (!VmId.TryParse(vmId, out var id)) throw new ArgumentException(vmId);
        for (var t = Clock.GetUtcNow() - span; t <= Clock.GetUtcNow(); t += TimeSpan.FromMinutes(1)) State.VmCpu.Record(id, t, percent);
    }

    public async Task<HostId> HostIdAsync(string name)
    {
        await using var scope = App.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        return (await db.Hosts.AsNoTracking().FirstAsync(h => h.Name == name)).Id;
    }

    public void FeedHostCpu(HostId host, TimeSpan span, double percent)
    {
        for (var t = Clock.GetUtcNow() - span; t <= Clock.GetUtcNow(); t += TimeSpan.FromMinutes(1)) State.HostCpu.Record(host, t, percent);
    }

    public static async Task<IReadOnlyList<PolicyHistoryEntry>> HistoryAsync(HttpClient http, string policy) =>
        await (await http.GetAsync(ApiRoutes.PolicyHistory(policy))).ReadAsync<List<PolicyHistoryEntry>>();

    public static async Task<VmDto> VmAsync(HttpClient http, string id) => await (await http.GetAsync(ApiRoutes.Vm(id))).ReadAsync<VmDto>();

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
