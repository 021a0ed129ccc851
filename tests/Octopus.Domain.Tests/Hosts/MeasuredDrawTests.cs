using Octopus.Domain.Hosts;
using Octopus.Domain.Units;

namespace Octopus.Domain.Tests.Hosts;

/// <summary>A host's draw: the BMC's measurement when it has one, the power model otherwise, nothing when off.</summary>
public class MeasuredDrawTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static Host NewHost() =>
        Host.Create("h1", new HostCapacity(4, new Mips(1000), ByteSize.FromGiB(16), ByteSize.FromGiB(100)), PowerModel.HpProLiantMl110G4, T0);

    [Fact]
    public void Measurement_ReplacesTheModel_AndNullGivesItBack()
    {
        var h = NewHost();
        h.PowerDraw.Value.Should().Be(86.0);
        h.ObserveMeasuredDraw(new Watts(131.5), T0);
        h.PowerDraw.Value.Should().Be(131.5);
        h.MeasuredAt.Should().Be(T0);
        h.ObserveMeasuredDraw(null, T0.AddMinutes(1));
        h.PowerDraw.Value.Should().Be(86.0);
    }

    [Fact]
    public void SameReading_MovesOnlyTheTime_NotTheVersion()
    {
        var h = NewHost();
        h.ObserveMeasuredDraw(new Watts(100), T0);
        var version = h.Version;
        h.ObserveMeasuredDraw(new Watts(100), T0.AddMinutes(1));
        h.Version.Should().Be(version);
        h.MeasuredAt.Should().Be(T0.AddMinutes(1));
        h.ObserveMeasuredDraw(new Watts(101), T0.AddMinutes(2));
        h.Version.Should().Be(version + 1);
    }

    [Fact]
    public void PoweringOff_DropsTheMeasurement()
    {
        var h = NewHost();
        h.ObserveMeasuredDraw(new Watts(131.5), T0);
        h.MovePower(HostPowerState.PoweringOff, T0);
        h.PowerDraw.Value.Should().Be(131.5, "still on while it shuts down");
        h.MovePower(HostPowerState.Off, T0);
        h.PowerDraw.Should().Be(Watts.Zero);
        h.MeasuredDraw.Should().BeNull();
        h.MovePower(HostPowerState.PoweringOn, T0);
        h.MovePower(HostPowerState.On, T0);
        h.PowerDraw.Value.Should().Be(86.0, "the old reading says nothing about the host once back");
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void ImpossibleReading_IsRefused(double watts)
    {
        var act = () => NewHost().ObserveMeasuredDraw(new Watts(watts), T0);
        act.Should().Throw<DomainException>().WithMessage("*not a power draw*");
    }
}
