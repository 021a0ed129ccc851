namespace Octopus.Consolidation.Model;

/// <summary>How VM memory constrains placement.</summary>
public enum MemoryMode
{
    /// <summary>A VM's full memory must fit on its host at all times (the honest default).</summary>
    Enforced,

    /// <summary>CloudSim 3.0.3 behaviour: memory (and bandwidth) count only at initial placement; a running VM
    /// requests 0 MB because its cloudlets use a null RAM utilisation model.</summary>
    CloudSim,
}
