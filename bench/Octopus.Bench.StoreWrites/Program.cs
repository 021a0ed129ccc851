using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Octopus.Application.Agents;
using Octopus.Application.Control;
using Octopus.Application.Policies;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Agents;
using Octopus.Persistence.Postgres;
using Octopus.Persistence.Sqlite;

// Store write cost of the two per-host and per-VM streams a replica writes all the time (issue 12), at 1,000 hosts and
// 10,000 VMs by default:
//  - agent heartbeats: every agent heartbeats every 2 s (the agent's default), each accepted by one conditional UPDATE
//    that also stores its report (10 VMs each here, as 10,000 VMs over 1,000 hosts);
//  - the policy runtime's CPU histories: a policy pass that takes a CPU sample (every 30 s) writes the current hour's
//    PolicyCpuHistory row of every VM and host it gave a sample (the measured passes are at minutes 50-55 of the
//    hour), and the pass that finds the hour closed;
//  - the VM loads the leader's TelemetryCache writes every 5 s (10,000 VMs, --busy percent of them changing load).
// Printed per store: rows written, write statements and round trips, wall ms, DB bytes written (SQLite: bytes this
// process wrote, /proc/self/io wchar, i.e. WAL and checkpoints; PostgreSQL: WAL bytes, pg_current_wal_lsn), and the
// same per second at the production rate. PostgreSQL runs on a throwaway durable cluster (scripts/pg-test-cluster
// --durable), SQLite on a file in /tmp (WAL mode, as the server).
// Heartbeats are sent --concurrency at a time (the requests a replica answers at once); those that arrive while a group
// is committed share the next transaction (AgentRegistrationStore's group commit).
// Usage: dotnet run -c Release --project bench/Octopus.Bench.StoreWrites [-- --hosts 1000 --vms 10000 --rounds 10 --passes 6 --concurrency 4 --busy 20 --store both|sqlite|postgres] [--heartbeats-only]
var hostCount = Arg("--hosts", 1_000);
var vmCount = Arg("--vms", 10_000);
var rounds = Arg("--rounds", 10);
var passes = Arg("--passes", 6);
var which = ArgText("--store", "both");
var concurrency = Arg("--concurrency", 4);
var busy = Math.Min(100, Arg("--busy", 20));
var onlyHeartbeats = args.Contains("--heartbeats-only");
var heartbeatEvery = TimeSpan.FromSeconds(2);
var sampleEvery = TimeSpan.FromSeconds(30);
Console.WriteLine($"store writes at {hostCount:N0} hosts / {vmCount:N0} VMs; heartbeats every {heartbeatEvery.TotalSeconds:0} s ({rounds} rounds), " +
    $"CPU samples every {sampleEvery.TotalSeconds:0} s ({passes} passes); {concurrency} heartbeats at a time; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

if (which is "both" or "sqlite")
{
    var dir = Directory.CreateTempSubdirectory("octopus-bench-storewrites-");
    try { await RunAsync("SQLite", o => SqliteStore.Configure(o, SqliteStore.ConnectionStringFor(Path.Combine(dir.FullName, "octopus.db"))), null); }
    finally { SqliteStore.ClearPools(); dir.Delete(true); }
}
if (which is "both" or "postgres")
{
    var pgDir = Path.Combine(Path.GetTempPath(), $"octopus-bench-storewrites-pg-{Environment.ProcessId}");
    var admin = await PgClusterAsync("start", pgDir, "--durable");
    try
    {
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = "storewrites" }.ConnectionString;
        await using (var c = new NpgsqlConnection(admin))
        {
            await c.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE storewrites", c);
            await create.ExecuteNonQueryAsync();
        }
        await RunAsync("PostgreSQL", o => PostgresStore.Configure(o, cs), cs);
    }
    finally
    {
        PostgresStore.ClearPools();
        await PgClusterAsync("stop", pgDir);
    }
}

