using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Selectors;

/// <summary>Chooses which VM to move off an overloaded host. Contract: pure; returns a VM planned on the host,
/// or -1 when it has none left.</summary>
public interface IVmSelector
{
    string Name { get; }

    int Select(PlacementState state, int host);
}
