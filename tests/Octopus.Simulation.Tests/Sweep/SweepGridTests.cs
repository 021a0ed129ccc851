using Octopus.Consolidation.Options;
using Octopus.Simulation.Sweep;

namespace Octopus.Simulation.Tests.Sweep;

public sealed class SweepGridTests
{
    private static SweepGrid Parse(string text)
    {
        SweepGrid.TryParse(text, "grid.yaml", out var grid, out var error).Should().BeTrue(error);
        return grid!;
    }

    private static string Error(string text)
    {
        SweepGrid.TryParse(text, "grid.yaml", out var grid, out var error).Should().BeFalse();
        grid.Should().BeNull();
        return error;
    }

    [Fact]
    public void TryParse_FamilyListsAndRanges_ExpandsEveryCombinationFirstAxisSlowest()
    {
        // fill: 2 values; horizon: 12, 24, 36 (from 12 to 36 by 12, both ends) → 2 × 3 = 6 combinations.
        var grid = Parse("octopus:\n  fill: [0.9, 0.95]\n  horizon: {from: 12, to: 36, step: 12}\n");
        grid.Axes.Select(a => a.Key).Should().Equal("octopus.fill", "octopus.horizon");
        grid.Axes[1].Values.Should().Equal(12, 24, 36);
        var points = grid.Points(PolicySettings.Defaults).Select(s => s.ToString()).ToList();
        points.Should().Equal(
            "octopus.fill=0.9,octopus.horizon=12", "octopus.fill=0.9,octopus.horizon=24", "octopus.fill=0.9,octopus.horizon=36",
            "octopus.fill=0.95,octopus.horizon=12", "octopus.fill=0.95,octopus.horizon=24", "octopus.fill=0.95,octopus.horizon=36");
    }

    [Fact]
    public void TryParse_FlatJsonWithScalarAndDecimalRange_ValuesRoundedToTheStep()
    {
        // 0.85 + 2 × 0.05 is 0.9500000000000001 in binary; the grid reads 0.95.
        var grid = Parse("""{"octopus.fill": {"from": 0.85, "to": 0.95, "step": 0.05}, "lr.safety": 1.2}""");
        grid.Axes[0].Values.Should().Equal(0.85, 0.9, 0.95);
        grid.Axes[1].Values.Should().Equal(1.2);
        grid.PointCount.Should().Be(3);
    }

    [Fact]
    public void Points_BaseSettingsKept_GridValuesWin()
    {
        PolicySettings.Defaults.TrySet("octopus.fill", 0.8, out var baseSettings, out _).Should().BeTrue();
        baseSettings.TrySet("octopus.dwell", 3, out baseSettings, out _).Should().BeTrue();
        var grid = Parse("octopus.fill: [0.9]");
        grid.Points(baseSettings).Single().ToString().Should().Be("octopus.dwell=3,octopus.fill=0.9");
    }

    [Theory]
    [InlineData("octopus: {fill: [0.9, 1.5]}", "option octopus.fill must be from 0.5 to 1; got 1.5")]
    [InlineData("octopus: {fil: [0.9]}", "unknown option 'octopus.fil'; octopus has octopus.fill")]
    [InlineData("octopus.horizon: [12.5]", "option octopus.horizon must be a whole number from 1 to 288; got 12.5")]
    [InlineData("octopus.fill: {from: 0.9, to: 0.8, step: 0.05}", "option octopus.fill: range goes from 0.9 down to 0.8")]
    [InlineData("octopus.fill: {from: 0.8, to: 0.9, step: 0}", "option octopus.fill: range step must be positive; got 0")]
    [InlineData("octopus.fill: {from: 0.8, step: 0.05}", "option octopus.fill: a range needs from, to and step")]
    [InlineData("octopus.fill: {from: 0.8, to: 1.1, step: 0.1}", "option octopus.fill must be from 0.5 to 1; got 1.1 (range from 0.8 to 1.1 by 0.1)")]
    [InlineData("octopus.fill: {from: 0.8, to: 0.9, by: 0.1}", "option octopus.fill: a range has from, to and step; got 'by'")]
    [InlineData("octopus.fill: []", "option octopus.fill has an empty list")]
    [InlineData("octopus.fill: [0.9, 0.9]", "option octopus.fill lists a value twice")]
    [InlineData("octopus.fill: [high]", "option octopus.fill: value needs a number; got 'high'")]
    [InlineData("{\"octopus.fill\": [0.9], \"octopus\": {\"fill\": [0.95]}}", "option octopus.fill is given twice")]
    [InlineData("- octopus.fill", "must map option keys to values to try")]
    [InlineData("octopus.fill: [0.9", "is not valid JSON or YAML")]
    public void TryParse_BadGrid_ErrorNamesTheFileAndTheKeyOrRange(string text, string expected)
    {
        var error = Error(text);
        error.Should().Contain("sweep file 'grid.yaml'").And.Contain(expected);
    }

    [Fact]
    public void TryParse_TooManyCombinations_RefusedWithTheCount()
    {
        // 51 × 51 = 2601 > 1000.
        var error = Error("octopus:\n  fill: {from: 0.5, to: 1, step: 0.01}\n  underload: {from: 0.5, to: 1, step: 0.01}\n");
        error.Should().Contain("2601 combinations").And.Contain("at most 1000");
    }

    [Fact]
    public void TryLoad_MissingFile_SaysSo()
    {
        SweepGrid.TryLoad("/nonexistent/grid.yaml", out _, out var error).Should().BeFalse();
        error.Should().Contain("cannot read sweep file '/nonexistent/grid.yaml'");
    }
}
