using Octopus.Consolidation.Horizon;

namespace Octopus.Consolidation.Tests.Horizon;

public sealed class HostDemandForecasterTests
{
    [Theory]
    // samples 100, 300 → mean 200, σ 100. z 0 → 200; z 1.2816 → 328.16; current 400 wins over both.
    [InlineData(0, 0.0, 200.0)]
    [InlineData(0, 1.2816, 328.16)]
    [InlineData(400, 1.2816, 400.0)]
    public void Forecast_MeanPlusZSigma_NeverBelowCurrent(double current, double z, double expected)
    {
        HostDemandForecaster.Forecast(current, [100, 300], z).Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void Forecast_OneSample_IsTheCurrentLoad() => HostDemandForecaster.Forecast(50, [900], 2).Should().Be(50);

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.9, 1.2815516)]
    [InlineData(0.99, 2.3263479)]
    [InlineData(0.01, -2.3263479)]
    public void NormalQuantile_KnownValues(double q, double z) => HostDemandForecaster.NormalQuantile(q).Should().BeApproximately(z, 1e-6);

    [Theory]
    // z(0.9) = 1.2816. target 0.02: measured 0.01 → 1.2816 + 1 · (0.01 − 0.02) / 0.02 = 0.7816; measured 0.04 → 2.2816;
    // measured 0 (start of a run) → 0.2816; measured 0.2 → 1.2816 + 9 = 10.28, capped at 4; gain 0 → no feedback.
    [InlineData(0.01, 1.0, 0.7816)]
    [InlineData(0.04, 1.0, 2.2816)]
    [InlineData(0.0, 1.0, 0.2816)]
    [InlineData(0.2, 1.0, 4.0)]
    [InlineData(0.2, 0.0, 1.2816)]
    public void SlaController_MeasuredVersusTarget_MovesZ(double measured, double gain, double z)
    {
        SlaController.Z(0.9, 0.02, gain, measured).Should().BeApproximately(z, 1e-4);
        SlaController.Z(0.9, 0.02, gain, null).Should().BeApproximately(1.2816, 1e-4);
    }
}
