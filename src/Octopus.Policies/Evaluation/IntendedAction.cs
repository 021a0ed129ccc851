using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;
using Octopus.Policies.Language;

namespace Octopus.Policies.Evaluation;

/// <summary>Something a policy wants done to one VM, and why. The server carries it out through its ordinary command path
/// as the policy's owner (so authorisation and audit apply), and records <see cref="Reason"/> in the audit log.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="PolicyOwner">The user the action is authorised as.</param>
/// <param name="Action">The action with its options (e.g. a checkpoint's retention).</param>
/// <param name="Vm">The VM acted on.</param>
/// <param name="Host">The host the VM is on at evaluation time (where a move or restart leaves from).</param>
/// <param name="Reason">One sentence: the policy, its condition and the facts that made it hold.</param>
/// <param name="Facts">The facts the condition read and their values.</param>
public sealed record IntendedAction(string Policy, UserName PolicyOwner, PolicyScope Scope, PolicyAction Action, VmId Vm, string VmName,
    UserName VmOwner, HostId? Host, string Reason, IReadOnlyList<FactValue> Facts)
{
    private readonly string? _reason = Reason;
    private readonly IReadOnlyList<FactValue>? _facts = Facts;

    /// <summary>Set by the engine for a condition's match: <see cref="Reason"/> and <see cref="Facts"/> are rendered from it
    /// on first read (most proposals of a large evaluation are outranked and never read), with the same text an eager
    /// rendering gives, since evaluation is a pure function of the snapshot.</summary>
    private readonly Explanation? _explanation;

    internal IntendedAction(string policy, UserName policyOwner, PolicyScope scope, PolicyAction action, VmId vm, string vmName,
        UserName vmOwner, HostId? host, Explanation explanation)
        : this(policy, policyOwner, scope, action, vm, vmName, vmOwner, host, null!, null!) => _explanation = explanation;

    /// <summary>One sentence: the policy, its condition and the facts that made it hold.</summary>
    public string Reason { get => _reason ?? _explanation?.Reason!; init => _reason = value; }

    /// <summary>The facts the condition read and their values.</summary>
    public IReadOnlyList<FactValue> Facts { get => _facts ?? _explanation?.Facts!; init => _facts = value; }

    /// <summary>What to do: <see cref="PolicyAction.Kind"/>, or <see cref="PolicyActionKind.Notify"/> for a delete warning.</summary>
    public PolicyActionKind Kind => Warning is null ? Action.Kind : PolicyActionKind.Notify;

    /// <summary>Set when this is the warning a delete sends first: the server notifies the owner and records a
    /// <see cref="Snapshots.WarningRecord"/> (policy, VM, time, <see cref="DeleteWarning.LeaseExpiresAt"/>) so a later
    /// evaluation can delete once the grace period is over.</summary>
    public DeleteWarning? Warning { get; init; }

    /// <summary>For a checkpoint: ids of this policy's older checkpoints of the VM that retention prunes once the new one exists.</summary>
    public IReadOnlyList<string> PruneCheckpoints { get; init; } = [];

    /// <summary>The policy's priority (0–100), which breaks ties in conflict resolution.</summary>
    public int PolicyPriority { get; init; } = 50;

    public override string ToString() => $"{Kind} {VmName} ({Policy}): {Reason}";
}

/// <summary>A delete's warning: the VM will be deleted at or after <paramref name="DeleteNotBefore"/> if the condition
/// still holds. <paramref name="LeaseExpiresAt"/> is the lease the warning is about (extending the lease voids it).</summary>
public sealed record DeleteWarning(DateTimeOffset DeleteNotBefore, DateTimeOffset? LeaseExpiresAt);

/// <summary>Why a proposed action is not being taken now.</summary>
public enum SuppressionCode
{
    /// <summary>Another action for the same VM won the conflict resolution.</summary>
    Outranked,
    /// <summary>The VM has the <c>protected</c> tag, which blocks delete always.</summary>
    Protected,
    /// <summary>A delete warned already and waits for the grace period to end.</summary>
    AwaitingGrace,
    /// <summary>The move already moves as many VMs off this host as it may per evaluation.</summary>
    MoveLimit,
    /// <summary>The action needs a host and the VM has none.</summary>
    NoHost,
    /// <summary>A user policy proposed an action on a VM its owner does not own (refused whatever the condition said).</summary>
    NotAuthorised,
}

/// <summary>A proposed action that is not taken now, with the reason (shown by preview so nothing is a mystery).</summary>
public sealed record SuppressedAction(IntendedAction Action, SuppressionCode Code, string Why)
{
    private readonly string? _why = Why;

    /// <summary>For <see cref="SuppressionCode.Outranked"/> from the conflict resolver: the action that won, from which
    /// <see cref="Why"/> is written when read (thousands are outranked in a large evaluation; few are ever read).</summary>
    private readonly IntendedAction? _winner;

    internal SuppressedAction(IntendedAction action, IntendedAction winner) : this(action, SuppressionCode.Outranked, null!) => _winner = winner;

    /// <summary>One sentence: why the action is not taken now.</summary>
    public string Why { get => _why ?? (_winner is null ? null! : ConflictResolver.Outranked(_winner, Action)); init => _why = value; }

    public override string ToString() => $"{Action.Action.Kind} {Action.VmName} ({Action.Policy}) not taken: {Why}";
}

/// <summary>Something wrong with a policy as a whole in this evaluation (not evaluated, or partly evaluated).</summary>
/// <param name="Code">Stable: "policy.owner-not-admin", "policy.owner-unknown", "policy.step-limit".</param>
public sealed record PolicyProblem(string Policy, string Code, string Message);

/// <summary>How one policy went: VMs considered after selection, matched, and those where the condition could not be
/// decided (an absent fact such as a missing lease or too little CPU history; one example is kept).</summary>
public sealed record PolicyRunSummary(string Policy, int Considered, int Matched, int Undecided, string? UndecidedExample);

/// <summary>The result of one evaluation: the actions to take (conflicts already resolved), those set aside and why,
/// problems, and per-policy counts.</summary>
public sealed record PolicyEvaluation(DateTimeOffset At, IReadOnlyList<IntendedAction> Actions, IReadOnlyList<SuppressedAction> Suppressed,
    IReadOnlyList<PolicyProblem> Problems, IReadOnlyList<PolicyRunSummary> Policies);

/// <summary>What a match's reason is rendered from, once, when first read (see <see cref="IntendedAction.Reason"/>).
/// Thread-safe: two first reads at once render the same text and either result is kept.</summary>
internal abstract class Explanation
{
    private Rendered? _rendered;

    public string Reason => (_rendered ??= Render()).Reason;
    public IReadOnlyList<FactValue> Facts => (_rendered ??= Render()).Facts;

    protected abstract Rendered Render();

    protected internal sealed record Rendered(string Reason, IReadOnlyList<FactValue> Facts);
}
