using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Tests.Traces;

public sealed class TraceTransformTests
{
    private static PlanetLabTrace Trace() =>
        PlanetLabTrace.FromSamples("day", ["a", "b", "c"], [[10, 0, 80, 40], [50, 60, 70, 100], [1, 2, 3, 4]]);

    private static TracePerturbation Parse(string text)
    {
        TracePerturbation.TryParse(text, out var p, out var error).Should().BeTrue(error);
        return p!;
    }

    [Fact]
    public void Scale_MultipliesRoundsAndCapsAt100_KeepsZeros()
    {
        // a: 10·1.3 = 13, 0 stays 0, 80·1.3 = 104 → 100, 40·1.3 = 52; b: 65, 78, 91, 130 → 100; c: 1.3 → 1, 2.6 → 3, 3.9 → 4, 5.2 → 5.
        var t = Parse("scale:1.3").Apply(Trace());
        t.Samples(0).ToArray().Should().Equal(13, 0, 100, 52);
        t.Samples(1).ToArray().Should().Equal(65, 78, 91, 100);
        t.Samples(2).ToArray().Should().Equal(1, 3, 4, 5);
        t.Name.Should().Be("day+scale:1.3");
    }

    [Fact]
    public void Shift_RotatesTheDay()
    {
        // 10 minutes = 2 intervals: the value at step s is the original's at s − 2 (circular): [80, 40, 10, 0].
        Parse("shift:10m").Apply(Trace()).Samples(0).ToArray().Should().Equal(80, 40, 10, 0);
        // 6 h = 72 intervals on a 288-step day; on this 4-step toy day 72 mod 4 = 0: unchanged.
        Parse("shift:6h").Apply(Trace()).Samples(0).ToArray().Should().Equal(10, 0, 80, 40);
    }

    [Fact]
    public void Noise_IsSeededClampedAndKeepsZeros()
    {
        var a = Parse("noise:10:7").Apply(Trace());
        var b = Parse("noise:10:7").Apply(Trace());
        var c = Parse("noise:10:8").Apply(Trace());
        a.Samples(1).ToArray().Should().Equal(b.Samples(1).ToArray());
        Enumerable.Range(0, 3).Any(v => !a.Samples(v).SequenceEqual(c.Samples(v))).Should().BeTrue("another seed gives other noise");
        a.Samples(0)[1].Should().Be(0);
        foreach (var v in Enumerable.Range(0, 3))
        {
            foreach (var x in a.Samples(v).ToArray().Where((_, s) => Trace().Percent(v, s) > 0)) ((int)x).Should().BeInRange(1, 100);
        }
        Parse("noise:0:1").Apply(Trace()).Samples(1).ToArray().Should().Equal(50, 60, 70, 100);
    }

    [Theory]
    [InlineData("scale:0")]
    [InlineData("scale:abc")]
    [InlineData("shift:6")]
    [InlineData("shift:7m")]
    [InlineData("noise:10")]
    [InlineData("noise:-1:3")]
    [InlineData("wobble:1")]
    public void TryParse_Bad_SaysWhatIsAccepted(string text)
    {
        TracePerturbation.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().Contain("scale:F").And.Contain($"got '{text}'");
    }

    [Fact]
    public void Order_ShuffleIsASeededPermutation_SortedIsIdentity()
    {
        VmOrder.TryParse("sorted", out var sorted, out _).Should().BeTrue();
        sorted.Apply(Trace()).VmNames.Should().Equal("a", "b", "c");
        VmOrder.TryParse("shuffle:3", out var s3, out _).Should().BeTrue();
        var shuffled = s3.Apply(Trace());
        shuffled.VmNames.Should().BeEquivalentTo(["a", "b", "c"]);
        shuffled.VmNames.Should().Equal(s3.Apply(Trace()).VmNames);
        var i = shuffled.VmNames.ToList().IndexOf("b");
        shuffled.Samples(i).ToArray().Should().Equal(50, 60, 70, 100);
        VmOrder.TryParse("random", out _, out var error).Should().BeFalse();
        error.Should().Contain("sorted or shuffle:SEED");
    }
}
