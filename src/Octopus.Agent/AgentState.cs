using System.Collections.Concurrent;
using Octopus.Domain.Vms;

namespace Octopus.Agent;

/// <summary>The agent's mutable state shared by its endpoints and its link to the server: the credential from the last
/// registration, the heartbeat sequence, the operation generation and which VMs it suspended.</summary>
public sealed class AgentState
{
    private readonly Lock _lock = new();
    private (Guid Id, string Secret)? _credential;
    private long _sequence;
    private long _generation;

    /// <summary>Null until the server accepted the registration.</summary>
    public (Guid Id, string Secret)? Credential
    {
        get { lock (_lock) return _credential; }
    }

    public void Registered(Guid id, string secret)
    {
        lock (_lock)
        {
            _credential = (id, secret);
            _sequence = 0;
        }
    }

    public void Forget()
    {
        lock (_lock) _credential = null;
    }

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Called after every operation that changed what runs here.</summary>
    public long Bump() => Interlocked.Increment(ref _generation);

    /// <summary>VMs paused by a suspend call (QMP stop); reported as "paused".</summary>
    public ConcurrentDictionary<VmId, bool> Suspended { get; } = new();
}
