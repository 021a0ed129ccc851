using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests.Model;

public sealed class UtilisationHistoryTests
{
    [Fact]
    public void Push_MoreThanCapacity_KeepsTheLatest30MostRecentFirstAndSkipsZeros()
    {
        // Samples 1..75 (as hundredths) with a zero after each tenth: zeros are skipped, only the last 30 stay.
        var history = new UtilisationHistory(2);
        for (var i = 1; i <= 75; i++)
        {
            history.Push(1, i / 100.0);
            if (i % 10 == 0) history.Push(1, 0);
        }
        history.CountOf(1).Should().Be(UtilisationHistory.Capacity);
        history.Of(1).ToArray().Should().Equal(Enumerable.Range(46, 30).Reverse().Select(i => i / 100.0));
        history.Of(0).Length.Should().Be(0);
    }

    [Fact]
    public void Select_ViewSeesLaterPushesOfItsVms()
    {
        var history = new UtilisationHistory(3);
        var view = history.Select([2, 0]);
        history.Push(2, 0.5);
        history.Push(2, 0.25);
        view.Of(0).ToArray().Should().Equal(0.25, 0.5);
        view.CountOf(1).Should().Be(0);
        FluentActions.Invoking(() => view.Push(0, 0.1)).Should().Throw<InvalidOperationException>();
    }
}
