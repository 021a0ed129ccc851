using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;

namespace Octopus.Policies.Triggers;

/// <summary>When policies run. Time comes from the injected <see cref="TimeProvider"/>, so tests drive it with a fake
/// clock. Missed occurrences coalesce: a server down over three cron occurrences evaluates once when it is back, not three
/// times (evaluating the same snapshot again would only repeat the same actions).</summary>
public sealed class PolicyTriggers(TimeProvider time)
{
    /// <summary>Whether <paramref name="policy"/> is due now, given when it last ran (or, if never, when it was created or
    /// enabled): a cron occurrence in (since, now], or an interval elapsed since then. Disabled and event policies never are.</summary>
    public bool IsDue(CompiledPolicy policy, DateTimeOffset since)
    {
        if (!policy.Document.Enabled) return false;
        var next = NextDue(policy, since);
        return next is { } n && n <= time.GetUtcNow();
    }

    /// <summary>The first instant after <paramref name="since"/> at which the policy is due; null for event triggers and
    /// for a cron expression with no further occurrence. The server can sleep until the earliest of these.</summary>
    public static DateTimeOffset? NextDue(CompiledPolicy policy, DateTimeOffset since) => policy.Document.Trigger switch
    {
        CronTrigger => policy.Cron!.GetNextOccurrence(since.UtcDateTime, policy.Zone, inclusive: false) is { } next
            ? new DateTimeOffset(next, TimeSpan.Zero) : null,
        IntervalTrigger i => since + i.Every,
        _ => null,
    };

    /// <summary>The policies due now, by name. <paramref name="lastRun"/> gives each policy's last evaluation (or creation)
    /// time.</summary>
    public IReadOnlyList<CompiledPolicy> Due(IEnumerable<CompiledPolicy> policies, Func<CompiledPolicy, DateTimeOffset> lastRun) =>
        policies.Where(p => IsDue(p, lastRun(p))).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    /// <summary>The enabled policies that react to <paramref name="e"/>, by name.</summary>
    public static IReadOnlyList<CompiledPolicy> ReactingTo(IEnumerable<CompiledPolicy> policies, PolicyEvent e) =>
        policies.Where(p => p.Document.Enabled && p.Document.Trigger is EventTrigger t && t.Event == e.Kind)
            .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
}
