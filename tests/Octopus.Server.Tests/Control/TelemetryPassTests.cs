using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Octopus.Domain.Vms;
using Octopus.Drivers.Simulated;
using Octopus.Persistence;
using Octopus.Contracts;
using Octopus.Application.Control;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>Drift detection: a running VM the hypervisor does not know is marked Failed, unless its state changed after
/// the hypervisor was asked (the observation is older than the store's news: the next pass judges it).</summary>
public class TelemetryPassTests
{
    private sealed class FixedTime(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    private static async Task<(VmState State, string? Reason)> RunPassAtAsync(TestServerApp server, string vmName, Func<DateTimeOffset, DateTimeOffset> at)
    {
        var name = VmName.Parse(vmName);
        using var scope = server.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        var vm = await db.Vms.AsNoTracking().SingleAsync(v => v.Name == name);
        var time = new FixedTime(at(vm.StateChangedAt));
        // A hypervisor that has the same hosts but has never heard of the VM.
        var empty = new SimulatedCluster(new SimulatedClusterOptions(), time);
        foreach (var h in await db.Hosts.AsNoTracking().ToListAsync()) empty.DefineHost(h.Id, h.Capacity.Cores, h.PowerState);
        var pass = new TelemetryPass(db, new SimulatedNodeResolver(empty), new TelemetryCache(), time, NullLogger<TelemetryPass>.Instance,
            new Octopus.Application.Power.PowerHistory(scope.ServiceProvider.GetRequiredService<IDbContextFactory<OctopusDbContext>>(), time),
            new TelemetryHistory(time));
        await pass.RunAsync(CancellationToken.None);
        var after = await db.Vms.AsNoTracking().SingleAsync(v => v.Name == name);
        return (after.State, after.StatusReason);
    }

    [Fact]
    public async Task RunAsync_VmStartedAfterTheObservation_IsLeftForTheNextPass()
    {
        await using var server = await TestServerApp.StartAsync();
        var http = await server.LoginAsync();
        (await http.PostAsJsonAsync(ApiRoutes.Vms, ApiExtensions.Vm("late", cores: 1, memoryGiB: 1, diskGiB: 5))).EnsureSuccessStatusCode();
        await http.WaitForStateAsync("late", "Running");

        // The driver was asked a second before the VM became Running: its silence about the VM proves nothing.
        var early = await RunPassAtAsync(server, "late", changed => changed.AddSeconds(-1));
        early.State.Should().Be(VmState.Running);

        // Asked a second after: the hypervisor really does not know it.
        var late = await RunPassAtAsync(server, "late", changed => changed.AddSeconds(1));
        late.State.Should().Be(VmState.Failed);
        late.Reason.Should().Contain("no longer knows");
    }
}
