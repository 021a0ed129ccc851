using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Policies (<c>/api/v1/policies</c>) and VM leases. Users manage their own policies; administrators all.</summary>
public sealed class PolicyOperations
{
    private readonly ApiConnection _api;

    internal PolicyOperations(ApiConnection api) => _api = api;

    /// <summary>Creates (or, same name and owner, replaces) a policy from its YAML or JSON text. A text that does not parse
    /// is an <see cref="OctopusApiException"/> whose message starts with the line and column.</summary>
    public Task<PolicyDto> CreateAsync(string document, CancellationToken ct = default) =>
        _api.SendJsonAsync<PolicyDto>(HttpMethod.Post, ApiRoutes.Policies, new CreatePolicyRequest(document), ct);

    /// <summary>The caller's policies (every policy, for an administrator).</summary>
    public Task<IReadOnlyList<PolicyDto>> ListAsync(CancellationToken ct = default) => _api.GetAsync<IReadOnlyList<PolicyDto>>(ApiRoutes.Policies, ct);

    /// <summary>One policy by name; another user's policy is not found.</summary>
    public Task<PolicyDto> GetAsync(string name, CancellationToken ct = default) => _api.GetAsync<PolicyDto>(ApiRoutes.Policy(name), ct);

    /// <summary>Enables the policy: its triggers fire again from now on.</summary>
    public Task<PolicyDto> EnableAsync(string name, CancellationToken ct = default) =>
        _api.SendJsonAsync<PolicyDto>(HttpMethod.Post, ApiRoutes.PolicyEnable(name), null, ct);

    /// <summary>Disables the policy; it stays stored, with its history.</summary>
    public Task<PolicyDto> DisableAsync(string name, CancellationToken ct = default) =>
        _api.SendJsonAsync<PolicyDto>(HttpMethod.Post, ApiRoutes.PolicyDisable(name), null, ct);

    /// <summary>Deletes the policy. Actions it already took stay in the audit log.</summary>
    public Task DeleteAsync(string name, CancellationToken ct = default) => _api.SendAsync(HttpMethod.Delete, ApiRoutes.Policy(name), null, ct);

    /// <summary>Which VMs the policy would touch now, and why (nothing is changed).</summary>
    public Task<PolicyPreviewDto> PreviewAsync(string name, CancellationToken ct = default) =>
        _api.GetAsync<PolicyPreviewDto>(ApiRoutes.PolicyPreview(name), ct);

    /// <summary>What the policy did, newest first, with failures and retry attempts.</summary>
    public Task<IReadOnlyList<PolicyHistoryEntry>> HistoryAsync(string name, CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<PolicyHistoryEntry>>(ApiRoutes.PolicyHistory(name), ct);

    /// <summary>The shipped templates, each a ready-to-edit document.</summary>
    public Task<IReadOnlyList<PolicyTemplateDto>> TemplatesAsync(CancellationToken ct = default) =>
        _api.GetAsync<IReadOnlyList<PolicyTemplateDto>>(ApiRoutes.PolicyTemplates, ct);

    /// <summary>Extends a VM's lease by <paramref name="extendBy"/> (e.g. <c>7d</c>), within the administrator's maximum.</summary>
    public Task<VmDto> ExtendLeaseAsync(string vm, string extendBy, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, ApiRoutes.VmLease(vm), new ExtendLeaseRequest(extendBy), ct);

    /// <summary>Suspends a running VM in place (its CPUs stop, its memory stays).</summary>
    public Task<VmDto> SuspendVmAsync(string vm, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, $"{ApiRoutes.Vm(vm)}/suspend", null, ct);

    /// <summary>Resumes a suspended VM where it was.</summary>
    public Task<VmDto> ResumeVmAsync(string vm, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, $"{ApiRoutes.Vm(vm)}/resume", null, ct);
}
