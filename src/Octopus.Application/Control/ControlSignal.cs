namespace Octopus.Application.Control;

/// <summary>Wakes the control loop early (a VM was created, capacity was freed) instead of waiting for its next tick.</summary>
public sealed class ControlSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
