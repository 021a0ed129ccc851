using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Domain.Tests.Hosts;

public class PowerModelTests
{
    [Theory]
    [InlineData(0.0, 86.0)]
    [InlineData(0.05, 87.7)]   // halfway between 86 and 89.4
    [InlineData(0.55, 104.0)]  // halfway between 102 and 106
    [InlineData(1.0, 117.0)]
    [InlineData(1.7, 117.0)]   // clamped
    public void At_InterpolatesLinearly(double load, double watts) =>
        PowerModel.HpProLiantMl110G4.At(new CpuLoad(load)).Value.Should().BeApproximately(watts, 1e-9);

    [Fact]
    public void Ctor_FallingCurve_IsRejected()
    {
        var act = () => new PowerModel([10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        act.Should().Throw<DomainException>().WithMessage("*must not fall*");
    }

    [Fact]
    public void Ctor_WrongLength_IsRejected() =>
        FluentActions.Invoking(() => new PowerModel([1, 2, 3])).Should().Throw<DomainException>().WithMessage("*11 values*");
}
