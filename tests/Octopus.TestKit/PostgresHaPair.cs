using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Octopus.TestKit;

/// <summary>A throwaway PostgreSQL primary and a streaming standby made from it with <c>pg_basebackup -R</c>
/// (<c>scripts/pg-test-cluster start</c> and <c>standby</c>, each in a folder of its own, run as the unprivileged user
/// when the tests run as root), with synchronous replication, so a transaction the primary acknowledged is on the
/// standby too. <see cref="CrashPrimaryAsync"/> (immediate shutdown) and <see cref="PromoteStandbyAsync"/> are what a
/// database failover does. Both servers are stopped by PID on dispose.</summary>
public sealed class PostgresHaPair : IAsyncDisposable
{
    private readonly string _primaryDir;
    private readonly string _standbyDir;

    private PostgresHaPair(string primaryDir, string standbyDir, int primaryPort, int standbyPort)
    {
        _primaryDir = primaryDir;
        _standbyDir = standbyDir;
        PrimaryPort = primaryPort;
        StandbyPort = standbyPort;
    }

    public int PrimaryPort { get; }
    public int StandbyPort { get; }

    /// <summary>The <c>octopus</c> database on both servers, primary first, as an operator would write it for a pair:
    /// whichever is primary is used (<c>Target Session Attributes=primary</c>), and a host found not to be primary is asked
    /// again after a second (<c>Host Recheck Seconds=1</c>).</summary>
    public string MultiHostConnectionString =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Database=octopus;Username=octopus;Target Session Attributes=primary;Host Recheck Seconds=1";

    /// <summary>Starts the primary (durable settings: synchronous commit must be on for synchronous replication), makes
    /// the standby from it, waits until it streams, and makes replication synchronous. Skips the calling test when
    /// PostgreSQL is not installed.</summary>
    public static async Task<PostgresHaPair> StartAsync()
    {
        if (PostgresTestCluster.MissingReason is { } reason) Assert.Skip(reason);
        var id = Guid.NewGuid().ToString("N")[..8];
        var primaryDir = Path.Combine(Path.GetTempPath(), $"octopus-pg-primary-{id}");
        var standbyDir = Path.Combine(Path.GetTempPath(), $"octopus-pg-standby-{id}");
        var primary = await RunScriptAsync("start", "--dir", primaryDir, "--durable");
        try
        {
            var standby = await RunScriptAsync("standby", "--dir", standbyDir, "--primary", primaryDir);
            var pair = new PostgresHaPair(primaryDir, standbyDir, new NpgsqlConnectionStringBuilder(primary).Port, new NpgsqlConnectionStringBuilder(standby).Port);
            await using var connection = new NpgsqlConnection(primary + ";Pooling=false");
            await connection.OpenAsync();
            var streaming = Stopwatch.StartNew();
            while (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE state = 'streaming')"))
            {
                if (streaming.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the standby did not stream from the primary within 60 s");
                await Task.Delay(100);
            }
            await ScalarAsync<object>(connection, "ALTER SYSTEM SET synchronous_standby_names = '*'");
            await ScalarAsync<bool>(connection, "SELECT pg_reload_conf()");
            while (!await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync')"))
            {
                if (streaming.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("replication did not become synchronous within 60 s");
                await Task.Delay(100);
            }
            return pair;
        }
        catch
        {
            await RunScriptAsync("stop", "--dir", standbyDir);
            await RunScriptAsync("stop", "--dir", primaryDir);
            throw;
        }
    }

    /// <summary>The primary fails: immediate shutdown, every connection cut, nothing flushed beyond what was committed.</summary>
    public Task CrashPrimaryAsync() => RunScriptAsync("crash", "--dir", _primaryDir);

    /// <summary>The standby becomes the primary (<c>pg_ctl promote</c>, waits until it accepts writes).</summary>
    public Task PromoteStandbyAsync() => RunScriptAsync("promote", "--dir", _standbyDir);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunScriptAsync("stop", "--dir", _standbyDir);
        await RunScriptAsync("stop", "--dir", _primaryDir);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> RunScriptAsync(params string[] args)
    {
        var script = Path.Combine(TestProcesses.RepositoryRoot(), "scripts", "pg-test-cluster");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/pg-test-cluster {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return (await stdout).Trim();
    }
}
