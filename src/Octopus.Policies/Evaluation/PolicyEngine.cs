using Octopus.Policies.Documents;
using Octopus.Policies.Language;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Evaluation;

/// <summary>Evaluates policies over a snapshot: a pure function, a <see cref="PolicySnapshot"/> and policies in, a
/// <see cref="PolicyEvaluation"/> out, nothing changed. The same call is the preview ("which VMs would this touch now,
/// and why"). The steps, cheapest first:
/// <list type="number">
/// <item>Authorise the policy: an admin-scoped policy runs only if its owner is an admin in the snapshot.</item>
/// <item>Select candidates from the snapshot's indexes: a user policy's owner's VMs only (the authorisation rule, by
/// construction and checked again per VM); an admin policy's selector (owners, tags, hosts, images, age); an event's VM or
/// host.</item>
/// <item>Evaluate the compiled condition per candidate (allocation-free); explain the matches.</item>
/// <item>Apply the safety rules: <c>protected</c> blocks delete; delete warns first and waits for its grace period;
/// a move relieves a host by at most its maxPerHost VMs, busiest first.</item>
/// <item>Resolve conflicts (<see cref="ConflictResolver"/>) and sort the result so it never depends on input order.</item>
/// </list></summary>
public sealed class PolicyEngine(PolicyEngineOptions? options = null)
{
    private readonly PolicyEngineOptions _options = options ?? PolicyEngineOptions.Default;

    /// <summary>Evaluates the enabled policies among <paramref name="policies"/>. With <paramref name="trigger"/> only the
    /// VMs the event concerns are considered (the caller passes the policies that react to it).</summary>
    /// <param name="scriptProposals">Actions proposed by admin C# scripts (<see cref="Scripting.ScriptPolicy"/>) in the same
    /// round: they go through the same safety rules and conflict resolution as the rest.</param>
    public PolicyEvaluation Evaluate(PolicySnapshot snapshot, IEnumerable<CompiledPolicy> policies, PolicyEvent? trigger = null,
        IEnumerable<IntendedAction>? scriptProposals = null) =>
        Run(snapshot, policies.Where(p => p.Document.Enabled), trigger, scriptProposals);

    /// <summary>What <paramref name="policy"/> would do now, alone, even if it is disabled: the same evaluation as
    /// <see cref="Evaluate"/>, so a preview never disagrees with what happens.</summary>
    public PolicyEvaluation Preview(PolicySnapshot snapshot, CompiledPolicy policy, PolicyEvent? trigger = null) =>
        Run(snapshot, [policy], trigger, null);

