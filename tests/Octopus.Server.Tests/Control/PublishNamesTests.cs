using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Control;
using Octopus.Contracts;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Simulated;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>Operation <c>PublishNames</c>, which has every host of a network answer the network's names: journaled in
/// the unit of work that records a VM operation's outcome (so no crash falls between the two), and retried with backoff
/// while the host cannot be reached, until it succeeds or a newer publication for the same host and network takes over.
/// The simulated nodes serve no names (only agent hosts do: their dnsmasq), so the node driver here is the simulated one
/// with a names capability that records what it is sent — a fake of the agent's side, which cannot run in this process.</summary>
public class PublishNamesTests
{

    private static NetworkCreateRequest Lab => new("lab", "br-lab", "10.77.0.0/24", "10.77.0.1", "10.77.0.10-10.77.0.250", "lab.octopus", null, null);

    private static VmCreateRequest VmOn(string name) => ApiExtensions.Vm(name, cores: 1, memoryGiB: 1, diskGiB: 5) with { Networks = ["lab"] };

    /// <summary>The names each call carried, per host, in call order; <see cref="Fail"/> decides whether a call fails (as an
    /// unreachable agent does) before it is recorded as received.</summary>
    private sealed class NamesLog
    {
        public ConcurrentQueue<(HostId Host, DateTimeOffset At, string[] Names, bool Failed)> Calls { get; } = new();
        public Func<int, Task<bool>> Fail { get; set; } = _ => Task.FromResult(false);

        public async Task ReceiveAsync(HostId host, IReadOnlyList<NetworkHostName> names)
        {
            var failed = await Fail(Calls.Count + 1);
            Calls.Enqueue((host, DateTimeOffset.UtcNow, [.. names.Select(n => $"{n.HostName}={n.Ip}")], failed));
            if (failed) throw new DriverException("the agent of the host is not answering (connection refused)");
        }
    }

    private sealed class NamesServingNode(INodeDriver inner, HostId host, NamesLog log) : INodeDriver, INetworkNamesDriver
    {
        public string Name => inner.Name;
        public Task CreateAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.CreateAsync(spec, ct);
        public Task StartAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.StartAsync(spec, ct);
        public Task StopAsync(VmId vm, CancellationToken ct) => inner.StopAsync(vm, ct);
        public Task RebootAsync(VmId vm, CancellationToken ct) => inner.RebootAsync(vm, ct);
        public Task DeleteAsync(VmId vm, CancellationToken ct) => inner.DeleteAsync(vm, ct);
        public Task SuspendAsync(VmId vm, CancellationToken ct) => inner.SuspendAsync(vm, ct);
        public Task ResumeAsync(VmId vm, CancellationToken ct) => inner.ResumeAsync(vm, ct);
        public Task SwitchDiskAsync(VmId vm, string newActiveDisk, CancellationToken ct) => inner.SwitchDiskAsync(vm, newActiveDisk, ct);
        public Task<MigrationTarget> PrepareIncomingAsync(VmRuntimeSpec spec, CancellationToken ct) => inner.PrepareIncomingAsync(spec, ct);
        public Task<MigrationStats> MigrateAsync(VmId vm, MigrationTarget target, IProgress<double>? progress, CancellationToken ct) =>
            inner.MigrateAsync(vm, target, progress, ct);
        public Task<string> ReadConsoleAsync(VmId vm, int maxBytes, CancellationToken ct) => inner.ReadConsoleAsync(vm, maxBytes, ct);
        public Task<NodeObservation> ObserveAsync(CancellationToken ct) => inner.ObserveAsync(ct);
        public Task PublishNamesAsync(string network, IReadOnlyList<NetworkHostName> names, CancellationToken ct) => log.ReceiveAsync(host, names);
    }

    private sealed class NamesServingResolver(INodeDriverResolver inner, NamesLog log) : INodeDriverResolver
    {
        public string DriverName => inner.DriverName;
        public INodeDriver For(HostId host) => new NamesServingNode(inner.For(host), host, log);
    }

