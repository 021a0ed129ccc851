using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Selectors;

/// <summary>Picks the VM that migrates fastest, i.e. with the least memory; ties go to the VM that arrived first
/// (CloudSim MMT, which scans the host's VM list with a strict "less than").</summary>
public sealed class MinimumMigrationTimeSelector : IVmSelector
{
    public string Name => "mmt";

    public int Select(PlacementState state, int host)
    {
        var best = -1;
        var bestRam = double.MaxValue;
        var vms = state.VmsOn(host);
        for (var i = 0; i < vms.Count; i++)
        {
            var ram = state.RamMb(vms[i]);
            if (ram < bestRam)
            {
                bestRam = ram;
                best = vms[i];
            }
        }
        return best;
    }
}
