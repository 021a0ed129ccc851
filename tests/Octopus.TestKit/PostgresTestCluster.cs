using System.Diagnostics;
using Npgsql;
using Octopus.Persistence.Postgres;
using Xunit;

namespace Octopus.TestKit;

/// <summary>Which store a test's server or store runs on.</summary>
public enum TestStoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>The throwaway PostgreSQL cluster of this test process: started by <c>scripts/pg-test-cluster start</c> on
/// first use (once per process, in a folder of its own so parallel test processes do not share it), stopped by the
/// script's <c>stop</c> when the process ends (or earlier through <see cref="StopAsync"/>, from an assembly fixture).
/// Each test store is a fresh database (<see cref="CreateDatabaseAsync"/>), dropped when the test ends.</summary>
public static class PostgresTestCluster
{
    /// <summary>Set <c>OCTOPUS_TEST_STORE=postgres</c> to run every test that does not choose its store on PostgreSQL.</summary>
    public const string StoreVariable = "OCTOPUS_TEST_STORE";

    private static readonly Lock Gate = new();
    private static Task<string>? _started;
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), $"octopus-pg-test-{Environment.ProcessId}");

    /// <summary>The store for tests that do not choose one: <see cref="StoreVariable"/>, else SQLite.</summary>
    public static TestStoreKind DefaultStore =>
        Environment.GetEnvironmentVariable(StoreVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "sqlite" => TestStoreKind.Sqlite,
            "postgres" => TestStoreKind.Postgres,
            var other => throw new InvalidOperationException($"{StoreVariable}='{other}': use sqlite or postgres."),
        };

    /// <summary>Why PostgreSQL tests cannot run here (no initdb on PATH or under /usr/lib/postgresql), or null.</summary>
    public static string? MissingReason
    {
        get
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Any(d => File.Exists(Path.Combine(d, "initdb")));
            var debian = Directory.Exists("/usr/lib/postgresql") &&
                Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "initdb")));
            return onPath || debian ? null : "PostgreSQL binaries (initdb, pg_ctl) are not installed; run scripts/install-deps";
        }
    }

    /// <summary>Creates an empty database on the cluster (starting it first if needed) and returns its connection
    /// string; skips the calling test when PostgreSQL is not installed.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        if (MissingReason is { } reason) Assert.Skip(reason);
        var admin = await StartAsync();
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> (its pooled connections are closed first).</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var pooled = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(pooled);
        var admin = await StartAsync();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Starts the cluster once per process; returns the connection string of its <c>octopus</c> database.</summary>
    public static Task<string> StartAsync()
    {
        lock (Gate)
        {
            if (_started is null)
            {
                _started = RunScriptAsync("start");
                AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync().GetAwaiter().GetResult();
            }
            return _started;
        }
    }

    /// <summary>Stops the cluster if this process started it (the script stops the postmaster by its PID and deletes
    /// the folder).</summary>
    public static async Task StopAsync()
    {
        Task<string>? started;
        lock (Gate)
        {
            started = _started;
            _started = null;
        }
        if (started is null) return;
        PostgresStore.ClearPools();
        await RunScriptAsync("stop");
    }

    private static async Task<string> RunScriptAsync(string command)
    {
        var script = Path.Combine(TestProcesses.RepositoryRoot(), "scripts", "pg-test-cluster");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, command, "--dir", Folder }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/pg-test-cluster {command} failed ({process.ExitCode}): {await stderr}");
        return (await stdout).Trim();
    }
}
