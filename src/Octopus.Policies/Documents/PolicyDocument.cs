using Octopus.Domain.Users;

namespace Octopus.Policies.Documents;

/// <summary>Whose VMs a policy may touch. A <see cref="User"/> policy only ever touches VMs its owner owns; an
/// <see cref="Admin"/> policy (owned by an administrator) touches every VM its selector picks.</summary>
public enum PolicyScope
{
    User,
    Admin,
}

/// <summary>A policy as its author wrote it: who owns it, what it looks at, when it runs, the condition and the actions.
/// Pure data (serialisable, comparable); <see cref="Evaluation.CompiledPolicy"/> is its executable form.</summary>
public sealed record PolicyDocument
{
    /// <summary>Unique name: 1–63 lower-case letters, digits and '-', starting with a letter.</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The user the policy acts for; actions are authorised as this user.</summary>
    public required UserName Owner { get; init; }

    public PolicyScope Scope { get; init; } = PolicyScope.User;

    public bool Enabled { get; init; } = true;

    /// <summary>0–100, default 50: breaks ties between policies of the same scope proposing the same action.</summary>
    public int Priority { get; init; } = 50;

    /// <summary>IANA time zone for the cron trigger and the now.* facts (default UTC).</summary>
    public string TimeZone { get; init; } = "UTC";

    public PolicySelector Select { get; init; } = PolicySelector.All;

    public required PolicyTrigger Trigger { get; init; }

    /// <summary>The condition in the policy language (see the README); "true" selects every VM the selector picks.</summary>
    public required string Condition { get; init; }

    public required IReadOnlyList<PolicyAction> Actions { get; init; }
}

/// <summary>Which VMs an admin policy looks at before its condition: every listed criterion must hold (owners, hosts and
/// images: any of those listed; tags: all of them). User policies may not select owners.</summary>
public sealed record PolicySelector
{
    public static PolicySelector All { get; } = new();

    public IReadOnlyList<UserName> Owners { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>Only VMs created at least this long ago.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>Only VMs created less than this long ago.</summary>
    public TimeSpan? NewerThan { get; init; }
}

/// <summary>When a policy is evaluated.</summary>
public abstract record PolicyTrigger;

/// <summary>At each occurrence of a cron expression (5 fields, or 6 with seconds) in the policy's time zone.</summary>
public sealed record CronTrigger(string Expression) : PolicyTrigger;

/// <summary>Every <paramref name="Every"/> (1 minute to 30 days) since the last evaluation.</summary>
public sealed record IntervalTrigger(TimeSpan Every) : PolicyTrigger;

/// <summary>When something happens: only the VMs the event concerns are evaluated.</summary>
public sealed record EventTrigger(PolicyEventKind Event) : PolicyTrigger;

/// <summary>Events a policy can react to.</summary>
public enum PolicyEventKind
{
    /// <summary>A VM changed observed state; the VM concerned is evaluated.</summary>
    VmStateChanged,
    /// <summary>A host failed; every VM on it is evaluated.</summary>
    HostFailed,
    /// <summary>A VM's lease is about to expire (or has); the VM concerned is evaluated.</summary>
    LeaseExpiring,
}
