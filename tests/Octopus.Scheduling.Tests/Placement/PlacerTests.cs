using Octopus.Domain;
using Octopus.Scheduling.Placement;
using static Octopus.Scheduling.Tests.Placement.HostBuilder;
using static Octopus.Scheduling.Tests.Placement.Requests;

namespace Octopus.Scheduling.Tests.Placement;

public class PlacerTests
{
    private static readonly IPlacer Pack = Placer.Create(new PlacementOptions());
    private static readonly IPlacer Spread = Placer.Create(new PlacementOptions { Strategy = PlacementStrategy.Spread });

    // Three feasible hosts for a 4 GiB request; free memory after placement: h1 16-0-4 = 12, h2 16-8-4 = 4, h3 32-4-4 = 24.
    private static PlacementState ThreeHosts() => PlacementState.From(
    [
        MakeHost("h1").Memory("16GiB").LoadPercent(10),
        MakeHost("h2").Memory("16GiB").Allocated(memory: "8GiB").LoadPercent(90),
        MakeHost("h3").Memory("32GiB").Allocated(memory: "4GiB").LoadPercent(50),
    ]);

    [Theory]
    // pack: lower is better, range = 24 - 4 = 20; h2 = (24-4)*100/20 = 100, h1 = (24-12)*100/20 = 60, h3 = (24-24)*100/20 = 0
    [InlineData(PlacementStrategy.Pack, "h2", new[] { "h2", "h1", "h3" }, new[] { 100.0, 60, 0 })]
    // spread: higher is better; h3 = (24-4)*100/20 = 100, h1 = (12-4)*100/20 = 40, h2 = (4-4)*100/20 = 0
    [InlineData(PlacementStrategy.Spread, "h3", new[] { "h3", "h1", "h2" }, new[] { 100.0, 40, 0 })]
    public void Place_Explain_NormalisesAcrossFeasibleHosts(PlacementStrategy strategy, string chosen, string[] order, double[] scores)
    {
        var decision = Placer.Create(new PlacementOptions { Strategy = strategy }).Place(Request(1, "4GiB"), ThreeHosts(), explain: true);

        decision.ChosenHostName.Should().Be(chosen);
        decision.Hosts.Select(h => h.HostName).Should().Equal(order);
        decision.Hosts.Select(h => h.TotalScore!.Value).Should().Equal(scores);
    }

    [Fact]
    public void Place_PackWithLoadWeight_AddsWeightedNormalisedScores()
    {
        var placer = Placer.Create(new PlacementOptions { StrategyWeight = 1, LoadWeight = 2 });

        var decision = placer.Place(Request(1, "4GiB"), ThreeHosts(), explain: true);

        // pack as above: h1 60, h2 100, h3 0.
        // load, lower is better, range = 90 - 10 = 80: h1 = (90-10)*100/80 = 100, h2 = 0, h3 = (90-50)*100/80 = 50.
        // totals = pack*1 + load*2: h1 = 60 + 200 = 260, h2 = 100 + 0 = 100, h3 = 0 + 100 = 100 (tie with h2: h2 wins by name).
        decision.ChosenHostName.Should().Be("h1");
        decision.Hosts.Select(h => (h.HostName, h.TotalScore!.Value)).Should().Equal(("h1", 260.0), ("h2", 100.0), ("h3", 100.0));
        decision.Strategy.Should().Be("pack+load");
        var h1 = decision.Hosts[0].Scores;
        h1.Should().Equal(new ScoreContribution("Pack", 12, 60, 1), new ScoreContribution("LowLoad", 10, 100, 2));
    }

    [Fact]
    public void Place_EqualScores_LowerNameWinsInBothModes()
    {
        // Same free memory everywhere: every host normalises to 100, so the name decides.
        var state = PlacementState.From([MakeHost("sim-02"), MakeHost("sim-10"), MakeHost("sim-01"), MakeHost("sim-03")]);

        foreach (var placer in new[] { Pack, Spread })
        {
            placer.Place(Request(1, "1GiB"), state, explain: true).ChosenHostName.Should().Be("sim-01");
            placer.Place(Request(1, "1GiB"), state, explain: false).ChosenHostName.Should().Be("sim-01");
        }
    }

