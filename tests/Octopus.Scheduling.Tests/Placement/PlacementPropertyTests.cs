using CsCheck;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Scheduling.Placement;

namespace Octopus.Scheduling.Tests.Placement;

/// <summary>Random clusters and random sequences of placements and removals: the fast path must always agree with
/// explain mode, and neither may choose a host that cannot hold the request.</summary>
public class PlacementPropertyTests
{
    private static readonly ByteSize HalfGiB = ByteSize.FromMiB(512);

    // Few distinct names and amounts on purpose: ties in free memory and in names are where index and scan could part.
    private static readonly Gen<HostView> GenHost =
        Gen.Select(Gen.Int[0, 11], Gen.Int[1, 16], Gen.Int[1, 32], Gen.Int[10, 200],
                Gen.Select(Gen.Int[0, 20], Gen.Int[0, 70], Gen.Int[0, 220]),
                Gen.FrequencyConst((12, HostPowerState.On), (1, HostPowerState.Off), (1, HostPowerState.PoweringOn),
                    (1, HostPowerState.PoweringOff), (1, HostPowerState.Failed)),
                Gen.Int[0, 9], Gen.Int[0, 100])
            .Select((name, cores, memGiB, diskGiB, alloc, power, maintenance, load) => new HostView(
                HostId.New(), $"h{name:00}", new HostCapacity(cores, new Mips(1000), ByteSize.FromGiB(memGiB), ByteSize.FromGiB(diskGiB)),
                // allocation may exceed capacity (overcommitted hosts must simply be rejected)
                new HostAllocation(Math.Min(alloc.Item1, cores + 2), HalfGiB * Math.Min(alloc.Item2, (memGiB * 2) + 2),
                    ByteSize.FromGiB(Math.Min(alloc.Item3, diskGiB + 5)), alloc.Item1 > 0 ? 1 : 0),
                power, maintenance == 0, CpuLoad.FromPercent(load)));

