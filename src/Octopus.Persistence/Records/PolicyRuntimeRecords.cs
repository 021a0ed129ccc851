namespace Octopus.Persistence.Records;

/// <summary>What a policy runtime row is about: a VM or a host (stored as its number).</summary>
public enum PolicySubjectKind
{
    Vm = 1,
    Host = 2,
}

/// <summary>A VM's or host's state as the leader's last policy pass saw it (table <c>PolicyObservations</c>), so the
/// next leader derives the events (VM state changed, host failed) from the same previous states instead of starting
/// blind. Written by the pass, only the rows that changed.</summary>
public sealed class PolicyObservationRecord
{
    public PolicySubjectKind Kind { get; set; }
    public Guid SubjectId { get; set; }

    /// <summary>The VM's <c>VmState</c> or the host's <c>HostPowerState</c>, as its number.</summary>
    public int State { get; set; }

    /// <summary>VMs: the lease end a lease-expiring event was published for (so it is published once per lease end,
    /// whichever replica leads); null when none.</summary>
    public DateTimeOffset? LeaseEventFor { get; set; }
}

/// <summary>One hour of a VM's or host's CPU samples as the policy runtime recorded them (table <c>PolicyCpuHistory</c>):
/// <see cref="Samples"/> holds 4 bytes per sample, little-endian: seconds after <see cref="Start"/> (16 bits) and the
/// percentage in hundredths (16 bits, so at most 655.35 %). Written by the leader's policy pass for the hours it added
/// samples to; rows older than the runtime's retention are removed by it.</summary>
public sealed class PolicyCpuChunkRecord
{
    public PolicySubjectKind Kind { get; set; }
    public Guid SubjectId { get; set; }

    /// <summary>The hour the samples fall in (whole UTC hour).</summary>
    public DateTimeOffset Start { get; set; }

    public byte[] Samples { get; set; } = [];
}

/// <summary>The CPU samples one policy pass took, of every VM and host it sampled (table <c>PolicyCpuPasses</c>): what the
/// store holds of the hour still open, one row per pass instead of a rewrite of every VM's and host's hour row.
/// <see cref="Samples"/> holds 19 bytes per sample: the subject's kind (1 byte), its id (16 bytes) and the percentage in
/// hundredths (16 bits, little-endian). Once the hour has closed, the leader's pass writes its
/// <see cref="PolicyCpuChunkRecord"/>s and removes these rows in the same save.</summary>
public sealed class PolicyCpuPassRecord
{
    /// <summary>When the samples were taken (to the second).</summary>
    public DateTimeOffset At { get; set; }

    public byte[] Samples { get; set; } = [];
}
