namespace Octopus.Contracts;

/// <summary><c>GET /api/v1/plan</c> (admin): what the consolidation engine proposes now, step by step, each with its
/// reason and expected effect. <see cref="Mode"/>: automatic (applied every interval), manual (proposed only), off.</summary>
public sealed record PlanDto(
    string Mode,
    string Policy,
    DateTimeOffset GeneratedAt,
    double ClusterWatts,
    double ExpectedWattsSaved,
    string Summary,
    IReadOnlyList<PlanStepDto> Steps);

/// <summary>One step: <see cref="Kind"/> is migrate, power-off or power-on. <see cref="Result"/> is set when a plan
/// was applied: "started", or why the step was skipped.</summary>
public sealed record PlanStepDto(
    string Kind,
    string? Vm,
    string? From,
    string? To,
    string? Host,
    string Reason,
    double WattsSaved,
    int HostsFreed,
    double SlaRisk,
    string? Result = null);

/// <summary>Body of <c>PUT /api/v1/plan/mode</c>.</summary>
public sealed record PlanModeRequest(string Mode);
