using Octopus.Contracts;
using Octopus.Server.Consolidation;

namespace Octopus.Server.Tests.Consolidation;

public class PlanDismissalTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PlanDto Plan(params PlanStepDto[] steps) =>
        new("manual", "octopus", At, 300, steps.Sum(s => s.WattsSaved), "summary", steps);

    private static PlanStepDto Migrate(string vm, string from, string to, double saved = 10) =>
        new("migrate", vm, from, to, null, "source host is underloaded", saved, 1, 0);

    [Fact]
    public void Apply_SameStepsWithDriftingFigures_StaysDismissed()
    {
        var d = new PlanDismissal();
        d.Dismiss(Plan(Migrate("a", "h1", "h2", saved: 10)), "admin", At).Should().BeTrue();

        var shown = d.Apply(Plan(Migrate("a", "h1", "h2", saved: 12.5)));

        shown.Steps.Should().BeEmpty();
        shown.ExpectedWattsSaved.Should().Be(0);
        shown.Summary.Should().Contain("dismissed by admin").And.Contain("1 proposed step");
    }

    [Fact]
    public void Apply_PlanChanged_ShowsItAndForgetsTheDismissal()
    {
        var d = new PlanDismissal();
        d.Dismiss(Plan(Migrate("a", "h1", "h2")), "admin", At);

        d.Apply(Plan(Migrate("a", "h1", "h3"))).Steps.Should().HaveCount(1, "a different destination is a different plan");
        d.IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeFalse("the dismissal ended when the plan changed");
    }

    [Fact]
    public void IsDismissed_EmptyPlanMeanwhile_KeepsTheDismissal()
    {
        var d = new PlanDismissal();
        d.Dismiss(Plan(Migrate("a", "h1", "h2")), "admin", At);
        d.IsDismissed(Plan()).Should().BeFalse();
        d.IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeTrue();
    }

    [Fact]
    public void Dismiss_EmptyPlan_IsRefused() => new PlanDismissal().Dismiss(Plan(), "admin", At).Should().BeFalse();
}