    private PolicyEvaluation Run(PolicySnapshot snapshot, IEnumerable<CompiledPolicy> policies, PolicyEvent? trigger,
        IEnumerable<IntendedAction>? scriptProposals)
    {
        var proposed = new List<(IntendedAction Action, int Vm)>();
        var suppressed = new List<(SuppressedAction Action, int Vm)>();
        var problems = new List<PolicyProblem>();
        var summaries = new List<PolicyRunSummary>();
        var moves = new List<(IntendedAction Action, VmEntry Entry)>();
        var runs = new List<PolicyRun>();
        foreach (var policy in policies.OrderBy(p => p.Name, StringComparer.Ordinal))
            if (Authorise(snapshot, policy.Document, problems)) runs.Add(new PolicyRun(policy, snapshot.Now, runs.Count, _options.IdleThresholdPercent, _options.Straightforward));

        // Policies that look at every VM are evaluated VM by VM, all of them for one VM before the next: the VM's facts and
        // CPU history are then read from memory once and stay in cache across policies, and repeated CPU windows are
        // computed once per VM. With Parallelism > 1 the VMs are split into contiguous ranges evaluated side by side and
        // merged in range order, so the result is the same as sequentially. Policies with an index (a user's VMs, a tag,
        // an event) walk only their candidates.
        var scanning = runs.Where(r => trigger is null && ScansAll(r.Policy.Document)).ToArray();
        var entries = snapshot.Entries;
        var parts = scanning.Length == 0 ? 0 : Math.Clamp(Math.Min(_options.Parallelism, entries.Count / 1024), 1, 64);
        var partials = new Partial[parts + 1];
        if (parts > 0)
        {
            void Scan(int part)
            {
                var (from, to) = ((int)((long)entries.Count * part / parts), (int)((long)entries.Count * (part + 1) / parts));
                var partial = partials[part] = new Partial(runs.Count);
                var ctx = NewContext();
                for (var i = from; i < to; i++)
                {
                    var entry = entries[i];
                    ctx.SetVm(entry);
                    // One exception handler around all the policies for the VM rather than one per evaluation: the hot
                    // path stays free of it; a step-limit hit is recorded for the policy that hit it, and the next goes on.
                    var p = 0;
                    while (p < scanning.Length)
                    {
                        try
                        {
                            for (; p < scanning.Length; p++) Consider(scanning[p], entry, ctx, snapshot, partial, scanning: true);
                        }
                        catch (StepLimitExceededException e)
                        {
                            StepLimitHit(scanning[p], entry, partial, e);
                            p++;
                        }
                    }
                }
                // Policies that select every VM considered each one in the range (counted here, not per VM).
                foreach (var run in scanning)
                    if (run.SelectsAll) partial.Tallies[run.Index].Considered += to - from;
            }
            if (parts == 1) Scan(0);
            else Parallel.For(0, parts, Scan);
        }
        var indexed = partials[parts] = new Partial(runs.Count);
        var indexedCtx = NewContext();
        foreach (var run in runs.Where(r => !scanning.Contains(r)))
            foreach (var entry in Candidates(snapshot, run.Policy.Document, trigger))
            {
                indexedCtx.SetVm(entry);
                try { Consider(run, entry, indexedCtx, snapshot, indexed, scanning: false); }
                catch (StepLimitExceededException e) { StepLimitHit(run, entry, indexed, e); }
            }
        foreach (var run in runs)
        {
            var tallies = partials.Select(p => p.Tallies[run.Index]).ToList();
            var hits = tallies.Sum(t => t.StepLimitHits);
            if (tallies.Select(t => t.FirstStepLimit).FirstOrDefault(p => p is not null) is { } first) problems.Add(first);
            if (hits > 1) problems.Add(new PolicyProblem(run.Policy.Name, "policy.step-limit", $"the step limit was hit for {hits} VMs in all"));
            summaries.Add(new PolicyRunSummary(run.Policy.Name, tallies.Sum(t => t.Considered), tallies.Sum(t => t.Matched),
                tallies.Sum(t => t.Undecided), tallies.Select(t => t.UndecidedExample).FirstOrDefault(e => e is not null)));
        }
        var raw = partials.SelectMany(p => p.Raw);
        foreach (var (a, entry) in raw) Propose(a, entry, snapshot, proposed, suppressed, moves);
        foreach (var a in scriptProposals ?? [])
            if (snapshot.Entry(a.Vm) is { } entry) Propose(a, entry, snapshot, proposed, suppressed, moves); // else: not in the snapshot
        LimitMoves(moves, proposed, suppressed);
        if (_options.Straightforward)
        {
            var (taken, outranked) = ConflictResolver.Resolve(proposed.Select(p => p.Action));
            var allSuppressed = suppressed.Select(s => s.Action).Concat(outranked).ToList();
            var actions = taken.ToList();
            actions.Sort(OutputOrder.Instance);
            allSuppressed.Sort((x, y) => OutputOrder.Instance.Compare(x.Action, y.Action));
            return new PolicyEvaluation(snapshot.Now, actions, allSuppressed, problems, summaries);
        }
        var (resolved, set) = ResolveByVm(snapshot, proposed, suppressed);
        return new PolicyEvaluation(snapshot.Now, resolved, set, problems, summaries);
    }

