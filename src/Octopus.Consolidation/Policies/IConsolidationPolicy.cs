using Octopus.Consolidation.Model;

namespace Octopus.Consolidation.Policies;

/// <summary>How a policy's hosts draw power, which decides how energy is counted for it.</summary>
public enum PowerManagement
{
    /// <summary>No power awareness: every host is on at full power all the time (CloudSim NPA).</summary>
    None,

    /// <summary>Power follows load; a host with nothing to run draws nothing (CloudSim's accounting for DVFS and
    /// the migration policies). Hosts a policy explicitly keeps on while empty draw idle power.</summary>
    LoadProportional,
}

/// <summary>A named consolidation policy. Contract: pure — the same snapshot always gives the same plan; no clock,
/// randomness or configuration is read from ambient state.</summary>
public interface IConsolidationPolicy
{
    string Name { get; }

    PowerManagement PowerManagement { get; }

    ConsolidationPlan Plan(ClusterSnapshot snapshot);
}
