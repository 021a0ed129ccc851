using Octopus.Domain;
using Octopus.Scheduling.Placement;

namespace Octopus.Scheduling.Tests.Placement;

public class PlacementOptionsTests
{
    [Fact]
    public void Defaults_PackWithStrategyWeightOne_AreValid()
    {
        var options = new PlacementOptions();

        options.Strategy.Should().Be(PlacementStrategy.Pack);
        options.StrategyWeight.Should().Be(1);
        options.LoadWeight.Should().Be(0);
        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData(-1, 0, "strategyWeight")]
    [InlineData(1001, 0, "strategyWeight")]
    [InlineData(double.NaN, 0, "strategyWeight")]
    [InlineData(1, -0.5, "loadWeight")]
    [InlineData(1, double.PositiveInfinity, "loadWeight")]
    [InlineData(0, 0, "strategyWeight")] // nothing would rank the hosts
    public void Validate_OutOfRange_NamesTheOption(double strategyWeight, double loadWeight, string field)
    {
        var options = new PlacementOptions { StrategyWeight = strategyWeight, LoadWeight = loadWeight };

        var error = options.Invoking(o => o.Validate()).Should().Throw<DomainException>().Which;
        error.Field.Should().Be(field);
        error.Kind.Should().Be(ErrorKind.Validation);
    }

    [Fact]
    public void Create_InvalidOptions_Throws() =>
        FluentActions.Invoking(() => Placer.Create(new PlacementOptions { Strategy = (PlacementStrategy)7 }))
            .Should().Throw<DomainException>().Which.Field.Should().Be("strategy");
}
