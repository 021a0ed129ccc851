namespace Octopus.Persistence.Records;

/// <summary>A stored policy: its author's text (YAML, JSON or, for admins, a C# script) and its run state. The text is
/// parsed again when loaded, so what runs is always what the API shows.</summary>
public sealed class PolicyRecord
{
    /// <summary>Unique across the cluster (the API addresses policies by name).</summary>
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    /// <summary>"user" or "admin".</summary>
    public string Scope { get; set; } = "user";
    public string Document { get; set; } = "";
    public bool IsScript { get; set; }
    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
}

/// <summary>One action a policy took or tried on one VM, with its retry state: a failed action is tried again at
/// <see cref="NextAttemptAt"/> until it succeeds or the retry schedule gives up.</summary>
public sealed class PolicyActionRecord
{
    public long Id { get; set; }
    public string Policy { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public Guid VmId { get; set; }
    public string VmName { get; set; } = "";
    /// <summary>shutdown, suspend, delete, checkpoint, notify, move, restartElsewhere, warn.</summary>
    public string Action { get; set; } = "";
    /// <summary>The action's parameters as the runtime needs them to retry (e.g. <c>keepLast=7</c>); empty when none.</summary>
    public string Parameters { get; set; } = "";
    /// <summary>ok, failed (will retry), gave-up.</summary>
    public string Result { get; set; } = "";
    public string Reason { get; set; } = "";
    public int Attempt { get; set; } = 1;
    public string? Error { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
}

/// <summary>A delete warning a policy sent: the delete may follow once the grace period has passed since
/// <see cref="SentAt"/>, for the same lease expiry.</summary>
public sealed class PolicyWarningRecord
{
    public long Id { get; set; }
    public string Policy { get; set; } = "";
    public Guid VmId { get; set; }
    public DateTimeOffset SentAt { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
}
