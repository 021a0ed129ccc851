namespace Octopus.Policies.Documents;

/// <summary>What a policy does to a VM. Ordered by precedence: when several actions are proposed for one VM in one
/// evaluation, the lowest value wins (see <see cref="Evaluation.ConflictResolver"/>).</summary>
public enum PolicyActionKind
{
    Delete,
    Shutdown,
    Suspend,
    RestartElsewhere,
    Move,
    Checkpoint,
    Notify,
}

/// <summary>An action of a policy, as data. The server carries it out through its ordinary command path.</summary>
public abstract record PolicyAction
{
    public abstract PolicyActionKind Kind { get; }

    /// <summary>True for actions only an admin policy may take (they choose hosts for other people's VMs).</summary>
    public virtual bool AdminOnly => false;
}

/// <summary>Shut the VM down (a clean guest shutdown).</summary>
public sealed record ShutdownAction : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.Shutdown;
}

/// <summary>Suspend the VM (save its memory and stop it; resumes where it was).</summary>
public sealed record SuspendAction : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.Suspend;
}

/// <summary>Delete the VM, but only after a warning: the first time the condition holds the owner is notified; only once
/// <paramref name="Grace"/> has passed since that warning (and the condition still holds) is the VM deleted.</summary>
public sealed record DeleteAction(TimeSpan Grace) : PolicyAction
{
    public static TimeSpan DefaultGrace { get; } = TimeSpan.FromHours(24);
    public override PolicyActionKind Kind => PolicyActionKind.Delete;
}

/// <summary>Live-migrate the VM to a host the scheduler chooses. At most <paramref name="MaxPerHost"/> VMs leave one
/// host per evaluation, busiest first, so a hot host is relieved without emptying it.</summary>
public sealed record MoveAction(int MaxPerHost = 1) : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.Move;
    public override bool AdminOnly => true;
}

/// <summary>Start the VM again on another host (its own host failed or is unusable); the scheduler chooses where.</summary>
public sealed record RestartElsewhereAction : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.RestartElsewhere;
    public override bool AdminOnly => true;
}

/// <summary>Take a checkpoint (a policy-made snapshot). Retention prunes this policy's older checkpoints of the VM:
/// a checkpoint is kept when it is among the <paramref name="KeepLast"/> newest or newer than
/// <paramref name="NewerThan"/>; at least one of the two is required.</summary>
public sealed record CheckpointAction(int? KeepLast, TimeSpan? NewerThan) : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.Checkpoint;
}

/// <summary>Tell the VM's owner (and the policy's owner) why the policy matched.</summary>
public sealed record NotifyAction(string? Message) : PolicyAction
{
    public override PolicyActionKind Kind => PolicyActionKind.Notify;
}