    [Fact]
    public void Place_Explain_SummaryCountsConsideredAndRejected()
    {
        var state = PlacementState.From(
        [
            MakeHost("sim-01").Memory("16GiB"),
            MakeHost("sim-02").Memory("16GiB").Allocated(memory: "14GiB"),
            MakeHost("sim-03").Memory("16GiB").Allocated(memory: "8GiB"),
            MakeHost("sim-04").Off(),
        ]);

        var decision = Pack.Place(Request(2, "4GiB"), state, explain: true);

        // sim-02 has 2 GiB free (< 4), sim-04 is off; free after: sim-01 12, sim-03 4 -> sim-03 is the best fit.
        decision.Summary.Should().Be("placed on sim-03 (score 100; 4 hosts considered, 2 rejected)");
        decision.RejectionCounts.Should().BeEquivalentTo(new Dictionary<string, int> { ["memory"] = 1, ["off"] = 1 });
        decision.Hosts.Select(h => h.HostName).Should().Equal("sim-03", "sim-01", "sim-02", "sim-04");
        decision.Hosts[2].Rejections.Should().ContainSingle().Which.Reason.Should().Be("needs 4 GiB memory, 2 GiB free of 16 GiB");
        decision.HostsExamined.Should().Be(4);
    }

    [Fact]
    public void Place_NothingFits_SummaryNamesCountsPerReasonMostCommonFirst()
    {
        var state = PlacementState.From(
        [
            MakeHost("h1").Memory("16GiB").Allocated(memory: "12GiB"),
            MakeHost("h2").Memory("16GiB").Allocated(memory: "12GiB"),
            MakeHost("h3").Memory("16GiB").Allocated(cores: 8, memory: "10GiB"),
            MakeHost("h4").Off(),
            MakeHost("h5").InMaintenance(),
        ]);

        var explained = Pack.Place(Request(4, "8GiB", "20GiB"), state, explain: true);
        var fast = Pack.Place(Request(4, "8GiB", "20GiB"), state, explain: false);

        // memory: h1, h2, h3 (6 GiB free < 8); cores: h3 (0 free < 4); off: h4; maintenance: h5.
        const string expected = "no host fits 4 vCPU, 8 GiB memory, 20 GiB disk: 3 lack memory, 1 is off, 1 is in maintenance, 1 lacks cores";
        explained.Summary.Should().Be(expected);
        fast.Summary.Should().Be(expected);
        explained.ChosenHost.Should().BeNull();
        explained.Placed.Should().BeFalse();
        explained.NeverFits.Should().BeFalse();
        fast.RejectionCounts.Should().BeEquivalentTo(explained.RejectionCounts);
        explained.Hosts.Should().HaveCount(5).And.OnlyContain(h => !h.Feasible && h.TotalScore == null);
    }

    [Fact]
    public void Place_HostFailsSeveralChecks_ExplainListsEveryReason()
    {
        var state = PlacementState.From([MakeHost("h1").Cores(2).Memory("4GiB").Off().InMaintenance()]);

        var decision = Pack.Place(Request(4, "8GiB"), state, explain: true);

        decision.Hosts[0].Rejections.Select(r => r.Code).Should().Equal("off", "maintenance", "cores", "memory");
        decision.RejectionCounts.Values.Sum().Should().Be(4);
    }

    [Theory]
    [InlineData(64, "8GiB", "10GiB", true)]   // more cores than any host has (largest: 32)
    [InlineData(8, "512GiB", "10GiB", true)]  // more memory than any host has (largest: 128 GiB)
    [InlineData(32, "128GiB", "2TiB", true)]  // each amount fits some host, but the 32-core host has 1 TiB disk
    [InlineData(32, "128GiB", "1TiB", false)] // fits the big host's whole capacity, which is merely off now
    public void Place_RequestVersusWholeCapacity_NeverFitsOnlyWhenNoHostCouldEverHoldIt(int cores, string memory, string disk, bool never)
    {
        var state = PlacementState.From(
        [
            MakeHost("small").Cores(8).Memory("32GiB").Disk("2TiB").Allocated(cores: 8, memory: "32GiB"),
            MakeHost("big").Cores(32).Memory("128GiB").Disk("1TiB").Off(),
        ]);

        var decision = Pack.Place(Request(cores, memory, disk), state, explain: false);

        decision.Placed.Should().BeFalse();
        decision.NeverFits.Should().Be(never);
        state.CanEverHold(Request(cores, memory, disk)).Should().Be(!never);
        if (never) decision.Summary.Should().EndWith("; it is larger than every host's total capacity, so it can never be placed");
    }

    [Fact]
    public void Place_EmptyCluster_SaysSoAndNeverFits()
    {
        var decision = Pack.Place(Request(1, "1GiB"), PlacementState.From([]), explain: true);

        decision.Summary.Should().Be("no host fits 1 vCPU, 1 GiB memory, 10 GiB disk: the cluster has no hosts");
        decision.NeverFits.Should().BeTrue();
    }

