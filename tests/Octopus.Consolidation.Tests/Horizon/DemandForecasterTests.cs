using Octopus.Consolidation.Horizon;

namespace Octopus.Consolidation.Tests.Horizon;

public sealed class DemandForecasterTests
{
    [Fact]
    public void Forecast_MeanPlusSafetyTimesStd_NotBelowCurrent()
    {
        // window 4 of 0.2, 0.4, 0.2, 0.4 → mean 0.3, population std 0.1; safety 1 → 0.4; current 0.1 → 0.4
        new DemandForecaster(4, 1).Forecast(0.1, [0.2, 0.4, 0.2, 0.4, 0.9]).Should().BeApproximately(0.4, 1e-12);
        // current 0.7 exceeds the estimate → 0.7
        new DemandForecaster(4, 1).Forecast(0.7, [0.2, 0.4, 0.2, 0.4]).Should().Be(0.7);
    }

    [Fact]
    public void Forecast_TooLittleHistory_IsCurrentUse()
    {
        new DemandForecaster(4, 1).Forecast(0.35, [0.9]).Should().Be(0.35);
    }
}
