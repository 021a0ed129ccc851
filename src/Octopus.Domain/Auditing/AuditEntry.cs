namespace Octopus.Domain.Auditing;

/// <summary>One command as the audit log keeps it: who did what to which target, when, and how it ended.</summary>
public sealed class AuditEntry
{
    private AuditEntry() { } // for the store

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }

    /// <summary>User name of whoever asked; "system" for the control loops.</summary>
    public string Actor { get; private set; } = "";

    /// <summary>Dotted verb, e.g. <c>vm.create</c>, <c>host.maintenance</c>.</summary>
    public string Action { get; private set; } = "";

    /// <summary>What was acted on, e.g. <c>vm/web1</c>.</summary>
    public string Target { get; private set; } = "";

    public bool Succeeded { get; private set; }

    /// <summary>The outcome: "ok", or the error message.</summary>
    public string Result { get; private set; } = "";

    public string? Details { get; private set; }

    public static AuditEntry Record(DateTimeOffset at, string actor, string action, string target, bool succeeded, string result,
        string? details = null) => new()
    {
        At = at, Actor = actor, Action = action, Target = target, Succeeded = succeeded, Result = result, Details = details,
    };
}
