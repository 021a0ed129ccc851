using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Tests;

/// <summary>Fluent fixture for small clusters: G4 = 2 × 1860 MIPS (3720), G5 = 2 × 2660 MIPS (5320), 4096 MB each.</summary>
public sealed class SnapshotBuilder
{
    public const int G4 = 0;
    public const int G5 = 1;

    private readonly List<HostSnapshot> _hosts = [];
    private readonly List<VmSnapshot> _vms = [];
    private readonly List<double[]> _histories = [];
    private MemoryMode _memory = MemoryMode.Enforced;
    private int _step = 1;

    public SnapshotBuilder Host(int type, int powerChangedStep = -100, int powerOffsInLastDay = 0)
    {
        _hosts.Add(new HostSnapshot(type, 0, HostPower.Off, powerChangedStep) { PowerOffsInLastDay = powerOffsInLastDay });
        return this;
    }

    /// <summary>Adds a VM; <paramref name="history"/> is most recent first.</summary>
    public SnapshotBuilder Vm(double mips, double ramMb, int host, double utilisation, params double[] history)
    {
        _vms.Add(new VmSnapshot(mips, ramMb, 100, host, utilisation, _vms.Count));
        _histories.Add(history);
        return this;
    }

    public SnapshotBuilder Memory(MemoryMode memory)
    {
        _memory = memory;
        return this;
    }

    public SnapshotBuilder Step(int step)
    {
        _step = step;
        return this;
    }

    public ClusterSnapshot Build()
    {
        var history = new UtilisationHistory(_vms.Count);
        for (var v = 0; v < _vms.Count; v++)
        {
            // Push oldest first so the given order (most recent first) is what Of() returns.
            for (var i = _histories[v].Length - 1; i >= 0; i--) history.Push(v, _histories[v][i]);
        }
        HostType[] types = [HostType.HpProLiantMl110G4, HostType.HpProLiantMl110G5];
        var hosts = _hosts.ToArray();
        for (var h = 0; h < hosts.Length; h++)
        {
            double mips = 0;
            foreach (var vm in _vms)
            {
                if (vm.Host == h) mips += Math.Min(vm.RequestedMips, types[hosts[h].Type].MipsPerCore);
            }
            var on = mips > 0 || _vms.Any(vm => vm.Host == h);
            hosts[h] = hosts[h] with { ObservedMips = Math.Min(mips, types[hosts[h].Type].TotalMips), Power = on ? HostPower.On : HostPower.Off };
        }
        return new ClusterSnapshot
        {
            HostTypes = types,
            Hosts = hosts,
            Vms = [.. _vms],
            History = history,
            Memory = _memory,
            Step = _step,
        };
    }
}
