using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Records;

/// <summary>The resolutions of the telemetry history, each with its own bucket length and retention
/// (<c>TelemetryHistory</c> in Octopus.Application says how long): stored as its number.</summary>
public enum TelemetryResolution
{
    /// <summary>One bucket per minute, kept for an hour.</summary>
    Minute = 1,

    /// <summary>One bucket per five minutes, kept for a day.</summary>
    FiveMinutes = 2,

    /// <summary>One bucket per hour, kept for a week.</summary>
    Hour = 3,
}

/// <summary>One bucket of a VM's telemetry history (table <c>VmHistory</c>): sums over the telemetry readings taken in
/// [<see cref="Start"/>, Start + the resolution's length) while the VM ran, so a mean is a sum over
/// <see cref="Samples"/>. Written by the leader's telemetry pass once a minute (the minute's row, and the running
/// five-minute and hour rows it falls in); rows older than their resolution's retention are pruned then.</summary>
public sealed class VmHistoryBucketRecord
{
    public VmId VmId { get; set; }
    public TelemetryResolution Resolution { get; set; }
    public DateTimeOffset Start { get; set; }
    public int Samples { get; set; }

    /// <summary>Sum of the CPU loads, each 0–1 of the VM's vCPUs.</summary>
    public double CpuSum { get; set; }

    /// <summary>How many of the <see cref="Samples"/> carried memory and I/O figures (a driver that measures only CPU
    /// leaves this 0, and those means are unknown rather than zero).</summary>
    public int MeasuredSamples { get; set; }

    /// <summary>Sum of the memory in use, in bytes.</summary>
    public double MemorySum { get; set; }

    /// <summary>Sums of the disk read and write rates, in bytes per second.</summary>
    public double DiskReadSum { get; set; }
    public double DiskWriteSum { get; set; }

    /// <summary>Sums of the network receive and transmit rates (as the guest sees them), in bytes per second.</summary>
    public double NetReceiveSum { get; set; }
    public double NetTransmitSum { get; set; }
}

/// <summary>One bucket of a host's telemetry history (table <c>HostHistory</c>): sums of its CPU load (0–1) and its
/// power draw (watts: modelled at that load, or the BMC's reading) over the readings in the bucket. Kept like
/// <see cref="VmHistoryBucketRecord"/>.</summary>
public sealed class HostHistoryBucketRecord
{
    public HostId HostId { get; set; }
    public TelemetryResolution Resolution { get; set; }
    public DateTimeOffset Start { get; set; }
    public int Samples { get; set; }
    public double LoadSum { get; set; }
    public double WattsSum { get; set; }
}
