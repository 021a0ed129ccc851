using Octopus.Simulation.Traces;

namespace Octopus.Simulation.Setup;

/// <summary>How CloudSim 3.0.3 turns a PlanetLab trace into VM lifetimes; shared by the simulator and the bounds.</summary>
public static class CloudSimWorkloadRules
{
    /// <summary>The interval at whose start the VM is ended: CloudSim removes a VM whose CPU request is exactly zero
    /// when sampled at 300k + 0.1 s (k ≥ 1), i.e. when samples k and k+1 are both 0 (the day's last sample repeats).
    /// Returns <see cref="PlanetLabTrace.Steps"/> when the VM runs all day.</summary>
    public static int FinishStep(PlanetLabTrace trace, int row)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var steps = trace.Steps;
        for (var k = 1; k < steps; k++)
        {
            var next = trace.Percent(row, Math.Min(k + 1, steps - 1));
            if (trace.Percent(row, k) == 0 && next == 0) return k;
        }
        return steps;
    }
}
