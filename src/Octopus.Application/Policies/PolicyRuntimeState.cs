using System.Collections.Concurrent;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Policies.Scripting;
using Octopus.Policies.Snapshots;

namespace Octopus.Application.Policies;

/// <summary>What the policy runtime keeps between passes, in memory: the CPU histories policies read (fed from
/// telemetry), the states seen last pass (to derive events), compiled scripts, and the lock that keeps passes one at a time.</summary>
public sealed class PolicyRuntimeState
{
    /// <summary>Six hours of samples per VM and host: enough for the longest usual window (2h idle) with room.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(6);

    public CpuHistoryBuffer<VmId> VmCpu { get; } = new(Retention);
    public CpuHistoryBuffer<HostId> HostCpu { get; } = new(Retention);

    internal SemaphoreSlim RunLock { get; } = new(1, 1);
    internal DateTimeOffset LastSample { get; set; } = DateTimeOffset.MinValue;
    internal Dictionary<VmId, VmState>? VmStates { get; set; }
    internal Dictionary<HostId, HostPowerState>? HostStates { get; set; }
    internal HashSet<(VmId, DateTimeOffset)> LeaseEventsSent { get; } = [];
    internal ConcurrentDictionary<string, (string Code, ScriptPolicy Script)> Scripts { get; } = new(StringComparer.Ordinal);
}
