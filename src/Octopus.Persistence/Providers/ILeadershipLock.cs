namespace Octopus.Persistence.Providers;

/// <summary>The store's leadership lock, held by one server process at a time (<see cref="IStoreProvider.TryTakeLeadershipAsync"/>).
/// On PostgreSQL it is a session advisory lock on a connection of its own, which the server drops when the session dies
/// (the process was killed, or froze and let the session idle past its timeout); on SQLite, where one process owns the
/// file, it is always held. Dispose to release it.</summary>
public interface ILeadershipLock : IAsyncDisposable
{
    /// <summary>Checks with the store that the lock is still held (a round trip on the lock's own session, which also
    /// keeps the session from idling out). False once it is lost; the holder must stop acting as leader.</summary>
    Task<bool> StillHeldAsync(CancellationToken ct);
}

/// <summary>How quickly a frozen or vanished leader loses the lock: the lock's session is ended by the database after
/// <see cref="SessionIdleTimeout"/> without a round trip (a frozen process sends none), and a lost peer is detected by
/// TCP keepalives after about <see cref="KeepAlive"/> × 3. The holder checks the lock every <see cref="CheckInterval"/>,
/// which must be well below <see cref="SessionIdleTimeout"/>.</summary>
public sealed record LeadershipTimeouts(TimeSpan CheckInterval, TimeSpan SessionIdleTimeout, TimeSpan KeepAlive)
{
    public static readonly LeadershipTimeouts Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2));
}