    /// <summary>Stands for the process dying at one step boundary: the runner's flow for that operation stops there (the
    /// exception ends it, as SIGKILL would), and what happens next can come only from the store, as after a restart.</summary>
    private sealed class DieAt(OperationKind kind, string boundary) : IStepBoundaries
    {
        public int Died;

        public void Reached(OperationKind k, string b)
        {
            if (k == kind && b == boundary && Interlocked.Exchange(ref Died, 1) == 0) throw new InvalidOperationException($"simulated crash at {k}:{b}");
        }
    }

    private static Task<TestServerApp> StartAsync(NamesLog log, IStepBoundaries? boundaries = null, bool oneHost = false) =>
        TestServerApp.StartAsync(oneHost ? TestServerApp.DefaultConfig().Replace("\"Count\": 3", "\"Count\": 1", StringComparison.Ordinal) : null, customize: b =>
        {
            b.Services.AddSingleton<INodeDriverResolver>(sp => new NamesServingResolver(new SimulatedNodeResolver(sp.GetRequiredService<SimulatedCluster>()), log));
            if (boundaries is not null) b.Services.AddSingleton(boundaries);
        });

    private static async Task<List<Operation>> PublicationsAsync(TestServerApp server)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        return [.. (await db.Operations.AsNoTracking().Where(o => o.Kind == OperationKind.PublishNames).ToListAsync()).OrderBy(o => o.CreatedAt)];
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within {within.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData(OperationKind.CreateVm, "completed")]
    [InlineData(OperationKind.MigrateVm, "completed")]
    [InlineData(OperationKind.DeleteVm, "completed")]
    public async Task CrashRightAfterTheVmOperationsOutcomeIsSaved_TheNamesAreStillPublished(OperationKind kind, string boundary)
    {
        var log = new NamesLog();
        var crash = new DieAt(kind, boundary);
        await using var server = await StartAsync(log, crash);
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web3"))).EnsureSuccessStatusCode(); // the first create: the one that dies
        var web3 = await admin.WaitForStateAsync("web3", "Running");
        if (kind != OperationKind.CreateVm)
        {
            (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("db"))).EnsureSuccessStatusCode(); // keeps a name on the network
            await admin.WaitForStateAsync("db", "Running");
        }

        string expectedHost;
        Func<string[], bool> expected;
        switch (kind)
        {
            case OperationKind.CreateVm:
                expectedHost = web3.Host!;
                expected = names => names.Contains("web3=" + web3.Nics![0].Ip);
                break;
            case OperationKind.MigrateVm:
                expectedHost = web3.Host == "h-01" ? "h-02" : "h-01";
                (await admin.PostAsJsonAsync(ApiRoutes.VmMigrate("web3"), new MigrateRequest(expectedHost))).EnsureSuccessStatusCode();
                expected = names => names.Contains("web3=" + web3.Nics![0].Ip);
                break;
            default:
                expectedHost = web3.Host!;
                (await admin.DeleteAsync(ApiRoutes.Vm("web3"))).EnsureSuccessStatusCode();
                expected = names => names.Length > 0 && !names.Any(n => n.StartsWith("web3=", StringComparison.Ordinal));
                break;
        }
        await EventuallyAsync(() => Task.FromResult(crash.Died), d => d == 1, TimeSpan.FromSeconds(10), $"the crash at {kind}:{boundary}");

