namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/vm-actions</c>: one action (start, stop, reboot, suspend, resume, delete) applied to many VMs in one
/// call. Name the VMs in <see cref="Vms"/> (ids, names or owner/name), or pick them with <see cref="Selector"/>, not
/// both. Each VM is authorised and audited exactly as the single call would be.</summary>
public sealed record VmBulkActionRequest(string Action, IReadOnlyList<string>? Vms = null, VmSelector? Selector = null);

/// <summary>Picks VMs by what they are rather than by name; every given field must match, null means "any". Only VMs the
/// caller may see are picked (admins: all).</summary>
public sealed record VmSelector(string? Owner = null, string? Tag = null, string? State = null);

/// <summary>The answer to a bulk action: one result per VM, in request order (selector: creation order).</summary>
public sealed record VmBulkActionResponse(string Action, int Succeeded, int Failed, IReadOnlyList<VmActionResultDto> Results);

/// <summary>What happened to one VM of a bulk action. <see cref="Status"/> is the HTTP status the single call would have
/// answered (202 accepted, 404 not found or not yours, 409 conflict…); on failure <see cref="Code"/> and
/// <see cref="Message"/> are the problem's (<see cref="Args"/> its args, when it has any), on success <see cref="Result"/> is the VM as the
/// single call returns it.</summary>
public sealed record VmActionResultDto(string Vm, bool Ok, int Status, string? Code = null, string? Message = null, VmDto? Result = null,
    IReadOnlyDictionary<string, object>? Args = null);
