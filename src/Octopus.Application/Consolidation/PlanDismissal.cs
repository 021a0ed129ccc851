using System.Text.Json;
using Octopus.Contracts;
using Octopus.Persistence.Records;
using Octopus.Persistence.Settings;

namespace Octopus.Application.Consolidation;

/// <summary>An admin's "not this plan": the dismissed plan's steps (kind, VM, hosts) are remembered, and while the
/// engine keeps proposing exactly those steps the plan is shown empty and automatic mode does not apply it. As soon
/// as the proposal changes (a step more, less or different) it is shown again, and the dismissal is forgotten.
/// Reasons and expected savings are not part of the identity: they drift with every telemetry sample. Kept in the
/// store's <c>Settings</c> table (key <see cref="SettingKeys.DismissedPlan"/>): a restart, or another server process,
/// sees the same dismissal.</summary>
public sealed class PlanDismissal(SettingsStore store)
{
    /// <summary>Remembers <paramref name="plan"/> as dismissed; false when it has no step (nothing to dismiss).</summary>
    public bool Dismiss(PlanDto plan, string by, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Steps.Count == 0) return false;
        store.Set(SettingKeys.DismissedPlan, JsonSerializer.Serialize(new Dismissed(Identity(plan), by, at)));
        return true;
    }

    /// <summary>True when <paramref name="plan"/> is the dismissed one. A different non-empty plan clears the
    /// dismissal, so the same steps proposed again later are shown again.</summary>
    public bool IsDismissed(PlanDto plan) => Current(plan) is not null;

    /// <summary>The plan as admins see it: a dismissed plan has no steps and says why.</summary>
    public PlanDto Apply(PlanDto plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (Current(plan) is not { } d) return plan;
        return plan with
        {
            Steps = [],
            ExpectedWattsSaved = 0,
            Summary = $"dismissed by {d.By} at {d.At:u}: the {plan.Steps.Count} proposed step(s) stay hidden (and are not applied) until the plan changes",
        };
    }

    private Dismissed? Current(PlanDto plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (store.Get(SettingKeys.DismissedPlan) is not { } text) return null;
        Dismissed? dismissed;
        try { dismissed = JsonSerializer.Deserialize<Dismissed>(text); }
        catch (JsonException) { dismissed = null; }
        if (dismissed is not null && dismissed.Identity == Identity(plan)) return dismissed;
        // Forget it only if it is still the one read here: a dismissal made meanwhile by another request stays.
        if (dismissed is null || plan.Steps.Count > 0) store.RemoveIf(SettingKeys.DismissedPlan, text);
        return null;
    }

    private static string Identity(PlanDto plan) =>
        string.Join('\n', plan.Steps.Select(s => $"{s.Kind}|{s.Vm}|{s.From}|{s.To}|{s.Host}"));

    private sealed record Dismissed(string Identity, string By, DateTimeOffset At);
}
