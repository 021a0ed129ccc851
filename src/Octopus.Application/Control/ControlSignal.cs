namespace Octopus.Application.Control;

/// <summary>Wakes the leader's control loop early (a VM was created, a command was accepted, capacity was freed) instead
/// of letting it wait for its next tick. <see cref="Wake"/> is called after the work it announces was committed, on
/// whichever replica accepted it; the leader's loop waits in <see cref="WaitAsync"/>. A lost wake-up costs at most one
/// poll interval (the work is in the store), so neither method fails.</summary>
public interface IControlSignal
{
    /// <summary>Asks the leader's control loop to run now. Never blocks, never throws.</summary>
    void Wake();

    /// <summary>Waits for a wake-up or <paramref name="timeout"/>; true when woken.</summary>
    Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct);
}

/// <summary>The in-process <see cref="IControlSignal"/>: enough where one process owns the store (SQLite); on a store
/// shared by replicas, <see cref="StoreControlSignal"/> adds the wake-ups between them.</summary>
public sealed class ControlSignal : IControlSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
