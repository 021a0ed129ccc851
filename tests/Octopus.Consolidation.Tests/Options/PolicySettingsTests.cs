using Octopus.Consolidation.Horizon;
using Octopus.Consolidation.Options;
using Octopus.Consolidation.Policies;

namespace Octopus.Consolidation.Tests.Options;

public sealed class PolicySettingsTests
{
    [Theory]
    [InlineData("octopus.fill=0.95", "octopus.fill", 0.95)]
    [InlineData(" octopus.dwell = 0 ", "octopus.dwell", 0)]
    [InlineData("OCTOPUS.HORIZON=6", "octopus.horizon", 6)]
    [InlineData("lr.safety=1.5", "lr.safety", 1.5)]
    public void TryApply_ValidAssignment_SetsTheOption(string assignment, string key, double expected)
    {
        PolicySettings.Defaults.TryApply(assignment, out var s, out var error).Should().BeTrue(error);
        s.Values[key].Should().Be(expected);
    }

    [Theory]
    [InlineData("octopus.fill=1.2", "option octopus.fill must be from 0.5 to 1; got 1.2")]
    [InlineData("octopus.fill=NaN", "option octopus.fill must be from 0.5 to 1; got NaN")]
    [InlineData("octopus.dwell=2.5", "option octopus.dwell must be a whole number from 0 to 288; got 2.5")]
    [InlineData("octopus.fill=lots", "option octopus.fill needs a number (from 0.5 to 1); got 'lots'")]
    [InlineData("octopus.fill", "--option takes KEY=VALUE (e.g. octopus.fill=0.95); got 'octopus.fill'")]
    [InlineData("octopus.speed=1", "unknown option 'octopus.speed'; octopus has octopus.fill,")]
    [InlineData("warp.speed=1", "unknown option 'warp.speed'; options are FAMILY.NAME with FAMILY one of octopus,")]
    public void TryApply_BadAssignment_SaysWhichOptionRangeAndValue(string assignment, string message)
    {
        PolicySettings.Defaults.TryApply(assignment, out var s, out var error).Should().BeFalse();
        error.Should().StartWith(message);
        s.Should().BeSameAs(PolicySettings.Defaults);
    }

    [Fact]
    public void Catalog_EveryOctopusSetting_HasAnOptionWhoseDefaultIsTheRecordDefault()
    {
        // From(defaults) must equal Default: an option whose default drifted from the record's would change runs.
        OctopusOptions.From(PolicySettings.Defaults).Should().Be(OctopusOptions.Default);
        PolicyOptionCatalog.All.Select(o => o.Key).Should().OnlyHaveUniqueItems();
        foreach (var o in PolicyOptionCatalog.All) o.Accepts(o.Default).Should().BeTrue(o.Key);
    }

    [Fact]
    public void From_SetsOnlyTheGivenOptions()
    {
        PolicySettings.Defaults.TryApply("octopus.fill=0.95", out var s, out _).Should().BeTrue();
        s.TryApply("octopus.dwell=0", out s, out _).Should().BeTrue();
        OctopusOptions.From(s).Should().Be(OctopusOptions.Default with { FillTarget = 0.95, MinimumDwellSteps = 0 });
    }

    [Fact]
    public void TryCreate_CrossFieldViolation_NamesBothOptions()
    {
        // overload 0.8 < fill 0.9 (the default): each is in its own range, together they are not.
        PolicySettings.Defaults.TryApply("octopus.overload=0.8", out var s, out _).Should().BeTrue();
        PolicyCatalog.TryCreate("octopus", s, out _, out var error).Should().BeFalse();
        error.Should().Contain("octopus.overload").And.Contain("octopus.fill");
    }

    [Fact]
    public void TryCreate_CloudSimNameWithoutParameter_TakesItFromTheOption()
    {
        PolicySettings.Defaults.TryApply("lr.safety=1.5", out var s, out _).Should().BeTrue();
        PolicyCatalog.TryCreate("lr-mmt", s, out var p, out _).Should().BeTrue();
        p!.Name.Should().Be("lr-mmt-1.5");
        PolicyCatalog.TryCreate("lr-mmt-1.2", s, out p, out _).Should().BeTrue();
        p!.Name.Should().Be("lr-mmt-1.2");
        PolicyCatalog.TryCreate("thr-mmt", PolicySettings.Defaults, out p, out _).Should().BeTrue();
        p!.Name.Should().Be("thr-mmt-0.8");
    }
}
