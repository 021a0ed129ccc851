namespace Octopus.Application.Cluster;

/// <summary>This server process's place in the control plane: its replica id, and the leader term it holds now (if
/// any). <see cref="LeaderElection"/> begins and ends terms; leader-only services (<see cref="LeaderOnlyService"/>) wait
/// for a term and stop when it is lost. Every replica serves the API whatever this says.</summary>
public sealed class ReplicaLeadership
{
    private readonly Lock _gate = new();
    private LeaderTerm? _current;
    private TaskCompletionSource<LeaderTerm> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A fresh id per process start (a restarted process is a new replica).</summary>
    public Guid ReplicaId { get; } = Guid.NewGuid();

    /// <summary>The term this replica leads in now, or null while it follows.</summary>
    public LeaderTerm? Current
    {
        get { lock (_gate) return _current; }
    }

    /// <summary>Completes when this replica leads (at once if it does now).</summary>
    public Task<LeaderTerm> WaitForTermAsync(CancellationToken ct)
    {
        lock (_gate) return _current is { } term ? Task.FromResult(term) : _next.Task.WaitAsync(ct);
    }

    internal void Begin(long number, DateTimeOffset since)
    {
        lock (_gate)
        {
            _current?.Depose();
            _current = new LeaderTerm(number, since);
            _next.TrySetResult(_current);
        }
    }

    internal void End()
    {
        LeaderTerm? ended;
        lock (_gate)
        {
            ended = _current;
            if (ended is null) return;
            _current = null;
            _next = new TaskCompletionSource<LeaderTerm>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        ended.Depose();
    }
}

/// <summary>One leader term held by this replica: its number (the fencing token), when it began, and a token cancelled
/// the moment it is lost.</summary>
public sealed class LeaderTerm(long number, DateTimeOffset since)
{
    private readonly CancellationTokenSource _lost = new();

    public long Number { get; } = number;
    public DateTimeOffset Since { get; } = since;
    public CancellationToken Lost => _lost.Token;

    internal void Depose()
    {
        try { _lost.Cancel(); }
        catch (ObjectDisposedException) { }
    }
}
