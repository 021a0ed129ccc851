namespace Octopus.Persistence.Providers;

/// <summary>Wake-ups between the server processes that share one store: a process that committed work the leader should
/// act on (a new VM, an operation, a command) announces it, and every other process listening is told at once, so the
/// leader's control loop runs now instead of at its next poll. An announcement carries no data: the work itself is in
/// the store, and a lost announcement only costs the leader's poll interval. On PostgreSQL it is NOTIFY/LISTEN; SQLite
/// has one process per store and needs none (the in-process signal is the whole story there).</summary>
public interface IStoreWakeups
{
    /// <summary>Tells the other processes listening on the store; call it after the work's transaction committed (an
    /// announcement made inside one would reach them only at its commit, or never on a rollback).</summary>
    Task AnnounceAsync(CancellationToken ct);

    /// <summary>Starts listening: returns once every announcement made from now on by another process will run
    /// <paramref name="woken"/> (on a background thread; it must be quick and must not throw). This process's own
    /// announcements are not delivered to it. Dispose the listener to stop.</summary>
    Task<IStoreWakeListener> ListenAsync(Action woken, CancellationToken ct);
}

/// <summary>A running listener (<see cref="IStoreWakeups.ListenAsync"/>).</summary>
public interface IStoreWakeListener : IAsyncDisposable
{
    /// <summary>Completes when the listener stops: faulted when its connection to the store was lost (the database
    /// restarted or failed over), after which the caller listens again; successfully once disposed.</summary>
    Task Closed { get; }
}