async Task RunAsync(string name, Func<DbContextOptionsBuilder<OctopusDbContext>, DbContextOptionsBuilder<OctopusDbContext>> configure, string? pg)
{
    var counter = new WriteCounter();
    IDbContextFactory<OctopusDbContext> contexts = new Factory(configure(new DbContextOptionsBuilder<OctopusDbContext>()).AddInterceptors(counter, counter.Transactions).Options);
    await using (var db = await contexts.CreateDbContextAsync())
    {
        await db.Provider.PrepareAsync(db, default);
        await db.Database.MigrateAsync();
    }
    var rng = new Random(42);
    var t0 = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    // ---- heartbeats: through the registry, as the heartbeat endpoint calls it ----------------------------------------
    var time = new ManualTime { Now = t0 };
    var agents = new AgentRegistry(new AgentRegistrationStore(contexts), time);
    var ids = Enumerable.Range(0, hostCount).Select(i => agents.Register(new HostId(Guid.NewGuid()), $"node-{i:D4}", $"http://10.0.{i / 250}.{i % 250}:7001").Id).ToArray();
    var vmIds = Enumerable.Range(0, vmCount).Select(_ => Guid.NewGuid()).ToArray();
    var perHost = vmCount / hostCount;
    // The VMs' states stay as they are; their loads and rates change with every report (as real ones do).
    AgentStatus Report(int host, long sequence) => new(sequence, 3, rng.NextDouble(),
        [.. Enumerable.Range(0, perHost).Select(k => new AgentVmStatus(vmIds[host * perHost + k], "running", true, rng.NextDouble() * 4,
            (1L + k) << 30, new AgentVmFigures(rng.Next(0, 1 << 20), rng.Next(0, 1 << 20), rng.Next(0, 1 << 16), rng.Next(0, 1 << 16))))]);
    Console.WriteLine($"{name}: report of {perHost} VMs = {JsonSerializer.Serialize(Report(0, 1), new JsonSerializerOptions(JsonSerializerDefaults.Web)).Length} bytes of JSON");
    var m = await MeasureAsync(counter, pg, contexts, async () =>
    {
        for (var r = 1; r <= rounds; r++)
        {
            time.Now = t0 + heartbeatEvery * r;
            var reports = Enumerable.Range(0, hostCount).Select(h => Report(h, r)).ToArray();
            // --concurrency requests at a time, as a server answers heartbeats concurrently.
            await Parallel.ForEachAsync(Enumerable.Range(0, hostCount), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (h, _) =>
            {
                if (await agents.AcceptHeartbeatAsync(ids[h], reports[h]) is { } refused) throw new InvalidOperationException(refused);
            });
        }
        return (long)rounds * hostCount;
    });
    Print(name, "heartbeats", m, rounds, heartbeatEvery, "round of every agent's heartbeat");
    if (onlyHeartbeats) return;

    // ---- policy runtime CPU histories ----------------------------------------------------------------------------------
    var state = new PolicyRuntimeState();
    var vms = vmIds.Select(v => new VmId(v)).ToArray();
    var hosts = ids.Select(h => new HostId(h)).ToArray();
    var hour = t0;
    void Sample(DateTimeOffset at)
    {
        foreach (var v in vms) state.RecordVmCpu(v, at, Math.Round(rng.NextDouble() * 100, 2));
        foreach (var h in hosts) state.RecordHostCpu(h, at, Math.Round(rng.NextDouble() * 100, 2));
    }
    // The first 50 minutes of the hour, written once (rows of 100 samples), then the measured passes.
    for (var at = hour; at < hour.AddMinutes(50); at += sampleEvery) Sample(at);
    await using (var db = await contexts.CreateDbContextAsync()) await PolicyRuntimeStore.SaveAsync(db, state, hour.AddMinutes(50), default);
    var before = counter.Statements;
    m = await MeasureAsync(counter, pg, contexts, async () =>
    {
        for (var pass = 0; pass < passes; pass++)
        {
            var at = hour.AddMinutes(50) + sampleEvery * pass;
            Sample(at);
            await using var db = await contexts.CreateDbContextAsync();
            await PolicyRuntimeStore.SaveAsync(db, state, at, default);
        }
        return counter.Statements - before; // one row per write statement here
    });
    Print(name, "CPU histories", m, passes, sampleEvery, "pass");
    // The rest of the hour unmeasured, then the pass that finds the hour closed (it writes the hour's rows once).
    for (var at = hour.AddMinutes(50) + sampleEvery * passes; at < hour.AddHours(1); at += sampleEvery)
    {
        Sample(at);
        await using var db = await contexts.CreateDbContextAsync();
        await PolicyRuntimeStore.SaveAsync(db, state, at, default);
    }
    before = counter.Statements;
    m = await MeasureAsync(counter, pg, contexts, async () =>
    {
        Sample(hour.AddHours(1));
        await using var db = await contexts.CreateDbContextAsync();
        await PolicyRuntimeStore.SaveAsync(db, state, hour.AddHours(1), default);
        return counter.Statements - before;
    });
    Print(name, "CPU hour close", m, 1, TimeSpan.FromHours(1), "hour close");

    // ---- VM loads: the leader's TelemetryCache written every 5 s --------------------------------------------------------
    // Every VM is in the store (VmLoads rows need one). --busy percent of the VMs change load by up to 30 points between
    // two writes; the others drift by less than half a point (a steady or idle VM).
    var owner = User.Create(UserName.Parse("bench"), UserRole.User, "x", Quota.Unlimited, t0);
    var geometry = Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(1), ImageName.Parse("debian-12"));
    var observed = new VmId[vmCount];
    await using (var db = await contexts.CreateDbContextAsync())
    {
        db.Users.Add(owner);
        for (var i = 0; i < vmCount; i++)
        {
            var vm = Vm.Create(VmName.Parse($"vm-{i:D5}"), owner.Id, geometry, t0);
            observed[i] = vm.Id;
            db.Vms.Add(vm);
        }
        await db.SaveChangesAsync();
    }
    var cache = new TelemetryCache();
    var loads = vms.Select(_ => rng.NextDouble()).ToArray();
    void Observe()
    {
        for (var i = 0; i < loads.Length; i++)
        {
            var step = i % 100 < busy ? (rng.NextDouble() - 0.5) * 0.6 : (rng.NextDouble() - 0.5) * 0.008;
            loads[i] = Math.Clamp(loads[i] + step, 0, 1);
            cache.Set(observed[i], loads[i]);
        }
    }
    for (var k = 0; k < TelemetryCache.HistoryLength; k++) { Observe(); cache.CloseInterval(); }
    await using (var db = await contexts.CreateDbContextAsync()) await cache.PersistAsync(db, t0, default);
    var persistEvery = TelemetryCache.PersistEvery;
    before = counter.Statements;
    m = await MeasureAsync(counter, pg, contexts, async () =>
    {
        for (var r = 1; r <= rounds; r++)
        {
            Observe();
            await using var db = await contexts.CreateDbContextAsync();
            if (!await cache.PersistAsync(db, t0 + persistEvery * r, default)) throw new InvalidOperationException("the VM loads were not written");
        }
        return counter.Statements - before;
    });
    Print(name, "VM loads", m, rounds, persistEvery, "write");
}

