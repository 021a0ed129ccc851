using System.Collections.Concurrent;
using Octopus.Policies.Evaluation;

namespace Octopus.Application.Policies;

/// <summary>Where the rest of the server reports what event-triggered policies react to: a VM's state changed, a host
/// failed, a lease is about to end. Failure detection calls <c>Publish(PolicyEvent.HostFailed(host))</c>; the policy loop
/// evaluates the policies that react on its next pass (and is woken at once). Never blocks, never throws.</summary>
public interface IPolicyEventSink
{
    void Publish(PolicyEvent e);
}

/// <summary>The in-memory queue behind <see cref="IPolicyEventSink"/>, local to the leader. It is a derivation of the
/// store, not state of its own: the only publisher is the leader's <see cref="PolicyPass"/>, which compares the states
/// it reads from the store with those of its previous pass, so a request served by a follower (a VM stopped, a lease
/// changed) reaches event-triggered policies through the store at the leader's next pass, and no replica publishes to
/// another's queue. A replica that begins a term (restart or takeover) starts with no previous states: a state that
/// changed between the old leader's last pass and the new leader's first raises no event (the periodic policies and
/// the state itself still see it).</summary>
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
