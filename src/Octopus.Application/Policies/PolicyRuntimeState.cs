using System.Collections.Concurrent;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence.Records;
using Octopus.Policies.Scripting;
using Octopus.Policies.Snapshots;

namespace Octopus.Application.Policies;

/// <summary>What the policy runtime keeps between passes: the CPU histories policies read (fed from telemetry), the
/// states seen last pass (to derive events), the lease events published, compiled scripts, and the lock that keeps
/// passes one at a time. The histories, states and lease events are the leader's working copy of the store's
/// (<see cref="PolicyRuntimeStore"/>): each pass writes what it changed, and a replica beginning a leader term starts
/// from the store, so it continues where the previous leader stopped.</summary>
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

    /// <summary>The hours (per VM or host) given samples that the store holds no complete hour row for yet: written once
    /// the hour has closed (until then their samples are in the pass rows).</summary>
    internal HashSet<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour)> DirtyHours { get; } = [];

    /// <summary>The samples recorded since the store was last written (the next pass row).</summary>
    internal List<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset At, double Percent)> PendingSamples { get; } = [];

    /// <summary>The times of the pass rows the store holds (removed once their hour is written as hour rows).</summary>
    internal HashSet<DateTimeOffset> StoredPasses { get; } = [];

    /// <summary>The hours the store holds a row for (so a write is an update, not an insert).</summary>
    internal HashSet<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour)> StoredHours { get; } = [];

    /// <summary>The observation rows as the store holds them (state, lease event), so a pass writes only changes.</summary>
    internal Dictionary<(PolicySubjectKind Kind, Guid Subject), (int State, DateTimeOffset? LeaseEventFor)> StoredObservations { get; } = [];

    /// <summary>Adds a VM's CPU reading to its history and marks its hour for the next write to the store.</summary>
    public void RecordVmCpu(VmId vm, DateTimeOffset at, double percent)
    {
        VmCpu.Record(vm, at, percent);
        DirtyHours.Add((PolicySubjectKind.Vm, vm.Value, PolicyRuntimeStore.HourOf(at)));
        PendingSamples.Add((PolicySubjectKind.Vm, vm.Value, at, percent));
    }

    /// <summary>Adds a host's CPU reading to its history and marks its hour for the next write to the store.</summary>
    public void RecordHostCpu(HostId host, DateTimeOffset at, double percent)
    {
        HostCpu.Record(host, at, percent);
        DirtyHours.Add((PolicySubjectKind.Host, host.Value, PolicyRuntimeStore.HourOf(at)));
        PendingSamples.Add((PolicySubjectKind.Host, host.Value, at, percent));
    }
}