void Print(string store, string what, Measured m, int repeats, TimeSpan every, string unit)
{
    var perRepeat = m.Elapsed.TotalMilliseconds / repeats;
    var scale = 1 / every.TotalSeconds / repeats; // per second at the production rate
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{store,-10} {what,-14}: {m.Rows / (double)repeats,9:N0} rows, {m.Statements / (double)repeats,9:N0} write statements, {m.RoundTrips / (double)repeats,8:N0} round trips, {m.Commits / (double)repeats,7:N0} commits, " +
        $"{perRepeat,8:N0} ms, {m.Bytes / (double)repeats / 1e6,7:N2} MB written per {unit}; at the production rate: {m.Rows * scale,7:N0} rows/s, " +
        $"{m.Statements * scale,7:N0} statements/s, {m.Commits * scale,6:N0} commits/s, {m.Bytes * scale / 1e3,8:N0} kB/s, {perRepeat / every.TotalMilliseconds * 100,5:N1} % of the time busy writing"));
}

async Task<Measured> MeasureAsync(WriteCounter counter, string? pg, IDbContextFactory<OctopusDbContext> contexts, Func<Task<long>> work)
{
    var (statements, trips, commits) = (counter.Statements, counter.RoundTrips, counter.Commits);
    var bytes = await BytesWrittenAsync(pg);
    var clock = Stopwatch.StartNew();
    var rows = await work();
    var elapsed = clock.Elapsed;
    return new Measured(rows, counter.Statements - statements, counter.RoundTrips - trips, counter.Commits - commits, await BytesWrittenAsync(pg) - bytes, elapsed);
}

