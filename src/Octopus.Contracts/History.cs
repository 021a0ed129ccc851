namespace Octopus.Contracts;

/// <summary>Answer of <c>GET /api/v1/vms/{id}/history?range=1h|24h|7d</c>: the VM's telemetry history, downsampled in
/// the store (1 h: one point a minute; 24 h: one per five minutes; 7 d: one per hour). Each point is the mean of the
/// readings in its step; steps when the VM did not run have no point. <c>MemoryBytes</c> is the VM's memory size (the
/// memory graph's scale); <c>StepSeconds</c> the length of one point.</summary>
public sealed record VmHistoryDto(string Vm, string Range, DateTimeOffset From, DateTimeOffset To, int StepSeconds, long MemoryBytes,
    IReadOnlyList<VmHistoryPointDto> Points);

/// <summary>One step of a VM's history. <see cref="Cpu"/> is 0–1 of its vCPUs; memory is bytes in use; the rates are
/// bytes per second. Memory and I/O are null when its node does not measure them.</summary>
public sealed record VmHistoryPointDto(DateTimeOffset At, double Cpu, double? MemoryBytes, double? DiskReadBytesPerSecond,
    double? DiskWriteBytesPerSecond, double? NetReceiveBytesPerSecond, double? NetTransmitBytesPerSecond);

/// <summary>Answer of <c>GET /api/v1/hosts/{id}/history?range=1h|24h|7d</c> (admins): the host's CPU load (0–1) and
/// power draw (W) over the range, downsampled as the VMs' history is.</summary>
public sealed record HostHistoryDto(string Host, string Range, DateTimeOffset From, DateTimeOffset To, int StepSeconds,
    IReadOnlyList<HostHistoryPointDto> Points);

/// <summary>One step of a host's history: mean load (0–1) and mean draw in watts.</summary>
public sealed record HostHistoryPointDto(DateTimeOffset At, double Load, double Watts);
