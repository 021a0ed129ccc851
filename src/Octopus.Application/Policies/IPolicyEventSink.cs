using System.Collections.Concurrent;
using Octopus.Policies.Evaluation;

namespace Octopus.Application.Policies;

/// <summary>Where the rest of the server reports what event-triggered policies react to: a VM's state changed, a host
/// failed, a lease is about to end. Its only publisher is the leader's <see cref="PolicyPass"/> (events derived from the
/// store); the policies that react are evaluated in the same pass. Never blocks, never throws.</summary>
public interface IPolicyEventSink
{
    void Publish(PolicyEvent e);
}

/// <summary>The in-memory queue behind <see cref="IPolicyEventSink"/>, local to the leader. It is a derivation of the
/// store, not state of its own: the only publisher is the leader's <see cref="PolicyPass"/>, which compares the states
/// it reads from the store with those of its previous pass, so a request served by a follower (a VM stopped, a lease
/// changed) reaches event-triggered policies through the store at the leader's next pass, and no replica publishes to
/// another's queue: a follower's queue stays empty (nothing on it publishes), so nothing a follower sees is lost. A
/// replica that begins a term starts from the states the last leader saved (<see cref="PolicyRuntimeStore"/>), so a
/// state that changed between the old leader's last pass and the new one's first raises its event then, and events
/// left in its queue from an earlier term of its own are dropped (<c>PolicyRuntimeTakeover</c>).</summary>
public sealed class PolicyEventQueue : IPolicyEventSink
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<PolicyEvent> _events = new();
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Publish(PolicyEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (_events.Count >= Capacity) return; // a storm of events: the periodic policies still run
        _events.Enqueue(e);
        try { _wake.Release(); } catch (SemaphoreFullException) { /* already awake */ }
    }

    /// <summary>Takes every queued event, oldest first, without duplicates.</summary>
    public IReadOnlyList<PolicyEvent> Drain()
    {
        var list = new List<PolicyEvent>();
        while (_events.TryDequeue(out var e)) if (!list.Contains(e)) list.Add(e);
        return list;
    }

    internal Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