    // Step: a request to place, or (when Remove is 0) taking back an earlier reservation picked by Pick.
    private static readonly Gen<(int Cores, int HalfGiBs, int DiskGiB, int Remove, int Pick)> GenStep =
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 24], Gen.Int[1, 60], Gen.Int[0, 5], Gen.Int[0, 1000]);

    private static readonly PlacementOptions[] Configurations =
    [
        new() { Strategy = PlacementStrategy.Pack },
        new() { Strategy = PlacementStrategy.Spread, StrategyWeight = 3 },
        new() { Strategy = PlacementStrategy.Pack, LoadWeight = 0.5 }, // two scorers: fast path falls back to a scan
    ];

    [Fact]
    public void Place_FastPathAndExplain_ChooseTheSameFeasibleHost() =>
        Gen.Select(GenHost.Array[0, 40], GenStep.Array[1, 80]).Sample((hosts, steps) =>
        {
            foreach (var options in Configurations) Run(Placer.Create(options), hosts, steps);
        }, iter: 120);

    [Fact]
    public void Place_FastPathWithTinyIndexBlocks_StillAgreesWithExplain() =>
        // Blocks of 2 to 5 hosts split and empty all the time, which the default size never does in small clusters.
        Gen.Select(GenHost.Array[0, 60], GenStep.Array[1, 120], Gen.Int[2, 5]).Sample((hosts, steps, block) =>
        {
            foreach (var options in Configurations[..2]) Run(Placer.Create(options), hosts, steps, block);
        }, iter: 80);

    private static void Run(IPlacer placer, HostView[] hosts, (int Cores, int HalfGiBs, int DiskGiB, int Remove, int Pick)[] steps,
        int indexBlock = 128)
    {
        var state = PlacementState.From(hosts, indexBlock);
        var reserved = new List<(HostId Host, PlacementRequest Request)>();
        foreach (var step in steps)
        {
            if (step.Remove == 0 && reserved.Count > 0)
            {
                var (host, old) = reserved[step.Pick % reserved.Count];
                reserved.RemoveAt(step.Pick % reserved.Count);
                state.Unreserve(host, old);
                continue;
            }
            var request = new PlacementRequest("vm", step.Cores, HalfGiB * step.HalfGiBs, ByteSize.FromGiB(step.DiskGiB));
            var explained = placer.Place(request, state, explain: true);
            var fast = placer.Place(request, state, explain: false);

            // Plain checks in the loop (assertion objects per host would dominate the run time); one failure message each.
            if (fast.ChosenHost != explained.ChosenHost)
                Assert.Fail($"fast path chose {fast.ChosenHostName}, explain chose {explained.ChosenHostName}: {fast.Summary} / {explained.Summary}");
            if (fast.NeverFits != explained.NeverFits) Assert.Fail($"NeverFits differs: {fast.Summary} / {explained.Summary}");
            if (explained.Hosts.Count != hosts.Length) Assert.Fail($"explain listed {explained.Hosts.Count} of {hosts.Length} hosts");
            foreach (var evaluation in explained.Hosts)
                if (evaluation.Feasible != CanHold(state.Find(evaluation.Host)!, request))
                    Assert.Fail($"{evaluation.HostName} judged feasible={evaluation.Feasible} for {request.Describe()}");

            if (explained.ChosenHost is not { } chosen)
            {
                // With nothing placed, the fast path must tell the same story, counts included.
                if (fast.Summary != explained.Summary) Assert.Fail($"summaries differ: {fast.Summary} / {explained.Summary}");
                if (!fast.RejectionCounts.OrderBy(c => c.Key).SequenceEqual(explained.RejectionCounts.OrderBy(c => c.Key)))
                    Assert.Fail($"rejection counts differ: {string.Join(",", fast.RejectionCounts)} / {string.Join(",", explained.RejectionCounts)}");
                var canEver = hosts.Any(h =>
                    h.Capacity.Cores >= request.Cores && h.Capacity.Memory >= request.Memory && h.Capacity.Disk >= request.Disk);
                if (explained.NeverFits == canEver) Assert.Fail($"NeverFits={explained.NeverFits} but some host could ever hold it={canEver}");
                continue;
            }
            if (!CanHold(state.Find(chosen)!, request)) Assert.Fail($"chose {explained.ChosenHostName}, which cannot hold {request.Describe()}");
            if (explained.Hosts[0].Host != chosen) Assert.Fail("explain must list the chosen host first");
            if (explained.Hosts.Any(h => h.TotalScore > explained.Hosts[0].TotalScore)) Assert.Fail("a host scored above the chosen one");
            // The kept candidates are the head of explain mode's ranking, in both modes (the fast path walks the same order).
            var head = explained.Hosts.Where(h => h.Feasible).Take(PlacementCandidate.Kept).Select(h => h.Host).ToList();
            if (!explained.Candidates.Select(c => c.Host).SequenceEqual(head))
                Assert.Fail($"explain candidates {string.Join(",", explained.Candidates.Select(c => c.HostName))} are not its ranking's head");
            if (!fast.Candidates.Select(c => c.Host).SequenceEqual(head))
                Assert.Fail($"fast candidates {string.Join(",", fast.Candidates.Select(c => c.HostName))} differ from explain's " +
                    string.Join(",", explained.Hosts.Where(h => h.Feasible).Take(PlacementCandidate.Kept).Select(h => h.HostName)));
            if (explained.Candidates.Zip(explained.Hosts).Any(p => p.First.Score != p.Second.TotalScore)) Assert.Fail("candidate scores differ from explain's");
            state.Reserve(chosen, request);
            reserved.Add((chosen, request));
        }
    }

    private static bool CanHold(HostView host, PlacementRequest request) =>
        host.PowerState == HostPowerState.On && !host.Maintenance
        && host.FreeCores >= request.Cores && host.FreeMemory >= request.Memory && host.FreeDisk >= request.Disk;
}
