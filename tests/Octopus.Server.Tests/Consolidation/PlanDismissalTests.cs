using Octopus.Contracts;
using Octopus.Persistence.Settings;
using Octopus.Application.Consolidation;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Consolidation;

/// <summary>The dismissal lives in the store's Settings table (a real SQLite store per test).</summary>
public sealed class PlanDismissalTests : IDisposable
{
    private readonly TestStore _store = TestStore.Create();

    public void Dispose() => _store.Dispose();

    private PlanDismissal New() => new(new SettingsStore(_store.Contexts, TimeProvider.System));

    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PlanDto Plan(params PlanStepDto[] steps) =>
        new("manual", "octopus", At, 300, steps.Sum(s => s.WattsSaved), "summary", steps);

    private static PlanStepDto Migrate(string vm, string from, string to, double saved = 10) =>
        new("migrate", vm, from, to, null, "source host is underloaded", saved, 1, 0);

    [Fact]
    public void Apply_SameStepsWithDriftingFigures_StaysDismissed()
    {
        var d = New();
        d.Dismiss(Plan(Migrate("a", "h1", "h2", saved: 10)), "admin", At).Should().BeTrue();

        var shown = d.Apply(Plan(Migrate("a", "h1", "h2", saved: 12.5)));

        shown.Steps.Should().BeEmpty();
        shown.ExpectedWattsSaved.Should().Be(0);
        shown.Summary.Should().Contain("dismissed by admin").And.Contain("1 proposed step");
    }

    [Fact]
    public void Apply_PlanChanged_ShowsItAndForgetsTheDismissal()
    {
        var d = New();
        d.Dismiss(Plan(Migrate("a", "h1", "h2")), "admin", At);

        d.Apply(Plan(Migrate("a", "h1", "h3"))).Steps.Should().HaveCount(1, "a different destination is a different plan");
        d.IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeFalse("the dismissal ended when the plan changed");
    }

    [Fact]
    public void IsDismissed_EmptyPlanMeanwhile_KeepsTheDismissal()
    {
        var d = New();
        d.Dismiss(Plan(Migrate("a", "h1", "h2")), "admin", At);
        d.IsDismissed(Plan()).Should().BeFalse();
        d.IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeTrue();
    }

    [Fact]
    public void IsDismissed_SecondServerProcess_SeesTheDismissalAndItsEnd()
    {
        New().Dismiss(Plan(Migrate("a", "h1", "h2")), "admin", At);
        var other = new PlanDismissal(new SettingsStore(_store.OtherProcess(), TimeProvider.System));

        other.IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeTrue("the dismissal is in the store, not in one process");
        other.IsDismissed(Plan(Migrate("b", "h1", "h2"))).Should().BeFalse();
        New().IsDismissed(Plan(Migrate("a", "h1", "h2"))).Should().BeFalse("the other process saw the plan change and forgot it");
    }

    [Fact]
    public void Dismiss_EmptyPlan_IsRefused() => New().Dismiss(Plan(), "admin", At).Should().BeFalse();
}