    /// <summary><see cref="ConflictResolver"/>'s rule and the output order, VM by VM: proposals and suppressions are
    /// bucketed by VM (a stable counting sort on the VM's position in the snapshot, so "first notification kept" sees the
    /// proposal order), the VMs that have any are sorted once by name and id, and each VM's few items are resolved and
    /// ordered on their own. Same result as resolving everything and sorting it all, at a fraction of the comparisons.</summary>
    private static (List<IntendedAction> Actions, List<SuppressedAction> Suppressed) ResolveByVm(PolicySnapshot snapshot,
        List<(IntendedAction Action, int Vm)> proposed, List<(SuppressedAction Action, int Vm)> suppressed)
    {
        var entries = snapshot.Entries;
        var start = new int[entries.Count + 1];
        foreach (var p in proposed) start[p.Vm + 1]++;
        var suppressedStart = new int[entries.Count + 1];
        foreach (var s in suppressed) suppressedStart[s.Vm + 1]++;
        var vms = new List<int>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (start[i + 1] > 0 || suppressedStart[i + 1] > 0) vms.Add(i);
            start[i + 1] += start[i];
            suppressedStart[i + 1] += suppressedStart[i];
        }
        var byVm = new IntendedAction[proposed.Count];
        var fill = (int[])start.Clone();
        foreach (var p in proposed) byVm[fill[p.Vm]++] = p.Action;
        var suppressedByVm = new SuppressedAction[suppressed.Count];
        fill = (int[])suppressedStart.Clone();
        foreach (var s in suppressed) suppressedByVm[fill[s.Vm]++] = s.Action;
        vms.Sort((x, y) =>
        {
            var c = string.CompareOrdinal(entries[x].Vm.Name, entries[y].Vm.Name);
            return c != 0 ? c : entries[x].Vm.Id.Value.CompareTo(entries[y].Vm.Id.Value);
        });

