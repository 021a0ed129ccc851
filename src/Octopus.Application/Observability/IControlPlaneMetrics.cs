namespace Octopus.Application.Observability;

/// <summary>What the control plane measures of its own work, where the work happens (the leader's passes, each
/// placement decision, each VM reaching Running). The server exports it (Octopus.Server's <c>ControlPlaneMetrics</c>,
/// Prometheus histograms on <c>/metrics</c>).</summary>
public interface IControlPlaneMetrics
{
    void ObservePass(string pass, TimeSpan duration);

    void ObservePlacement(TimeSpan duration);

    void ObserveCreateToRunning(TimeSpan duration);
}

/// <summary>The control loop's passes, as labelled on <c>octopus_control_pass_duration_seconds</c>.</summary>
public static class ControlPasses
{
    public const string Placement = "placement", Evacuation = "evacuation", Dispatch = "dispatch", Telemetry = "telemetry",
        Consolidation = "consolidation";
}
