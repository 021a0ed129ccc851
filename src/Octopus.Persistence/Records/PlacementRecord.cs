using Octopus.Domain.Vms;

namespace Octopus.Persistence.Records;

/// <summary>The last placement decision taken for a VM, kept as JSON so <c>vm explain</c> can show it later.</summary>
public sealed class PlacementRecord
{
    public VmId VmId { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
    public string Summary { get; set; } = "";
    public string DecisionJson { get; set; } = "";
}
