namespace Octopus.Contracts;

/// <summary>One entry of <c>GET /api/v1/audit</c>: who did what to which target, when, and how it ended.</summary>
public sealed record AuditEntryDto(long Id, DateTimeOffset At, string Actor, string Action, string Target, bool Succeeded, string Result, string? Details);