        var hostId = await HostIdAsync(server, expectedHost);
        await EventuallyAsync(() => Task.FromResult(log.Calls.ToList()), calls => calls.Any(c => c.Host == hostId && !c.Failed && expected(c.Names)),
            TimeSpan.FromSeconds(10), $"{expectedHost} learning the names after {kind}");
        var ops = await EventuallyAsync(() => PublicationsAsync(server), o => o.All(x => x.IsFinished), TimeSpan.FromSeconds(10), "publications settling");
        ops.Should().OnlyContain(o => o.Status == OperationStatus.Succeeded);
    }

    private static async Task<HostId> HostIdAsync(TestServerApp server, string name)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        return (await db.Hosts.AsNoTracking().ToListAsync()).Single(h => h.Name == name).Id;
    }

    [Fact]
    public async Task HostUnreachable_PublicationIsRetriedWithBackoff_UntilItSucceeds_AsOneOperation()
    {
        var log = new NamesLog { Fail = n => Task.FromResult(n <= 2) }; // the first two calls fail, the third gets through
        await using var server = await StartAsync(log, oneHost: true);
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web3"))).EnsureSuccessStatusCode();
        var vm = await admin.WaitForStateAsync("web3", "Running");

        // Backoff 1 s after the first failure, 2 s after the second: published about 3 s after the first call.
        var calls = await EventuallyAsync(() => Task.FromResult(log.Calls.ToList()), c => c.Any(x => !x.Failed), TimeSpan.FromSeconds(15), "a successful publication");
        calls.Select(c => c.Failed).Should().Equal(true, true, false);
        calls[^1].Names.Should().Equal("web3=" + vm.Nics![0].Ip);
        (calls[1].At - calls[0].At).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.95), "the first retry waits 1 s");
        (calls[2].At - calls[1].At).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.95), "the second waits 2 s");
        TestContext.Current.SendDiagnosticMessage($"retries after {(calls[1].At - calls[0].At).TotalMilliseconds:0} ms and {(calls[2].At - calls[1].At).TotalMilliseconds:0} ms");

        var ops = await EventuallyAsync(() => PublicationsAsync(server), o => o.All(x => x.IsFinished), TimeSpan.FromSeconds(5), "the publication settling");
        var op = ops.Should().ContainSingle("one operation carries every attempt").Subject;
        (op.Status, op.Attempts, op.Error, op.NotBefore).Should().Be((OperationStatus.Succeeded, 3, (string?)null, (DateTimeOffset?)null));
        op.StepLines().Select(s => s.Text).Should().Contain(t => t.StartsWith("attempt 1 failed; next attempt at", StringComparison.Ordinal)
            && t.Contains("not answering", StringComparison.Ordinal)).And.Contain(t => t.StartsWith("attempt 2 failed", StringComparison.Ordinal))
            .And.Contain("published 1 name(s) of network lab");
    }

    [Fact]
    public async Task HostBackFromFailed_PublicationWaitingOutItsBackoff_RunsAtOnce()
    {
        var log = new NamesLog { Fail = n => Task.FromResult(n == 1) }; // the host's agent is down for the first call
        await using var server = await StartAsync(log, oneHost: true);
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web3"))).EnsureSuccessStatusCode();
        var vm = await admin.WaitForStateAsync("web3", "Running");
        var host = await HostIdAsync(server, vm.Host!);
        await EventuallyAsync(() => Task.FromResult(log.Calls.Count), c => c >= 1, TimeSpan.FromSeconds(10), "the first (failed) publication");

        // The host failed (its agent went silent) and the publication had reached a long backoff: next attempt in 5 minutes.
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
            var op = await EventuallyAsync(async () => await db.Operations.AsNoTracking().SingleAsync(o => o.Kind == OperationKind.PublishNames),
                o => o.Status == OperationStatus.Pending && o.NotBefore is not null, TimeSpan.FromSeconds(10), "the publication waiting for its retry");
            var tracked = await db.Operations.SingleAsync(o => o.Id == op.Id);
            tracked.RetryAt("the agent of the host is not answering", DateTimeOffset.UtcNow.AddMinutes(5));
            (await db.Hosts.SingleAsync(h => h.Id == host)).MovePower(HostPowerState.Failed, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        // Its agent heartbeats again: the health monitor marks the host On and has it learn the names at once.
        var registry = new Octopus.Application.Agents.AgentRegistry(
            new Octopus.Persistence.Agents.AgentRegistrationStore(server.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>()), TimeProvider.System);
        var agent = registry.Register(host, vm.Host!, "http://127.0.0.1:9");
        (await registry.AcceptHeartbeatAsync(agent.Id, new Octopus.Contracts.Agents.AgentStatus(1, 1, 0.25, []))).Should().BeNull();
        var monitor = new Octopus.Application.Agents.AgentHealthMonitor(registry,
            Microsoft.Extensions.Options.Options.Create(new Octopus.Application.Agents.AgentOptions()), server.App.Services.GetRequiredService<IServiceScopeFactory>(),
            [], TimeProvider.System, new Octopus.Application.Cluster.ReplicaLeadership(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Octopus.Application.Agents.AgentHealthMonitor>.Instance);
        await monitor.CheckAsync(TestContext.Current.CancellationToken);

        var calls = await EventuallyAsync(() => Task.FromResult(log.Calls.ToList()), c => c.Any(x => !x.Failed), TimeSpan.FromSeconds(10),
            "the names published once the host is back, not 5 minutes later");
        calls[^1].Names.Should().Equal("web3=" + vm.Nics![0].Ip);
        var ops = await EventuallyAsync(() => PublicationsAsync(server), o => o.All(x => x.IsFinished), TimeSpan.FromSeconds(5), "the publication settling");
        ops.Should().ContainSingle("the waiting publication was made due, not joined by a second").Which.Status.Should().Be(OperationStatus.Succeeded);
    }

    [Fact]
    public async Task FailedPublication_WithANewerOneJournaledMeanwhile_IsNotRetried_TheNewerPublishesTheNamesAsTheyAreNow()
    {
        var release = new TaskCompletionSource();
        // The first call waits until the test lets it fail; every later one gets through.
        var log = new NamesLog { Fail = async n => { if (n == 1) { await release.Task; return true; } return false; } };
        await using var server = await StartAsync(log, oneHost: true);
        var admin = await server.LoginAsync();
        (await admin.PostAsJsonAsync(ApiRoutes.Networks, Lab)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("web3"))).EnsureSuccessStatusCode();
        var web3 = await admin.WaitForStateAsync("web3", "Running");
        await EventuallyAsync(() => PublicationsAsync(server), o => o.Any(x => x.Status == OperationStatus.Running), TimeSpan.FromSeconds(5), "the first publication running");

        // A second VM on the same network and host while the first publication is stuck: a newer one is journaled.
        (await admin.PostAsJsonAsync(ApiRoutes.Vms, VmOn("db"))).EnsureSuccessStatusCode();
        var db = await admin.WaitForStateAsync("db", "Running");
        await EventuallyAsync(() => PublicationsAsync(server), o => o.Count == 2, TimeSpan.FromSeconds(5), "a second publication journaled");
        release.SetResult();

        var ops = await EventuallyAsync(() => PublicationsAsync(server), o => o.Count == 2 && o.All(x => x.IsFinished), TimeSpan.FromSeconds(10), "both settling");
        (ops[0].Status, ops[0].ErrorCode, ops[0].Attempts).Should().Be((OperationStatus.Failed, "names.superseded", 1));
        ops[0].StepLines()[^1].Text.Should().Contain($"operation {ops[1].Id}");
        ops[1].Status.Should().Be(OperationStatus.Succeeded);
        log.Calls.Last().Names.Should().BeEquivalentTo(["web3=" + web3.Nics![0].Ip, "db=" + db.Nics![0].Ip]);
        log.Calls.Count.Should().Be(2, "the failed one was not tried again");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(9, 256)]
    [InlineData(10, 300)] // 512 s capped at 5 minutes
    [InlineData(1000, 300)]
    public void NamesRetryDelay_DoublesFromOneSecond_CappedAtFiveMinutes(int attempts, int seconds) =>
        OperationRunner.NamesRetryDelay(attempts).Should().Be(TimeSpan.FromSeconds(seconds));
}