    [Fact]
    public void Place_FastPath_SkipsHostsButChoosesTheSameHost()
    {
        // 100 empty 64 GiB hosts and one with exactly 4 GiB free: pack must find the tight one without scoring all.
        var hosts = Enumerable.Range(0, 100).Select(i => MakeHost($"big-{i:000}").Memory("64GiB").Build()).ToList();
        hosts.Add(MakeHost("tight").Memory("64GiB").Allocated(memory: "60GiB"));
        var state = PlacementState.From(hosts);

        var fast = Pack.Place(Request(1, "4GiB"), state, explain: false);
        var explained = Pack.Place(Request(1, "4GiB"), state, explain: true);

        fast.ChosenHostName.Should().Be("tight");
        explained.ChosenHostName.Should().Be("tight");
        fast.Hosts.Should().BeEmpty();
        fast.HostsExamined.Should().Be(1);
        fast.Summary.Should().Be("placed on tight (score 100; 1 of 101 hosts examined via index, 0 rejected)");
    }

    [Fact]
    public void Place_FastPath_SeesReservationsMadeBetweenDecisions()
    {
        // Two 16 GiB hosts, 6 GiB VMs: pack fills a first (16 -> 10 -> 4 free), then the third VM must go to b.
        var state = PlacementState.From([MakeHost("a").Memory("16GiB"), MakeHost("b").Memory("16GiB")]);
        var chosen = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            var request = Request(1, "6GiB", name: $"vm{i}");
            var decision = Pack.Place(request, state, explain: false);
            chosen.Add(decision.ChosenHostName);
            if (decision.ChosenHost is { } host) state.Reserve(host, request);
        }

        chosen.Should().Equal("a", "a", "b", "b", null);
    }

    [Fact]
    public void Place_FastPath_CountsRejectedCandidates()
    {
        // Free memory: a 2 GiB, b 4 GiB (but no free cores), c 8 GiB; the request needs 4 GiB.
        var state = PlacementState.From(
        [
            MakeHost("a").Memory("16GiB").Allocated(memory: "14GiB"),
            MakeHost("b").Memory("16GiB").Allocated(cores: 8, memory: "12GiB"),
            MakeHost("c").Memory("16GiB").Allocated(memory: "8GiB"),
        ]);

        var decision = Pack.Place(Request(1, "4GiB"), state, explain: false);

        // a is below the index's key range and never visited; b is visited and rejected for cores.
        decision.ChosenHostName.Should().Be("c");
        decision.HostsExamined.Should().Be(2);
        decision.RejectionCounts.Should().BeEquivalentTo(new Dictionary<string, int> { ["cores"] = 1 });
    }

    [Theory]
    [InlineData(0, "1GiB", "1GiB", "cores")]
    [InlineData(1, "0", "1GiB", "memoryBytes")]
    public void Place_MalformedRequest_IsAValidationError(int cores, string memory, string disk, string field)
    {
        var act = () => Pack.Place(Request(cores, memory, disk), ThreeHosts(), explain: false);

        act.Should().Throw<DomainException>().Which.Field.Should().Be(field);
    }
}

public class PlacerSharingTests
{
    [Fact]
    public void Place_TwoPlacersAlikeOnOneState_ShareTheIndexAndStayInStep()
    {
        // One placer per pass is a natural way to use the API; a second, equal placer must see the first one's reservations.
        var state = PlacementState.From([MakeHost("a").Memory("16GiB"), MakeHost("b").Memory("12GiB")]);
        var first = Placer.Create(new PlacementOptions { Strategy = PlacementStrategy.Spread });
        var second = Placer.Create(new PlacementOptions { Strategy = PlacementStrategy.Spread });
        var request = Request(1, "8GiB");

        first.Place(request, state, explain: false).ChosenHostName.Should().Be("a"); // 16 free beats 12
        state.Reserve(IdFor("a"), request);

        second.Place(request, state, explain: false).ChosenHostName.Should().Be("b"); // a has 8 free now, b 12
    }
}

public class PlacerNoFitTests
{
    [Fact]
    public void Place_NothingFitsAfterReservingOnAnOffHost_FastPathCountsTheSameAsExplain()
    {
        // The caller may reserve on any host (say, a VM already assigned to a host that is now off). The fast path's
        // "nothing fits" counts must then see the off host's reduced memory just as a full evaluation does.
        var placer = Placer.Create(new PlacementOptions());
        var state = PlacementState.From([MakeHost("on").Memory("16GiB").Allocated(memory: "12GiB"), MakeHost("off").Memory("16GiB").Off()]);
        placer.Place(Request(1, "8GiB"), state, explain: false); // builds the index before the reservation
        state.Reserve(IdFor("off"), Request(1, "10GiB"));

        var fast = placer.Place(Request(1, "8GiB"), state, explain: false);
        var explained = placer.Place(Request(1, "8GiB"), state, explain: true);

        // on: 16 - 12 = 4 GiB free < 8; off: 16 - 10 = 6 GiB free < 8, and off.
        fast.Summary.Should().Be("no host fits 1 vCPU, 8 GiB memory, 10 GiB disk: 2 lack memory, 1 is off");
        explained.Summary.Should().Be(fast.Summary);
        fast.HostsExamined.Should().Be(2);
    }
}
