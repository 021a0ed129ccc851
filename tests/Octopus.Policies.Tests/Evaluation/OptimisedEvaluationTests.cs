using CsCheck;
using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Language;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests.Evaluation;

/// <summary>The engine renders reasons on first read and resolves conflicts VM by VM; the straightforward path renders
/// every reason at the match and resolves everything with <see cref="ConflictResolver"/> before one global sort. On random
/// worlds and policies both must give exactly the same evaluation, down to every sentence.</summary>
public class OptimisedEvaluationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Users = ["root", "alice", "bob", "carol"];
    private static readonly string[] TagPool = ["nightly", "student", "web", "protected"];

    private static readonly string[] Conditions =
    [
        "true",
        "vm.state == \"Running\"",
        "vm.state == \"Running\" && vm.cpu.max(1h) < 50",
        "vm.cpu.avg(30m) > 40 || vm.cpu.min(10m) < 5",
        "\"nightly\" in vm.tags && vm.state in [\"Running\", \"Stopped\"]",
        "vm.lease.expired",
        "has(vm.lease) && vm.lease.expiresIn < 2h",
        "host.state == \"On\" && host.cpu.min(10m) > 60",
        "host.state == \"Failed\" && vm.state != \"Stopped\"",
        "vm.idleFor > 20m && vm.age > 2d",
        "vm.owner.startsWith(\"a\") || size(vm.tags) >= 2",
        "now.hour >= 8 && now.weekday in [\"Mon\", \"Tue\", \"Wed\"] && vm.cores > 1",
        "vm.cpu.now > 30 && vm.memoryGiB >= 2.0 && vm.host.endsWith(\"1\")",
    ];

    private static readonly PolicyAction[] Actions =
    [
        new ShutdownAction(), new SuspendAction(), new DeleteAction(TimeSpan.FromHours(1)), new DeleteAction(TimeSpan.Zero),
        new MoveAction(1), new MoveAction(2), new RestartElsewhereAction(), new CheckpointAction(2, null), new NotifyAction("hi"),
    ];

    [Fact]
    public void Evaluate_RandomWorlds_SameAsStraightforward()
    {
        Gen.Int.Sample(seed =>
        {
            var (snapshot, policies, scripts, trigger) = World(new Random(seed));
            var straightforward = new PolicyEngine(new PolicyEngineOptions { Straightforward = true });
            var expected = straightforward.Evaluate(snapshot, policies, trigger, scripts);
            var actual = new PolicyEngine().Evaluate(snapshot, policies, trigger, scripts);
            Describe(actual).Should().Equal(Describe(expected));
            // Reading a reason twice gives the same text (it is rendered once and kept).
            actual.Actions.Select(a => a.Reason).Should().Equal(actual.Actions.Select(a => a.Reason));
            foreach (var p in policies.Take(2))
                Describe(new PolicyEngine().Preview(snapshot, p, trigger)).Should().Equal(Describe(straightforward.Preview(snapshot, p, trigger)));
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Evaluate_ManyVmsInParallel_SameAsStraightforward()
    {
        // Enough VMs for several parallel ranges (at least 1,024 each).
        var (snapshot, policies, scripts, _) = World(new Random(7), vms: 3000);
        var expected = new PolicyEngine(new PolicyEngineOptions { Straightforward = true }).Evaluate(snapshot, policies, null, scripts);
        var actual = new PolicyEngine(new PolicyEngineOptions { Parallelism = 3 }).Evaluate(snapshot, policies, null, scripts);
        Describe(actual).Should().Equal(Describe(expected));
        expected.Actions.Should().NotBeEmpty();
        expected.Suppressed.Should().Contain(s => s.Code == SuppressionCode.Outranked);
    }

    [Fact]
    public void Reason_ReadFromManyThreadsAtOnce_SameText()
    {
        var (snapshot, policies, _, _) = World(new Random(11), vms: 400);
        var expected = new PolicyEngine(new PolicyEngineOptions { Straightforward = true }).Evaluate(snapshot, policies);
        var actual = new PolicyEngine().Evaluate(snapshot, policies);
        var reasons = new string[actual.Actions.Count];
        Parallel.For(0, reasons.Length, i => reasons[i] = actual.Actions[i].Reason);
        reasons.Should().Equal(expected.Actions.Select(a => a.Reason));
    }

    /// <summary>Everything an evaluation says, as text: every action with its reason, facts, warning and pruning, every
    /// suppressed action with its sentence, problems and summaries.</summary>
    private static List<string> Describe(PolicyEvaluation e) =>
    [
        .. e.Actions.Select(a => $"{a} | {a.Kind} | {a.Scope} | {a.PolicyPriority} | {string.Join("; ", a.Facts)} | {a.Warning} | {string.Join(",", a.PruneCheckpoints)}"),
        .. e.Suppressed.Select(s => $"{s.Code}: {s} | {s.Action.Reason}"),
        .. e.Problems.Select(p => p.ToString()),
        .. e.Policies.Select(p => p.ToString()),
    ];

    private static (PolicySnapshot, List<CompiledPolicy>, List<IntendedAction>, PolicyEvent?) World(Random rng, int? vms = null)
    {
        var users = Users.Select((u, i) => new UserFacts(UserName.Parse(u), i == 0 || rng.Next(8) == 0 ? UserRole.Admin : UserRole.User)).ToList();
        var hosts = Enumerable.Range(0, rng.Next(1, 5)).Select(i => new HostFacts(HostId.New(), $"node-{i}",
            rng.Next(4) == 0 ? HostPowerState.Failed : HostPowerState.On, false, History(rng, 70))).ToList();
        var count = vms ?? rng.Next(0, 40);
        var names = Enumerable.Range(0, count).Select(i => $"vm-{rng.Next(0, Math.Max(1, count * 3 / 4))}").ToList(); // some names repeat
        var facts = names.Select(name => new VmFacts(VmId.New(), name, users[rng.Next(users.Count)].Name,
            rng.Next(3) == 0 ? VmState.Stopped : VmState.Running, TagPool.Where(_ => rng.Next(3) == 0).ToList(), "img",
            rng.Next(6) == 0 ? null : hosts[rng.Next(hosts.Count)].Id, Now.AddDays(-rng.Next(0, 5)), Now.AddMinutes(-rng.Next(0, 300)),
            rng.Next(3) == 0 ? Now.AddHours(rng.Next(-30, 5)) : null, History(rng, 130), 1 + rng.Next(4), (1L + rng.Next(4)) << 30)
        {
            Checkpoints = Enumerable.Range(0, rng.Next(0, 4)).Select(k => new CheckpointInfo($"c{k}", Now.AddDays(-k - 1), rng.Next(2) == 0 ? $"p{rng.Next(6)}" : null)).ToList(),
        }).ToList();
        var warnings = facts.Where(_ => rng.Next(4) == 0)
            .Select(v => new WarningRecord($"p{rng.Next(6)}", v.Id, Now.AddHours(-rng.Next(0, 3)), rng.Next(2) == 0 ? v.LeaseExpiresAt : null)).ToList();
        var snapshot = new PolicySnapshot(Now, facts, hosts, users, warnings);

        var policies = new List<CompiledPolicy>();
        for (var i = 0; i < rng.Next(1, 9); i++)
        {
            var admin = rng.Next(3) > 0;
            var actions = Actions.Where(a => admin || !a.AdminOnly).OrderBy(_ => rng.Next()).Take(rng.Next(1, 3)).DistinctBy(a => a.Kind).ToList();
            var select = !admin || rng.Next(3) > 0 ? PolicySelector.All : rng.Next(3) switch
            {
                0 => new PolicySelector { Tags = [TagPool[rng.Next(TagPool.Length)]] },
                1 => new PolicySelector { Owners = [users[rng.Next(users.Count)].Name] },
                _ => new PolicySelector { Hosts = [hosts[rng.Next(hosts.Count)].Name], OlderThan = TimeSpan.FromDays(1) },
            };
            policies.Add(CompiledPolicy.Compile(new PolicyDocument
            {
                Name = $"p{i}", Owner = users[rng.Next(users.Count)].Name, Scope = admin ? PolicyScope.Admin : PolicyScope.User,
                Priority = rng.Next(0, 3) * 50, Condition = Conditions[rng.Next(Conditions.Length)], Actions = actions, Select = select,
                Trigger = new IntervalTrigger(TimeSpan.FromMinutes(5)), TimeZone = rng.Next(2) == 0 ? "UTC" : "Europe/Rome",
                Enabled = rng.Next(8) > 0,
            }, rng.Next(10) == 0 ? LanguageLimits.Default with { MaxEvaluationSteps = 40 } : null));
        }
        // Script proposals: one per (script, VM, action kind), some for a VM the snapshot does not know.
        var scripts = new List<IntendedAction>();
        foreach (var v in facts.Where(_ => rng.Next(5) == 0).Append(facts.Count > 0 && rng.Next(2) == 0 ? facts[0] with { Id = VmId.New() } : null))
        {
            if (v is null) continue;
            foreach (var a in Actions.Where(_ => rng.Next(4) == 0).DistinctBy(a => a.Kind))
                scripts.Add(new IntendedAction("script", users[0].Name, PolicyScope.Admin, a, v.Id, v.Name, v.Owner, v.Host, $"script says {rng.Next(3)}", []));
        }
        PolicyEvent? trigger = rng.Next(5) switch
        {
            0 when facts.Count > 0 => new PolicyEvent(PolicyEventKind.VmStateChanged, Vm: facts[rng.Next(facts.Count)].Id),
            1 => new PolicyEvent(PolicyEventKind.HostFailed, Host: hosts[rng.Next(hosts.Count)].Id),
            _ => null,
        };
        return (snapshot, policies, scripts, trigger);
    }

    /// <summary>Per-minute samples ending at now, sometimes too short to cover a window, sometimes with a gap.</summary>
    private static CpuHistory History(Random rng, int maxSamples)
    {
        var n = rng.Next(0, maxSamples);
        var gap = rng.Next(3) == 0 ? rng.Next(0, Math.Max(1, n)) : -1;
        return CpuHistory.From(Enumerable.Range(0, n).Where(i => i != gap).Select(i => new CpuSample(Now.AddMinutes(i - n + 1), rng.Next(0, 100))));
    }
}
