using Npgsql;
using Octopus.Persistence.Providers;

namespace Octopus.Persistence.Postgres;

/// <summary>Wake-ups between the replicas on one PostgreSQL database: <c>NOTIFY octopus_control</c> (payload: the
/// sending process's id, so it can ignore its own) on a pooled connection, received by <c>LISTEN</c> on a connection of
/// its own outside the pool. PostgreSQL delivers a notification to every session listening on the channel when the
/// notifying transaction commits (at once here: the NOTIFY is a statement of its own, sent after the work committed).
/// With a multi-host connection string both follow the primary, as the store's contexts do.</summary>
public sealed class PostgresWakeups : IStoreWakeups
{
    /// <summary>The channel name (unquoted identifiers are folded to lower case, so it is lower case already).</summary>
    public const string Channel = "octopus_control";

    /// <summary>How long the listening connection may sit without traffic before it checks the server still answers (a
    /// database that vanished without closing the socket is noticed after at most this plus the command timeout).</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    private readonly string _connectionString;
    private readonly string _self = Guid.NewGuid().ToString("N");

    public PostgresWakeups(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = PostgresStore.WithSessionTimeouts(connectionString);
    }

    public async Task AnnounceAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @sender)", connection);
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("sender", _self);
        await notify.ExecuteNonQueryAsync(ct);
    }

    public async Task<IStoreWakeListener> ListenAsync(Action woken, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(woken);
        var b = new NpgsqlConnectionStringBuilder(_connectionString)
        {
            Pooling = false, // LISTEN belongs to the session: a pooled session would carry it to whoever takes it next
            ApplicationName = "octopus-wakeups",
            CommandTimeout = 5,
            TcpKeepAlive = true,
        };
        var connection = new NpgsqlConnection(b.ConnectionString);
        connection.Notification += (_, e) =>
        {
            if (e.Channel == Channel && e.Payload != _self) woken();
        };
        try
        {
            await connection.OpenAsync(ct);
            await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await listen.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new Listener(connection);
    }

    private sealed class Listener : IStoreWakeListener
    {
        private readonly NpgsqlConnection _connection;
        private readonly CancellationTokenSource _stop = new();

        public Listener(NpgsqlConnection connection)
        {
            _connection = connection;
            Closed = Task.Run(ReceiveAsync);
        }

        public Task Closed { get; }

        private async Task ReceiveAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    // Notifications arrive while waiting (the Notification event runs on this loop's thread).
                    if (await _connection.WaitAsync(CheckEvery, _stop.Token)) continue;
                    await using var check = new NpgsqlCommand("SELECT 1", _connection);
                    await check.ExecuteScalarAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await Closed; }
            catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException) { /* already lost */ }
            await _connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}
