using Octopus.Consolidation.Detectors;
using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Placers;

/// <summary>The chosen host and the placement's marginal power.</summary>
/// <param name="Host">Chosen host, or -1 when none fits.</param>
/// <param name="PowerIncrease">Watts the host is expected to draw more (vs. its observed draw).</param>
public readonly record struct PlacementChoice(int Host, double PowerIncrease)
{
    public bool Found => Host >= 0;
}

/// <summary>Chooses a host for one VM. Contract: pure; never returns an excluded host, a host the VM does not fit,
/// or a host the detector says the VM would overload.</summary>
public interface IVmPlacer
{
    string Name { get; }

    PlacementChoice Choose(PlacementState state, int vm, HostSet excluded, IOverloadDetector detector);
}