static async Task<long> BytesWrittenAsync(string? pg)
{
    if (pg is null)
        return long.Parse(File.ReadLines("/proc/self/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))[6..].Trim(), CultureInfo.InvariantCulture);
    await using var c = new NpgsqlConnection(pg);
    await c.OpenAsync();
    await using var q = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", c);
    return (long)(await q.ExecuteScalarAsync())!;
}

// scripts/pg-test-cluster, found from the repository root above this program (or the working folder).
static async Task<string> PgClusterAsync(string command, string dir, params string[] more)
{
    var root = new[] { AppContext.BaseDirectory, Environment.CurrentDirectory }.Select(s => new DirectoryInfo(s))
        .SelectMany(d => { var l = new List<DirectoryInfo>(); for (var x = d; x is not null; x = x.Parent) l.Add(x); return l; })
        .FirstOrDefault(d => File.Exists(Path.Combine(d.FullName, "Octopus.slnx")))?.FullName
        ?? throw new InvalidOperationException("cannot find the repository root (Octopus.slnx)");
    var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { Path.Combine(root, "scripts", "pg-test-cluster"), command, "--dir", dir }.Concat(more)) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
    if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/pg-test-cluster {command} failed ({process.ExitCode}): {await stderr}");
    return (await stdout).Trim();
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    if (i < 0) return fallback;
    if (i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1) return v;
    Console.Error.WriteLine($"error: {name} needs a positive whole number");
    Environment.Exit(2);
    return 0;
}

string ArgText(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    if (i < 0) return fallback;
    var v = i + 1 < args.Length ? args[i + 1] : "";
    if (v is not ("both" or "sqlite" or "postgres"))
    {
        Console.Error.WriteLine($"error: {name} is both, sqlite or postgres");
        Environment.Exit(2);
    }
    return v;
}

internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; }
    public override DateTimeOffset GetUtcNow() => Now;
}

internal sealed record Measured(long Rows, long Statements, long RoundTrips, long Commits, long Bytes, TimeSpan Elapsed);

internal sealed class Factory(DbContextOptions<OctopusDbContext> options) : IDbContextFactory<OctopusDbContext>
{
    public OctopusDbContext CreateDbContext() => new(options);
}

/// <summary>Counts the round trips that write (a command with an INSERT, UPDATE or DELETE), the write statements in them
/// (EF batches several into one command) and the commits that make them durable: a write round trip outside a
/// transaction commits on its own, a transaction commits once (<see cref="Transactions"/> counts those).</summary>
internal sealed class WriteCounter : DbCommandInterceptor
{
    private long _statements, _trips, _autocommits;
    public long Statements => Interlocked.Read(ref _statements);
    public long RoundTrips => Interlocked.Read(ref _trips);
    public long Commits => Interlocked.Read(ref _autocommits) + Transactions.Commits;
    public TransactionCounter Transactions { get; } = new();

    private void Count(DbCommand command)
    {
        var n = command.CommandText.Split(';').Count(s => s.TrimStart() is var t && (t.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || t.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || t.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)));
        if (n == 0) return;
        Interlocked.Add(ref _statements, n);
        Interlocked.Increment(ref _trips);
        if (command.Transaction is null) Interlocked.Increment(ref _autocommits);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) { Count(command); return result; }
    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken ct = default) { Count(command); return ValueTask.FromResult(result); }
    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) { Count(command); return result; }
    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken ct = default) { Count(command); return ValueTask.FromResult(result); }
}

/// <summary>Counts the transactions committed.</summary>
internal sealed class TransactionCounter : DbTransactionInterceptor
{
    private long _commits;
    public long Commits => Interlocked.Read(ref _commits);
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Interlocked.Increment(ref _commits);
    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _commits);
        return Task.CompletedTask;
    }
}
