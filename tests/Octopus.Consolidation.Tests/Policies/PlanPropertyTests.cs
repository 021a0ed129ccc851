using CsCheck;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;

namespace Octopus.Consolidation.Tests.Policies;

/// <summary>Invariants every policy's plan must keep, on random small clusters.</summary>
public sealed class PlanPropertyTests
{
    private static readonly (double Mips, double Ram)[] VmTypes = [(2500, 870), (2000, 1740), (1000, 1740), (500, 613)];

    private static ClusterSnapshot RandomCluster(int seed)
    {
        var rng = new Random(seed);
        var b = new SnapshotBuilder().Memory(rng.Next(2) == 0 ? MemoryMode.Enforced : MemoryMode.CloudSim).Step(rng.Next(1, 50));
        var hosts = rng.Next(2, 9);
        for (var h = 0; h < hosts; h++) b.Host(rng.Next(2), rng.Next(-20, 50));
        var ramLeft = Enumerable.Repeat(4096.0, hosts).ToArray();
        var vms = rng.Next(0, 24);
        var newVms = rng.Next(2) == 0;
        for (var v = 0; v < vms; v++)
        {
            var (mips, ram) = VmTypes[rng.Next(4)];
            var host = rng.Next(hosts);
            // Existing placements respect memory so the starting state is one a cluster can really be in.
            if (newVms && rng.Next(3) == 0 || ramLeft[host] < ram) host = -1;
            else ramLeft[host] -= ram;
            var history = Enumerable.Range(0, rng.Next(0, 16)).Select(_ => Math.Round(rng.NextDouble(), 2) + 0.01).ToArray();
            b.Vm(mips, ram, host, rng.Next(5) == 0 ? 0 : Math.Round(rng.NextDouble(), 2), history);
        }
        return b.Build();
    }

    [Fact]
    public void Plan_AnyPolicyAnyCluster_NeverOvercommitsOrPowersOffABusyHost()
    {
        Gen.Int.Sample(seed =>
        {
            var snapshot = RandomCluster(seed);
            foreach (var name in PolicyCatalog.StandardNames)
            {
                PolicyCatalog.TryCreate(name, out var policy, out _).Should().BeTrue();
                var plan = policy!.Plan(snapshot);
                CheckPlan(snapshot, plan, name, seed);
            }
        }, iter: 150);
    }

    private static void CheckPlan(ClusterSnapshot snapshot, ConsolidationPlan plan, string policy, int seed)
    {
        var final = snapshot.Vms.Select(v => v.Host).ToArray();
        var isNew = snapshot.Vms.Select(v => v.Host < 0).ToArray();
        var gaining = new HashSet<int>();
        foreach (var p in plan.Placements)
        {
            isNew[p.Vm].Should().BeTrue($"{policy} (seed {seed}) placed VM {p.Vm} that already had a host");
            final[p.Vm] = p.Host;
            gaining.Add(p.Host);
        }
        foreach (var m in plan.Migrations)
        {
            final[m.Vm] = m.To;
            gaining.Add(m.To);
        }
        for (var h = 0; h < snapshot.Hosts.Length; h++)
        {
            var type = snapshot.TypeOf(h);
            double before = 0, after = 0, ram = 0;
            for (var v = 0; v < snapshot.Vms.Length; v++)
            {
                var vm = snapshot.Vms[v];
                var load = Math.Min(vm.RequestedMips, type.MipsPerCore);
                if (vm.Host == h) before += load;
                if (final[v] != h) continue;
                after += load;
                if (snapshot.Memory == MemoryMode.Enforced || isNew[v]) ram += vm.RamMb;
            }
            if (gaining.Contains(h))
            {
                after.Should().BeLessThanOrEqualTo(Math.Max(type.TotalMips, before) + 1e-6,
                    $"{policy} (seed {seed}) overcommits host {h} CPU");
                ram.Should().BeLessThanOrEqualTo(type.RamMb + 1e-6, $"{policy} (seed {seed}) overcommits host {h} memory");
            }
        }
        foreach (var a in plan.PowerActions.Where(a => a.Target == HostPower.Off))
        {
            final.Should().NotContain(a.Host, $"{policy} (seed {seed}) powers off host {a.Host} that still has VMs");
        }
    }
}
