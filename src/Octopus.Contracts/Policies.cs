namespace Octopus.Contracts;

/// <summary>A stored policy as the API shows it. <paramref name="Document"/> is the text its author submitted (YAML or
/// JSON); <paramref name="Trigger"/> and <paramref name="Actions"/> are short human-readable summaries of it.</summary>
public sealed record PolicyDto(
    string Name,
    string Owner,
    string Scope,
    bool Enabled,
    string? Description,
    string Trigger,
    string Condition,
    IReadOnlyList<string> Actions,
    string Document,
    bool IsScript,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunAt,
    DateTimeOffset? NextRunAt);

/// <summary>Creates (or, with the same name and owner, replaces) a policy from its text: YAML or JSON.</summary>
public sealed record CreatePolicyRequest(string Document);

/// <summary>What a policy would do right now, without doing it.</summary>
public sealed record PolicyPreviewDto(string Policy, DateTimeOffset At, IReadOnlyList<PolicyPreviewItem> Items, IReadOnlyList<string> Problems);

/// <summary>One VM a policy would touch: the action, why (the facts that made the condition true), and, when another
/// rule stops it (a higher-ranked policy, the <c>protected</c> tag), why not.</summary>
public sealed record PolicyPreviewItem(string VmId, string Vm, string Action, string Reason, bool Suppressed, string? SuppressedBecause);

/// <summary>One action a policy took (or tried): when, on which VM, the result and, for failures, the error and the
/// attempt number (failed actions are retried with backoff).</summary>
public sealed record PolicyHistoryEntry(DateTimeOffset At, string VmId, string Vm, string Action, string Result, string Reason, int Attempt, string? Error);

/// <summary>A shipped policy template: a ready-to-edit document.</summary>
public sealed record PolicyTemplateDto(string Name, string Description, string Document);

/// <summary>Extends a VM's lease: by a duration in the policy language's notation (<c>"7d"</c>, <c>"12h"</c>) or to
/// an absolute time; exactly one of the two. The result may not exceed the administrator's maximum lease.</summary>
public sealed record ExtendLeaseRequest(string? ExtendBy = null, DateTimeOffset? ExpiresAt = null);
