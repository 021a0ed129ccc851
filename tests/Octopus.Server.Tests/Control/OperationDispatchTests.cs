using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Octopus.Application.Cluster;
using Octopus.Application.Control;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>The runner's dispatch (<see cref="OperationRunner.DispatchAsync"/>) reads a bounded batch of due operations,
/// oldest first, claims what it starts in one save before starting it, and wakes the loop again when the batch was full.
/// A second runner is built from the server's services with a recording signal; the server's control loop is not
/// registered here, so only this runner dispatches the operations the test writes. Their VMs do not exist, so each run
/// ends at once as "nothing left to do".</summary>
public class OperationDispatchTests
{
    private static Task<TestServerApp> StartAsync() => TestServerApp.StartAsync(customize: b =>
    {
        var loop = b.Services.Single(d => d.ImplementationType == typeof(ControlLoop));
        b.Services.Remove(loop);
    });

    private sealed class CountingSignal : IControlSignal
    {
        public int Wakes;
        public void Wake() => Interlocked.Increment(ref Wakes);
        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => Task.FromResult(false);
    }

    /// <summary>Counts the rows the queries of its context read from the operations table (not the rows its saves' updates
    /// return, nor the leader-term check's).</summary>
    private sealed class RowCounter : DbCommandInterceptor
    {
        public int Rows;
        private static bool Counts(DbCommand command) =>
            command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("FROM \"Operations\"", StringComparison.Ordinal);

        public override InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (Counts(command)) Rows += eventData.ReadCount;
            return result;
        }

