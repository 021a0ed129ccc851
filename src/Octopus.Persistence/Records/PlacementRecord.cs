using Octopus.Domain.Vms;

namespace Octopus.Persistence.Records;

/// <summary>The last placement decision taken for a VM, as a compact JSON summary (chosen host, score, rejections per
/// reason, the best few candidates; the server's <c>PlacementSummary</c>) so <c>vm explain</c> can show it later. The
/// per-host explanation is not stored: it would be O(hosts) per VM.</summary>
public sealed class PlacementRecord
{
    public VmId VmId { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public string Summary { get; set; } = "";
    public string DecisionJson { get; set; } = "";
}
