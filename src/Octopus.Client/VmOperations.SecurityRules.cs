using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>A VM's security group: <c>/api/v1/vms/{vm}/security-rules</c> (owner or admin).</summary>
public sealed partial class VmOperations
{
    /// <summary>The VM's ingress rules, oldest first, and the operation applying a change still under way (if any).</summary>
    public Task<SecurityGroupDto> ListRulesAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<SecurityGroupDto>(ApiRoutes.VmSecurityRules(idOrName), ct);

    /// <summary>Adds an ingress rule; a running VM's node takes it live through the returned group's
    /// <see cref="SecurityGroupDto.Operation"/>. A bad protocol, port or source, or a rule the VM already has, is refused
    /// with 400 naming the field.</summary>
    public Task<SecurityGroupDto> AddRuleAsync(string idOrName, SecurityRuleRequest rule, CancellationToken ct = default) =>
        _api.SendJsonAsync<SecurityGroupDto>(HttpMethod.Post, ApiRoutes.VmSecurityRules(idOrName), rule, ct);

    /// <summary>Removes the rule with <paramref name="ruleId"/>; 404 when the VM has none such.</summary>
    public Task<SecurityGroupDto> RemoveRuleAsync(string idOrName, string ruleId, CancellationToken ct = default) =>
        _api.SendJsonAsync<SecurityGroupDto>(HttpMethod.Delete, ApiRoutes.VmSecurityRule(idOrName, ruleId), null, ct);
}
