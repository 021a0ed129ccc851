namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/vms</c>. Any geometry the cluster can hold. <see cref="Owner"/> is for admins
/// creating a VM on someone's behalf; users always own what they create. <see cref="Networks"/> names the networks to
/// attach, one NIC each in that order (null: the server's default network, if it has one; empty: no NIC).
/// <see cref="UserData"/> is cloud-init user-data (UTF-8 text, at most 64 KiB, starting with #cloud-config, #! or
/// another cloud-init header, or a MIME multipart), for an image marked cloud-init capable.</summary>
public sealed record VmCreateRequest(
    string Name,
    int Cores,
    long MemoryBytes,
    long DiskBytes,
    string Image,
    IReadOnlyList<string>? Tags = null,
    DateTimeOffset? LeaseExpiresAt = null,
    string? Owner = null,
    IReadOnlyList<string>? Networks = null,
    IReadOnlyList<string>? SshKeys = null,
    string? UserData = null);

/// <summary>A VM as the API shows it. <see cref="State"/> is observed, <see cref="Spec"/> desired
/// (Running, Stopped, Deleted); <see cref="StatusReason"/> says why it waits or failed; <see cref="Nics"/> lists its
/// network interfaces (MAC, address, DNS name), kept for the VM's whole life. <see cref="UserDataBytes"/> is the size of the
/// cloud-init user-data it was created with (null: none).</summary>
public sealed record VmDto(
    string Id,
    string Name,
    string Owner,
    string State,
    string Spec,
    string? Host,
    int Cores,
    long MemoryBytes,
    long DiskBytes,
    string Image,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LeaseExpiresAt,
    IReadOnlyList<string> Tags,
    double CpuLoad,
    IReadOnlyList<NicDto>? Nics = null,
    IReadOnlyList<string>? SshKeys = null,
    long? UserDataBytes = null);

/// <summary><c>GET /api/v1/vms/{id}/placement</c>: the last placement decision for a VM, and host by host how every host
/// fares for it. <see cref="ChosenHost"/>, <see cref="Summary"/>, <see cref="RejectionCounts"/> and
/// <see cref="Candidates"/> are the decision as it was taken at <see cref="DecidedAt"/>; <see cref="Hosts"/> is worked
/// out when asked (at <see cref="HostsEvaluatedAt"/>) against the cluster as it is then, with the VM's own resources
/// given back to its host, so it explains the choice without the store keeping every host's verdict.</summary>
public sealed record PlacementDto(
    string Vm,
    string? ChosenHost,
    string Strategy,
    DateTimeOffset? DecidedAt,
    string Summary,
    IReadOnlyList<PlacementHostDto> Hosts,
    IReadOnlyDictionary<string, int>? RejectionCounts = null,
    IReadOnlyList<PlacementCandidateDto>? Candidates = null,
    DateTimeOffset? HostsEvaluatedAt = null);

/// <summary>One of the best hosts when the decision was taken, best first; <see cref="Score"/> is null where the
/// decision found it by rank without scoring it.</summary>
public sealed record PlacementCandidateDto(string Host, double? Score);

/// <summary>One host in a placement decision: rejected (with every reason) or feasible (with its scores).</summary>
public sealed record PlacementHostDto(
    string Host,
    bool Feasible,
    IReadOnlyList<RejectionDto> Rejections,
    double? TotalScore,
    IReadOnlyList<ScoreDto> Scores);

/// <summary>Why a host was refused; <see cref="Shortfall"/> carries the numbers when it lacks a resource.</summary>
public sealed record RejectionDto(string Plugin, string Code, string Reason, ShortfallDto? Shortfall = null);

/// <summary>A resource a host has too little of: requested, free and capacity in <see cref="Unit"/> ("bytes" for
/// memory and disk, "cores" for cores).</summary>
public sealed record ShortfallDto(string Resource, string Unit, long Requested, long Free, long Capacity);

/// <summary>A scorer's contribution: its raw number, normalised to 0–100, times its weight.</summary>
public sealed record ScoreDto(string Plugin, double Raw, double Normalized, double Weight);
