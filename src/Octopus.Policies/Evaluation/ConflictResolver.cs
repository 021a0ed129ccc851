using Octopus.Domain.Vms;
using Octopus.Policies.Documents;

namespace Octopus.Policies.Evaluation;

/// <summary>Decides, deterministically, which of several proposed actions for one VM is taken in one evaluation.
/// <list type="number">
/// <item>Notifications never conflict: every one is kept (one per policy and VM).</item>
/// <item>Of the other actions, exactly one per VM is taken. Candidates are ranked by: admin policies before user
/// policies; then action precedence <c>delete &gt; shutdown &gt; suspend &gt; restartElsewhere &gt; move &gt; checkpoint</c>
/// (the most decisive action wins; what it makes moot, e.g. a checkpoint of a VM being deleted, is dropped); then higher
/// policy priority; then policy name (ordinal) so the result never depends on input order.</item>
/// </list>
/// The <c>protected</c> tag and the delete grace period are applied before this, so a blocked delete does not shadow
/// the next-ranked action. Losers are reported as <see cref="SuppressionCode.Outranked"/> naming the winner.</summary>
public static class ConflictResolver
{
    public static (IReadOnlyList<IntendedAction> Taken, IReadOnlyList<SuppressedAction> Outranked) Resolve(IEnumerable<IntendedAction> proposed)
    {
        var taken = new List<IntendedAction>();
        var outranked = new List<SuppressedAction>();
        var seenNotify = new HashSet<(string, VmId)>();
        var contested = new List<IntendedAction>();
        foreach (var a in proposed)
        {
            if (a.Kind != PolicyActionKind.Notify) contested.Add(a);
            else if (seenNotify.Add((a.Policy, a.Vm))) taken.Add(a);
        }
        // One sort puts each VM's candidates together, best first; a single pass then keeps each VM's first.
        contested.Sort(ByVmThenRank.Instance);
        IntendedAction? winner = null;
        foreach (var a in contested)
        {
            if (winner is null || winner.Vm != a.Vm)
            {
                winner = a;
                taken.Add(a);
                continue;
            }
            outranked.Add(new SuppressedAction(a, winner)); // the sentence is written if someone reads it: see Outranked
        }
        return (taken, outranked);
    }

    /// <summary>The sentence for <paramref name="loser"/> outranked by <paramref name="winner"/>.</summary>
    internal static string Outranked(IntendedAction winner, IntendedAction loser) =>
        $"outranked by {winner.Policy}'s {Name(winner.Kind)} ({Why(winner, loser)})";

    private static string Why(IntendedAction w, IntendedAction l) =>
        w.Scope != l.Scope ? "an admin policy outranks a user policy"
        : w.Kind != l.Kind ? $"{Name(w.Kind)} takes precedence over {Name(l.Kind)}"
        : w.Priority() != l.Priority() ? $"priority {w.Priority()} over {l.Priority()}"
        : "same rank; the policy name decides";

    private static readonly string[] Names = Enum.GetValues<PolicyActionKind>()
        .Select(k => k == PolicyActionKind.RestartElsewhere ? "restartElsewhere" : k.ToString().ToLowerInvariant()).ToArray();

    /// <summary>The action's name as policy files write it ("shutdown", "restartElsewhere").</summary>
    internal static string Name(PolicyActionKind k) => Names[(int)k];

    private static int Priority(this IntendedAction a) => a.PolicyPriority;

    /// <summary>The ranking of one VM's contested actions, best first (the engine resolves VM by VM with it).</summary>
    internal static IComparer<IntendedAction> Rank => ByVmThenRank.Instance;

    private sealed class ByVmThenRank : IComparer<IntendedAction>
    {
        public static readonly ByVmThenRank Instance = new();

        public int Compare(IntendedAction? x, IntendedAction? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return 1;
            if (y is null) return -1;
            var c = x.Vm.Value.CompareTo(y.Vm.Value);
            if (c != 0) return c;
            c = (y.Scope == PolicyScope.Admin).CompareTo(x.Scope == PolicyScope.Admin);
            if (c != 0) return c;
            c = x.Kind.CompareTo(y.Kind);
            if (c != 0) return c;
            c = y.PolicyPriority.CompareTo(x.PolicyPriority);
            return c != 0 ? c : string.CompareOrdinal(x.Policy, y.Policy);
        }
    }
}
