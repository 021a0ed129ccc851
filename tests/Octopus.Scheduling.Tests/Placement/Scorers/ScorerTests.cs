using Octopus.Scheduling.Placement.Scorers;
using static Octopus.Scheduling.Tests.Placement.HostBuilder;
using static Octopus.Scheduling.Tests.Placement.Requests;

namespace Octopus.Scheduling.Tests.Placement.Scorers;

public class PackScorerTests
{
    [Theory]
    [InlineData("16GiB", "0", "4GiB", 12.0)]      // raw = (16 - 0) - 4 = 12 GiB left
    [InlineData("16GiB", "8GiB", "4GiB", 4.0)]    // raw = (16 - 8) - 4 = 4 GiB left
    [InlineData("32GiB", "4GiB", "512MiB", 27.5)] // raw = (32 - 4) - 0.5 = 27.5 GiB left
    public void Score_FreeMemoryAfterPlacement_InGiB(string capacity, string allocated, string asked, double expected) =>
        new PackScorer().Score(Request(1, asked), MakeHost("h").Memory(capacity).Allocated(memory: allocated)).Should().Be(expected);

    [Fact]
    public void HigherIsBetter_BestFit_IsFalse() => new PackScorer().HigherIsBetter.Should().BeFalse();

    [Fact]
    public void RankKey_LessFreeMemory_RanksFirst()
    {
        var scorer = new PackScorer();
        scorer.RankKey(MakeHost("a").Allocated(memory: "12GiB")).Should().BeLessThan(scorer.RankKey(MakeHost("b").Allocated(memory: "4GiB")));
    }

    [Fact]
    public void CandidateKeys_StartAtTheRequestedMemory() =>
        new PackScorer().CandidateKeys(Request(1, "4GiB")).Should().Be((4L << 30, long.MaxValue));
}

public class SpreadScorerTests
{
    [Fact]
    public void Score_FreeMemoryAfterPlacement_HigherIsBetter()
    {
        var scorer = new SpreadScorer();
        // raw = (16 - 8) - 2 = 6 GiB left
        scorer.Score(Request(1, "2GiB"), MakeHost("h").Memory("16GiB").Allocated(memory: "8GiB")).Should().Be(6.0);
        scorer.HigherIsBetter.Should().BeTrue();
    }

    [Fact]
    public void RankKey_MoreFreeMemory_RanksFirst()
    {
        var scorer = new SpreadScorer();
        scorer.RankKey(MakeHost("a").Allocated(memory: "4GiB")).Should().BeLessThan(scorer.RankKey(MakeHost("b").Allocated(memory: "12GiB")));
    }

    [Fact]
    public void CandidateKeys_EndAtMinusTheRequestedMemory() =>
        new SpreadScorer().CandidateKeys(Request(1, "4GiB")).Should().Be((long.MinValue, -(4L << 30)));
}

public class LowLoadScorerTests
{
    [Fact]
    public void Score_IsLoadInPercent_LowerIsBetter()
    {
        var scorer = new LowLoadScorer();
        scorer.Score(Request(1, "1GiB"), MakeHost("h").LoadPercent(35)).Should().BeApproximately(35, 1e-9);
        scorer.HigherIsBetter.Should().BeFalse();
    }
}
