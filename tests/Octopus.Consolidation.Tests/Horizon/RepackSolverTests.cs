using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Horizon;

public sealed class RepackSolverTests
{
    private static readonly double[] Low = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1];

    private static OctopusWorkspace Workspace(OctopusOptions options)
    {
        // Three G5 hosts on for long: host 0 carries two light VMs, host 1 one, host 2 one busier VM.
        var snapshot = new SnapshotBuilder().Step(100).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G5, 0).Host(SnapshotBuilder.G5, 0)
            .Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 0, 0.1, Low).Vm(1000, 613, 1, 0.1, Low).Vm(2500, 870, 2, 0.5, [0.5, 0.5, 0.5, 0.5]).Build();
        return new OctopusWorkspace(snapshot, options, new DemandForecaster(options.ForecastWindow, options.ForecastSafety));
    }

    [Fact]
    public void Drain_ValuableAndFeasible_EmptiesHostsWithinBudget()
    {
        // Each light host saves ~97 W × 24 × 300 s ≈ 0.7 MJ against 613 MB × 50 J = 31 kJ per move: worth it.
        var options = OctopusOptions.Default with { RepackCandidates = 3 };
        var work = Workspace(options);
        RepackSolver.Drain(work, options).Should().BeTrue();
        work.Migrations.Should().NotBeEmpty().And.OnlyContain(m => m.Reason == PlanReason.Repack);
        work.Migrations.Count.Should().BeLessThanOrEqualTo(work.MigrationBudget);
        foreach (var m in work.Migrations) work.State.VmsOn(m.From).Should().BeEmpty("a re-pack empties the hosts it chooses");
    }

    [Fact]
    public void Drain_BudgetTooSmall_DoesNothing()
    {
        // Budget 0 → no move is allowed.
        var options = OctopusOptions.Default with { MigrationBudgetPer1000Vms = 0 };
        var work = Workspace(options);
        RepackSolver.Drain(work, options).Should().BeFalse();
        work.Migrations.Should().BeEmpty();
    }
}
