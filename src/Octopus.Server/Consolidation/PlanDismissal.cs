using Octopus.Contracts;

namespace Octopus.Server.Consolidation;

/// <summary>An admin's "not this plan": the dismissed plan's steps (kind, VM, hosts) are remembered, and while the
/// engine keeps proposing exactly those steps the plan is shown empty and automatic mode does not apply it. As soon
/// as the proposal changes (a step more, less or different) it is shown again, and the dismissal is forgotten.
/// Reasons and expected savings are not part of the identity: they drift with every telemetry sample. In memory: a
/// restart forgets the dismissal.</summary>
public sealed class PlanDismissal
{
    private readonly Lock _gate = new();
    private string? _dismissed;
    private string _by = "";
    private DateTimeOffset _at;

    /// <summary>Remembers <paramref name="plan"/> as dismissed; false when it has no step (nothing to dismiss).</summary>
    public bool Dismiss(PlanDto plan, string by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Steps.Count == 0) return false;
        lock (_gate)
        {
            _dismissed = Identity(plan);
            _by = by;
            _at = at;
        }
        return true;
    }

    /// <summary>True when <paramref name="plan"/> is the dismissed one. A different non-empty plan clears the
    /// dismissal, so the same steps proposed again later are shown again.</summary>
    public bool IsDismissed(PlanDto plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_gate)
        {
            if (_dismissed is null) return false;
            var identity = Identity(plan);
            if (identity == _dismissed) return true;
            if (plan.Steps.Count > 0) _dismissed = null;
            return false;
        }
    }

    /// <summary>The plan as admins see it: a dismissed plan has no steps and says why.</summary>
    public PlanDto Apply(PlanDto plan)
    {
        if (!IsDismissed(plan)) return plan;
        lock (_gate)
            return plan with
            {
                Steps = [],
                ExpectedWattsSaved = 0,
                Summary = $"dismissed by {_by} at {_at:u}: the {plan.Steps.Count} proposed step(s) stay hidden (and are not applied) until the plan changes",
            };
    }

    private static string Identity(PlanDto plan) =>
        string.Join('\n', plan.Steps.Select(s => $"{s.Kind}|{s.Vm}|{s.From}|{s.To}|{s.Host}"));
}
