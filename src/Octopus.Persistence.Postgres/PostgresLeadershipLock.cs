using Npgsql;
using Octopus.Persistence.Providers;

namespace Octopus.Persistence.Postgres;

/// <summary>The leadership lock on PostgreSQL: a session advisory lock (one key per database) on a connection of its own,
/// outside the pool. The session is told to end itself after <see cref="LeadershipTimeouts.SessionIdleTimeout"/> without a
/// statement (<c>idle_session_timeout</c>), so a frozen holder (SIGSTOP, a stalled VM) loses the lock even though its
/// kernel still answers TCP; a holder that died outright loses it when its socket closes, or through the server's TCP
/// keepalives when its machine vanished. <see cref="StillHeldAsync"/> is the holder's heartbeat.</summary>
internal sealed class PostgresLeadershipLock : ILeadershipLock
{
    /// <summary>The advisory lock key: "Octopus!" in ASCII, as a 64-bit number. Advisory locks are per database.</summary>
    private const long Key = 0x4F63746F70757321;

    private readonly NpgsqlConnection _connection;
    private bool _lost;

    private PostgresLeadershipLock(NpgsqlConnection connection) => _connection = connection;

    public static async Task<ILeadershipLock?> TryTakeAsync(string connectionString, LeadershipTimeouts timeouts, CancellationToken ct)
    {
        var idle = Math.Max(1000, (int)timeouts.SessionIdleTimeout.TotalMilliseconds);
        var keepAlive = Math.Max(1, (int)timeouts.KeepAlive.TotalSeconds);
        var b = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = "octopus-leadership",
            Timeout = Math.Max(2, (int)Math.Ceiling(timeouts.SessionIdleTimeout.TotalSeconds)),
            CommandTimeout = Math.Max(2, (int)Math.Ceiling(timeouts.SessionIdleTimeout.TotalSeconds)),
            TcpKeepAlive = true,
            TcpKeepAliveTime = keepAlive,
            TcpKeepAliveInterval = 1,
        };
        b.Options = $"{b.Options} -c idle_session_timeout={idle} -c tcp_keepalives_idle={keepAlive} -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3".Trim();
        var connection = new NpgsqlConnection(b.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            take.Parameters.AddWithValue("key", Key);
            if (await take.ExecuteScalarAsync(ct) is true) return new PostgresLeadershipLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async Task<bool> StillHeldAsync(CancellationToken ct)
    {
        if (_lost) return false;
        try
        {
            // A session-level advisory lock lasts as long as its session: a live session still holds it.
            await using var ping = new NpgsqlCommand("SELECT 1", _connection);
            await ping.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            _lost = true;
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync(); // closing the session releases the lock
}
