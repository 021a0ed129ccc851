using CsCheck;
using Octopus.Consolidation.Model;
using Octopus.Consolidation.Policies;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Scheduling.Placement;

namespace Octopus.Consolidation.Tests.Policies;

/// <summary>Invariants every policy's plan must keep, on random small clusters: no host overcommitted, no busy host powered
/// off, and — when the cluster carries placement's model — no step the committer, asking placement's filters in the plan's
/// order, would skip for feasibility (issue 16's property; issue 11's one feasibility model).</summary>
public sealed class PlanPropertyTests
{
    private static readonly (double Mips, double Ram)[] VmTypes = [(2500, 870), (2000, 1740), (1000, 1740), (500, 613)];

    private static readonly IPlacer Placement = Placer.Create(new PlacementOptions());

    /// <summary>A random small cluster; about half of them also carry placement's model (<see cref="ClusterSnapshot.Feasibility"/>)
    /// with disk-limited hosts (10–40 GiB each, VMs of 5, 10 or 20 GiB), where disk, not the engine's CPU or memory, is
    /// what runs out.</summary>
    private static ClusterSnapshot RandomCluster(int seed)
    {
        var rng = new Random(seed);
        var b = new SnapshotBuilder().Memory(rng.Next(2) == 0 ? MemoryMode.Enforced : MemoryMode.CloudSim).Step(rng.Next(1, 50));
        var hosts = rng.Next(2, 9);
        var withDisk = rng.Next(2) == 0;
        for (var h = 0; h < hosts; h++) b.Host(rng.Next(2), rng.Next(-20, 50));
        var diskOf = Enumerable.Range(0, hosts).Select(_ => (long)rng.Next(1, 5) * 10).ToArray();
        var ramLeft = Enumerable.Repeat(4096.0, hosts).ToArray();
        var diskLeft = diskOf.ToArray();
        var vms = rng.Next(0, 24);
        var newVms = rng.Next(2) == 0;
        var vmDisk = new List<long>();
        for (var v = 0; v < vms; v++)
        {
            var (mips, ram) = VmTypes[rng.Next(4)];
            long disk = withDisk ? new[] { 5, 10, 20 }[rng.Next(3)] : 0;
            var host = rng.Next(hosts);
            // Existing placements respect memory (and disk) so the starting state is one a cluster can really be in.
            if (newVms && rng.Next(3) == 0 || ramLeft[host] < ram || diskLeft[host] < disk) host = -1;
            else (ramLeft[host], diskLeft[host]) = (ramLeft[host] - ram, diskLeft[host] - disk);
            var history = Enumerable.Range(0, rng.Next(0, 16)).Select(_ => Math.Round(rng.NextDouble(), 2) + 0.01).ToArray();
            b.Vm(mips, ram, host, rng.Next(5) == 0 ? 0 : Math.Round(rng.NextDouble(), 2), history);
            vmDisk.Add(disk);
        }
        var built = b.Build();
        if (!withDisk) return built;
        // Placement's view of the same cluster: cores and memory to spare (the engine's own model bounds those), disk tight.
        var requests = built.Vms.Select((vm, i) => new PlacementRequest("vm" + i, 1, ByteSize.FromMiB(vm.RamMb), ByteSize.FromGiB(vmDisk[i]))).ToArray();
        var views = Enumerable.Range(0, hosts).Select(h =>
        {
            var allocated = HostAllocation.None;
            for (var v = 0; v < requests.Length; v++)
            {
                if (built.Vms[v].Host == h) allocated = allocated.Add(requests[v].Cores, requests[v].Memory, requests[v].Disk);
            }
            return new HostView(HostId.New(), $"h-{h:00}", HostCapacity.Create(64, new Mips(3000), ByteSize.FromGiB(64), ByteSize.FromGiB(diskOf[h])),
                allocated, HostPowerState.On, false, CpuLoad.Idle);
        }).ToArray();
        return new ClusterSnapshot
        {
            HostTypes = built.HostTypes, Hosts = built.Hosts, Vms = built.Vms, History = built.History, Memory = built.Memory, Step = built.Step,
            Feasibility = new PlacementFeasibility(Placement, views, requests),
        };
    }

    /// <summary>The committer's question (PlanWalk in the server): each placement and migration, in the plan's order, judged
    /// by placement's filters against the cluster with the steps before it applied. Null when every step passes.</summary>
    private static string? FirstStepTheCommitterRefuses(ClusterSnapshot snapshot, ConsolidationPlan plan)
    {
        if (snapshot.Feasibility is not { } feasibility) return null;
        var views = Enumerable.Range(0, feasibility.HostCount).Select(feasibility.View).ToArray();
        var state = Octopus.Scheduling.Placement.PlacementState.From(views);
        foreach (var p in plan.Placements)
        {
            var request = feasibility.Request(p.Vm);
            if (Placement.WhyNotOn(request, state.Find(views[p.Host].Id)!) is { } why) return $"placement of VM {p.Vm} on host {p.Host}: {why}";
            state.Reserve(views[p.Host].Id, request);
        }
        foreach (var m in plan.Migrations)
        {
            var request = feasibility.Request(m.Vm);
            if (Placement.WhyNotOn(request, state.Find(views[m.To].Id)!) is { } why) return $"migration of VM {m.Vm} from host {m.From} to {m.To}: {why}";
            state.Reserve(views[m.To].Id, request);
            if (state.Find(views[m.From].Id)!.Allocated.VmCount > 0) state.Unreserve(views[m.From].Id, request);
        }
        return null;
    }

    [Fact]
    public void Plan_AnyPolicyAnyCluster_NeverOvercommitsNorProposesWhatTheCommitterRefusesNorPowersOffABusyHost()
    {
        Gen.Int.Sample(seed =>
        {
            var snapshot = RandomCluster(seed);
            foreach (var name in PolicyCatalog.StandardNames)
            {
                PolicyCatalog.TryCreate(name, out var policy, out _).Should().BeTrue();
                var plan = policy!.Plan(snapshot);
                CheckPlan(snapshot, plan, name, seed);
                FirstStepTheCommitterRefuses(snapshot, plan).Should().BeNull($"{name} (seed {seed}) proposes only what placement's filters take");
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