        public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (Counts(command)) Rows += eventData.ReadCount;
            return ValueTask.FromResult(result);
        }
    }

    private static async Task SeedAsync(TestServerApp app, int count, Func<int, DateTimeOffset?>? notBefore = null, Func<int, VmId>? vm = null)
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await using var scope = app.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OctopusDbContext>();
        for (var i = 0; i < count; i++)
        {
            var op = Operation.Begin(OperationKind.StopVm, vm?.Invoke(i) ?? VmId.New(), null, "test", t0.AddMilliseconds(i));
            if (notBefore?.Invoke(i) is { } at) op.RetryAt("waiting", at);
            db.Operations.Add(op);
        }
        await db.SaveChangesAsync();
    }

    /// <summary>Waits for the runs and for their completions' wake-ups (sent just after each run ends), then a moment more
    /// so that a wake-up too many would be counted.</summary>
    private static async Task SettleAsync(OperationRunner runner, CountingSignal signal, int wakes)
    {
        await runner.DrainAsync();
        for (var waited = 0; (runner.InFlight > 0 || Volatile.Read(ref signal.Wakes) < wakes) && waited < 5000; waited += 10) await Task.Delay(10);
        await Task.Delay(200);
    }

    private static (OperationRunner Runner, CountingSignal Signal) Runner(TestServerApp app)
    {
        var signal = new CountingSignal();
        return (ActivatorUtilities.CreateInstance<OperationRunner>(app.App.Services, signal), signal);
    }

    [Fact]
    public async Task DispatchAsync_ManyPending_ReadsOneBatchStartsTheOldestAndWakesAgain()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, 1000);
        var (runner, signal) = Runner(app);
        var counter = new RowCounter();
        var options = new DbContextOptionsBuilder<OctopusDbContext>(app.App.Services.GetRequiredService<DbContextOptions<OctopusDbContext>>())
            .AddInterceptors(counter).Options;

        int started;
        await using (var db = new OctopusDbContext(options))
            started = await runner.DispatchAsync(db, CancellationToken.None);
        await SettleAsync(runner, signal, 16);

        // 1,000 due: one batch of 4 × 16 = 64 rows is read (before: all 1,000), 16 start (the runner's concurrency). EF's
        // ReadCount also counts the last Read, which finds no further row: 64 + 1.
        counter.Rows.Should().Be(OperationRunner.DispatchBatch + 1);
        started.Should().Be(16);
        signal.Wakes.Should().BeGreaterThanOrEqualTo(16, "each finished operation wakes the loop");
        await using var check = app.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>().CreateDbContext();
        var done = await check.Operations.AsNoTracking().Where(o => o.Status != OperationStatus.Pending).ToListAsync();
        done.Select(o => o.CreatedAt).Should().BeEquivalentTo(
            (await check.Operations.AsNoTracking().ToListAsync()).Select(o => o.CreatedAt).OrderBy(c => c).Take(16), "the oldest start first");
    }

    [Fact]
    public async Task DispatchAsync_ClaimsWhatItStartsInOneSave_BeforeTheRunsBegin()
    {
        await using var app = await StartAsync();
        await SeedAsync(app, 10);
        var (runner, _) = Runner(app);
        var replica = app.App.Services.GetRequiredService<ReplicaLeadership>().ReplicaId;

        await using (var db = new OctopusDbContext(app.App.Services.GetRequiredService<DbContextOptions<OctopusDbContext>>()))
            (await runner.DispatchAsync(db, CancellationToken.None)).Should().Be(10);
        await runner.DrainAsync();

        // Each operation ended as "nothing left to do" (its VM does not exist), after the dispatch's claim: before, such a
        // run was never claimed (ClaimHolder null, 0 attempts), each run claiming for itself in its own save.
        await using var check = app.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>().CreateDbContext();
        var ops = await check.Operations.AsNoTracking().ToListAsync();
        ops.Should().AllSatisfy(o =>
        {
            o.Status.Should().Be(OperationStatus.Succeeded);
            o.ClaimHolder.Should().Be(replica);
            o.Attempts.Should().Be(1);
        });
    }

    [Fact]
    public async Task DispatchAsync_OlderOperationsWaitingOutABackoff_DoNotFillTheBatch()
    {
        await using var app = await StartAsync();
        // The 100 oldest wait an hour; the 101st is due now and must start although it is past the first batch.
        await SeedAsync(app, 101, i => i < 100 ? DateTimeOffset.UtcNow.AddHours(1) : null);
        var (runner, signal) = Runner(app);

        await using (var db = new OctopusDbContext(app.App.Services.GetRequiredService<DbContextOptions<OctopusDbContext>>()))
            (await runner.DispatchAsync(db, CancellationToken.None)).Should().Be(1);
        await SettleAsync(runner, signal, 1);

        signal.Wakes.Should().Be(1, "only the finished operation wakes the loop: the batch read was not full");
        await using var check = app.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>().CreateDbContext();
        (await check.Operations.AsNoTracking().CountAsync(o => o.Status == OperationStatus.Pending)).Should().Be(100);
    }

    [Fact]
    public async Task DispatchAsync_FullBatchBlockedBehindOneVm_LeavesTheRestForTheNextPassAndWakesItAtOnce()
    {
        await using var app = await StartAsync();
        // The 64 oldest are for one VM (they run one at a time), the 65th for another VM: past the first batch.
        var one = VmId.New();
        var other = VmId.New();
        await SeedAsync(app, OperationRunner.DispatchBatch + 1, vm: i => i < OperationRunner.DispatchBatch ? one : other);
        var (runner, signal) = Runner(app);
        var options = app.App.Services.GetRequiredService<DbContextOptions<OctopusDbContext>>();
        var contexts = app.App.Services.GetRequiredService<IDbContextFactory<OctopusDbContext>>();

        await using (var db = new OctopusDbContext(options))
            (await runner.DispatchAsync(db, CancellationToken.None)).Should().Be(1);
        await SettleAsync(runner, signal, 2);
        signal.Wakes.Should().Be(2, "the full batch woke the loop at once, and the finished operation once more");
        await using (var check = contexts.CreateDbContext())
            (await check.Operations.AsNoTracking().SingleAsync(o => o.VmId == other)).Status.Should().Be(OperationStatus.Pending, "it was past the batch");

        await using (var db = new OctopusDbContext(options))
            (await runner.DispatchAsync(db, CancellationToken.None)).Should().Be(2, "the next of the first VM's, and the other VM's");
        await runner.DrainAsync();
        await using (var check = contexts.CreateDbContext())
            (await check.Operations.AsNoTracking().SingleAsync(o => o.VmId == other)).Status.Should().Be(OperationStatus.Succeeded);
    }
}
