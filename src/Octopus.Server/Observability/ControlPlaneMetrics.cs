using Prometheus;

namespace Octopus.Server.Observability;

/// <summary>Histograms of the control plane's own work, observed where the work happens (the leader's passes, each
/// placement decision, each VM reaching Running), on the server's metrics registry.</summary>
public sealed class ControlPlaneMetrics : Octopus.Application.Observability.IControlPlaneMetrics
{
    // 1 ms .. ~65 s doubling: a pass on an idle cluster takes a millisecond, one placing thousands of VMs seconds.
    private static readonly double[] PassBuckets = Histogram.ExponentialBuckets(0.001, 2, 17);

    // 100 µs .. ~3 s doubling: one decision on one VM.
    private static readonly double[] DecisionBuckets = Histogram.ExponentialBuckets(0.0001, 2, 15);

    // 50 ms .. ~14 min doubling: from the create request to the VM running on its node.
    private static readonly double[] RunningBuckets = Histogram.ExponentialBuckets(0.05, 2, 15);

    private readonly Histogram _pass, _placement, _createToRunning;

    public ControlPlaneMetrics(CollectorRegistry registry)
    {
        var f = Metrics.WithCustomRegistry(registry);
        _pass = f.CreateHistogram("octopus_control_pass_duration_seconds", "Duration of one control-loop pass, by pass.",
            new HistogramConfiguration { LabelNames = ["pass"], Buckets = PassBuckets });
        _placement = f.CreateHistogram("octopus_placement_duration_seconds", "Time placement takes to decide for one pending VM.",
            new HistogramConfiguration { Buckets = DecisionBuckets });
        _createToRunning = f.CreateHistogram("octopus_vm_create_to_running_seconds",
            "Time from a VM's create request to its create operation succeeding (the VM running on its node).",
            new HistogramConfiguration { Buckets = RunningBuckets });
    }

    public void ObservePass(string pass, TimeSpan duration) => _pass.WithLabels(pass).Observe(duration.TotalSeconds);

    public void ObservePlacement(TimeSpan duration) => _placement.Observe(duration.TotalSeconds);

    public void ObserveCreateToRunning(TimeSpan duration) => _createToRunning.Observe(Math.Max(0, duration.TotalSeconds));
}