        var actions = new List<IntendedAction>(proposed.Count);
        var set = new List<SuppressedAction>(suppressed.Count + proposed.Count);
        var taken = new List<IntendedAction>();
        var contested = new List<IntendedAction>();
        var notSet = new List<SuppressedAction>();
        foreach (var vm in vms)
        {
            taken.Clear();
            contested.Clear();
            notSet.Clear();
            for (var i = start[vm]; i < start[vm + 1]; i++)
            {
                var a = byVm[i];
                if (a.Kind != PolicyActionKind.Notify) contested.Add(a);
                else if (!HasNotify(taken, a.Policy)) taken.Add(a);
            }
            if (contested.Count > 0)
            {
                if (contested.Count > 1) contested.Sort(ConflictResolver.Rank);
                taken.Add(contested[0]);
                for (var i = 1; i < contested.Count; i++) notSet.Add(new SuppressedAction(contested[i], contested[0]));
            }
            for (var i = suppressedStart[vm]; i < suppressedStart[vm + 1]; i++) notSet.Add(suppressedByVm[i]);
            if (taken.Count > 1) taken.Sort(OutputOrder.Instance);
            if (notSet.Count > 1) notSet.Sort(static (x, y) => OutputOrder.Instance.Compare(x.Action, y.Action));
            actions.AddRange(taken);
            set.AddRange(notSet);
        }
        return (actions, set);
    }

    private static bool HasNotify(List<IntendedAction> taken, string policy)
    {
        foreach (var t in taken)
            if (t.Kind == PolicyActionKind.Notify && t.Policy == policy) return true;
        return false;
    }

    /// <summary>The order of results: by VM name, VM id, action, policy. A total order, so the output never depends on the
    /// order of the input.</summary>
    private sealed class OutputOrder : IComparer<IntendedAction>
    {
        public static readonly OutputOrder Instance = new();

        public int Compare(IntendedAction? x, IntendedAction? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return 1;
            if (y is null) return -1;
            var c = string.CompareOrdinal(x.VmName, y.VmName);
            if (c == 0) c = x.Vm.Value.CompareTo(y.Vm.Value);
            if (c == 0) c = x.Kind.CompareTo(y.Kind);
            if (c == 0) c = string.CompareOrdinal(x.Policy, y.Policy);
            if (c == 0) c = x.Action.Kind.CompareTo(y.Action.Kind);
            return c;
        }
    }

    private EvalContext NewContext() => new() { IdleThresholdPercent = _options.IdleThresholdPercent };

    private static void StepLimitHit(PolicyRun run, VmEntry entry, Partial partial, StepLimitExceededException e)
    {
        var tally = partial.Tallies[run.Index];
        if (tally.StepLimitHits++ == 0) tally.FirstStepLimit = new PolicyProblem(run.Policy.Name, "policy.step-limit", $"VM {entry.Vm.Name}: {e.Message}");
    }

    /// <summary>Evaluates one policy on one VM (already loaded into <paramref name="ctx"/>) and records what follows. While
    /// <paramref name="scanning"/> every VM, a policy that selects all of them skips the selector and is counted per range.
    /// Exceeding the step limit throws <see cref="StepLimitExceededException"/>: the caller records it.</summary>
    private static void Consider(PolicyRun run, VmEntry entry, EvalContext ctx, PolicySnapshot snapshot, Partial partial, bool scanning)
    {
        var tally = partial.Tallies[run.Index];
        var doc = run.Policy.Document;
        if (!scanning || !run.SelectsAll)
        {
            if (!Selected(entry, doc.Select, snapshot.Now)) return;
            // Defence in depth: candidate selection already restricts a user policy to its owner's VMs.
            if (doc.Scope == PolicyScope.User && entry.Vm.Owner != doc.Owner) return;
            tally.Considered++;
        }
        if (!ReferenceEquals(ctx.Clock, run.Policy.Zone)) // policies in the same time zone share the clock's facts
        {
            run.Clock.ApplyTo(ctx);
            ctx.Clock = run.Policy.Zone;
        }
        var holds = run.Policy.Condition.Evaluate(ctx);
        if (ctx.Error is not null)
        {
            tally.Undecided++;
            tally.UndecidedExample ??= $"VM {entry.Vm.Name}: {ctx.Error}";
            return;
        }
        if (!holds) return;
        tally.Matched++;
        // The reason (the values of the facts the condition read) is rendered only if someone reads it: most proposals of a
        // large evaluation are outranked, and rendering every match would cost more than evaluating every condition.
        Explanation why = run.Eager ? new RenderedExplanation(MatchExplanation.Render(run, ctx)) : new MatchExplanation(run, entry);
        foreach (var action in doc.Actions)
            partial.Raw.Add((new IntendedAction(doc.Name, doc.Owner, doc.Scope, action, entry.Vm.Id, entry.Vm.Name, entry.Vm.Owner, entry.Vm.Host,
                why) { PolicyPriority = doc.Priority }, entry));
    }

    /// <summary>A match's reason, rendered on first read by evaluating the condition's facts again for the same VM, clock
    /// and idle threshold: evaluation is a pure function of the snapshot, so the text is what an eager rendering gives.</summary>
    private sealed class MatchExplanation(PolicyRun run, VmEntry entry) : Explanation
    {
        [ThreadStatic] private static EvalContext? t_context;
        [ThreadStatic] private static System.Text.StringBuilder? t_text;

        protected override Rendered Render()
        {
            var ctx = t_context ??= new EvalContext();
            ctx.IdleThresholdPercent = run.IdleThresholdPercent;
            ctx.SetVm(entry);
            run.Clock.ApplyTo(ctx);
            ctx.Reset();
            return Render(run, ctx);
        }

        /// <summary>The reason from the facts' values in <paramref name="ctx"/> (loaded with the VM and the policy's clock).</summary>
        public static Rendered Render(PolicyRun run, EvalContext ctx)
        {
            var facts = run.Policy.Condition.Explain(ctx);
            var sb = (t_text ??= new System.Text.StringBuilder(256)).Clear().Append(run.ReasonPrefix);
            for (var i = 0; i < facts.Count; i++)
                (i == 0 ? sb : sb.Append(", ")).Append(facts[i].Fact).Append(" = ").Append(facts[i].Value);
            return new Rendered(sb.ToString(), facts);
        }
    }

    /// <summary>True for an admin policy with no index to narrow its candidates: it looks at every VM.</summary>
    private static bool ScansAll(PolicyDocument doc) =>
        doc.Scope == PolicyScope.Admin && doc.Select.Owners.Count == 0 && doc.Select.Tags.Count == 0 && doc.Select.Hosts.Count == 0;

    /// <summary>One policy in one evaluation: what is fixed for the whole run.</summary>
    private sealed class RenderedExplanation(Explanation.Rendered rendered) : Explanation
    {
        protected override Rendered Render() => rendered;
    }

    private sealed class PolicyRun(CompiledPolicy policy, DateTimeOffset now, int index, double idleThresholdPercent, bool eager)
    {
        /// <summary>Render reasons at the match (<see cref="PolicyEngineOptions.Straightforward"/>).</summary>
        public bool Eager { get; } = eager;

        public double IdleThresholdPercent { get; } = idleThresholdPercent;

        /// <summary>An admin policy whose selector takes every VM: when it scans, the VMs it considered are counted per range.</summary>
        public bool SelectsAll { get; } = policy.Document.Scope == PolicyScope.Admin && ReferenceEquals(policy.Document.Select, PolicySelector.All);
        public CompiledPolicy Policy { get; } = policy;
        public LocalClock Clock { get; } = LocalClock.At(now, policy.Zone);
        public string ReasonPrefix { get; } = $"policy {policy.Name}: {policy.Document.Condition.Trim()} holds because ";
        public int Index { get; } = index;
    }

    /// <summary>What one range of VMs produced: proposals in VM order, and a tally per policy.</summary>
    private sealed class Partial
    {
        public Partial(int runs)
        {
            Tallies = new Tally[runs];
            for (var i = 0; i < runs; i++) Tallies[i] = new Tally();
        }

        public List<(IntendedAction Action, VmEntry Entry)> Raw { get; } = [];
        public Tally[] Tallies { get; }
    }

    private sealed class Tally
    {
        public int Considered;
        public int Matched;
        public int Undecided;
        public int StepLimitHits;
        public string? UndecidedExample;
        public PolicyProblem? FirstStepLimit;
    }

    private static bool Authorise(PolicySnapshot snapshot, PolicyDocument doc, List<PolicyProblem> problems)
    {
        var owner = snapshot.FindUser(doc.Owner);
        if (owner is null)
        {
            problems.Add(new PolicyProblem(doc.Name, "policy.owner-unknown",
                $"policy {doc.Name} was not evaluated: its owner '{doc.Owner}' does not exist; give the policy a new owner or delete it"));
            return false;
        }
        if (doc.Scope == PolicyScope.Admin && !owner.IsAdmin)
        {
            problems.Add(new PolicyProblem(doc.Name, "policy.owner-not-admin",
                $"policy {doc.Name} was not evaluated: it is an admin policy but its owner '{doc.Owner}' is not an administrator"));
            return false;
        }
        return true;
    }

    /// <summary>The VMs a policy could touch, from the cheapest index that applies.</summary>
    private static IEnumerable<VmEntry> Candidates(PolicySnapshot snapshot, PolicyDocument doc, PolicyEvent? trigger)
    {
        if (trigger is not null)
        {
            IEnumerable<VmEntry> concerned = trigger.Vm is { } vm ? snapshot.Entry(vm) is { } e ? [e] : []
                : trigger.Host is { } host ? snapshot.On(host) : [];
            return doc.Scope == PolicyScope.User ? concerned.Where(c => c.Vm.Owner == doc.Owner) : concerned;
        }
        if (doc.Scope == PolicyScope.User) return snapshot.OwnedBy(doc.Owner);
        var sel = doc.Select;
        if (sel.Owners.Count > 0) return sel.Owners.Distinct().SelectMany(snapshot.OwnedBy);
        if (sel.Tags.Count > 0) return snapshot.Tagged(sel.Tags[0]);
        if (sel.Hosts.Count > 0)
            return sel.Hosts.Distinct(StringComparer.Ordinal).Select(snapshot.FindHost).Where(h => h is not null).SelectMany(h => snapshot.On(h!.Id));
        return snapshot.Entries;
    }

    private static bool Selected(VmEntry entry, PolicySelector sel, DateTimeOffset now)
    {
        if (ReferenceEquals(sel, PolicySelector.All)) return true;
        var vm = entry.Vm;
        if (sel.Hosts.Count > 0 && (entry.Host is null || !sel.Hosts.Contains(entry.Host.Name))) return false;
        if (sel.Owners.Count > 0 && !sel.Owners.Contains(vm.Owner)) return false;
        for (var i = 0; i < sel.Tags.Count; i++)
            if (!vm.Tags.Contains(sel.Tags[i])) return false;
        if (sel.Images.Count > 0 && !sel.Images.Contains(vm.Image)) return false;
        if (sel.OlderThan is { } older && now - vm.CreatedAt < older) return false;
        if (sel.NewerThan is { } newer && now - vm.CreatedAt >= newer) return false;
        return true;
    }

    private void Propose(IntendedAction a, VmEntry entry, PolicySnapshot snapshot, List<(IntendedAction, int)> proposed,
        List<(SuppressedAction, int)> suppressed, List<(IntendedAction, VmEntry)> moves)
    {
        var vm = entry.Vm;
        if (a.Scope == PolicyScope.User && vm.Owner != a.PolicyOwner)
        {
            suppressed.Add((new SuppressedAction(a, SuppressionCode.NotAuthorised,
                $"a user policy of {a.PolicyOwner} may only act on {a.PolicyOwner}'s VMs, and this one belongs to {vm.Owner}"), entry.Index));
            return;
        }
        switch (a.Action)
        {
            case DeleteAction delete:
                if (vm.Tags.Contains(_options.ProtectedTag))
                {
                    suppressed.Add((new SuppressedAction(a, SuppressionCode.Protected, $"the VM has the '{_options.ProtectedTag}' tag, which blocks delete always"), entry.Index));
                    return;
                }
                var warning = snapshot.LatestWarning(a.Policy, vm.Id);
                if (warning is null || warning.LeaseExpiresAt != vm.LeaseExpiresAt)
                {
                    proposed.Add((a with
                    {
                        Warning = new DeleteWarning(snapshot.Now + delete.Grace, vm.LeaseExpiresAt),
                        Reason = $"warning: VM {vm.Name} will be deleted after {snapshot.Now + delete.Grace:u} unless this changes; {a.Reason}",
                    }, entry.Index));
                    return;
                }
                var due = warning.SentAt + delete.Grace;
                if (snapshot.Now < due)
                {
                    suppressed.Add((new SuppressedAction(a, SuppressionCode.AwaitingGrace,
                        $"warned at {warning.SentAt:u}; the grace period ends at {due:u}"), entry.Index));
                    return;
                }
                proposed.Add((a with { Reason = $"warned at {warning.SentAt:u} and the grace period ended at {due:u}; {a.Reason}" }, entry.Index));
                return;
            case MoveAction or RestartElsewhereAction when vm.Host is null:
                suppressed.Add((new SuppressedAction(a, SuppressionCode.NoHost, "the VM is not on a host"), entry.Index));
                return;
            case MoveAction:
                moves.Add((a, entry));
                return;
            case CheckpointAction when vm.Checkpoints.Count == 0 && a.PruneCheckpoints.Count == 0:
                proposed.Add((a, entry.Index)); // nothing to prune: no copy
                return;
            case CheckpointAction checkpoint:
                proposed.Add((a with { PruneCheckpoints = Prune(vm, a.Policy, checkpoint, snapshot.Now) }, entry.Index));
                return;
            default:
                proposed.Add((a, entry.Index));
                return;
        }
    }

    /// <summary>Retention after the new checkpoint: this policy's checkpoints, newest first, the new one counted first;
    /// keep one when it is among the keepLast newest or newer than newerThan; prune the rest. Other checkpoints (a user's,
    /// another policy's) are never pruned.</summary>
    internal static IReadOnlyList<string> Prune(VmFacts vm, string policy, CheckpointAction retention, DateTimeOffset now)
    {
        if (vm.Checkpoints.Count == 0) return [];
        var mine = vm.Checkpoints.Where(c => c.Policy == policy).OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        var prune = new List<string>();
        for (var i = 0; i < mine.Count; i++)
        {
            var rank = i + 1; // the checkpoint about to be taken is rank 0
            var keepByCount = retention.KeepLast is { } n && rank < n;
            var keepByAge = retention.NewerThan is { } age && now - mine[i].CreatedAt < age;
            if (!keepByCount && !keepByAge) prune.Add(mine[i].Id);
        }
        return prune;
    }

    /// <summary>Each move policy relieves each host of at most maxPerHost VMs per evaluation, the busiest first (by latest
    /// CPU sample, then name): moving everything at once would just make another host hot.</summary>
    private static void LimitMoves(List<(IntendedAction Action, VmEntry Entry)> moves, List<(IntendedAction, int)> proposed,
        List<(SuppressedAction, int)> suppressed)
    {
        foreach (var group in moves.GroupBy(m => (m.Action.Policy, m.Action.Host)))
        {
            var ranked = group.OrderByDescending(m => m.Entry.Vm.Cpu.Latest ?? 0).ThenBy(m => m.Action.VmName, StringComparer.Ordinal).ToList();
            var limit = ((MoveAction)ranked[0].Action.Action).MaxPerHost;
            foreach (var (a, entry) in ranked.Take(limit)) proposed.Add((a, entry.Index));
            foreach (var (rest, entry) in ranked.Skip(limit))
                suppressed.Add((new SuppressedAction(rest, SuppressionCode.MoveLimit,
                    $"{limit} VM(s) already leave this host in this evaluation (maxPerHost: {limit})"), entry.Index));
        }
    }

}
