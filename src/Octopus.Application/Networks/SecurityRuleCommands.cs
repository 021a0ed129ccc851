using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Application.Networks;

/// <summary>A VM's security group: its owner (or an admin) lists, adds and removes ingress rules. Adding and removing are
/// audited commands; on a running VM the same unit of work journals an <see cref="OperationKind.ApplyFirewall"/> that the
/// runner carries out through the VM's node, so the change is live without a restart.</summary>
public sealed class SecurityRuleCommands(OctopusDbContext db, CommandRunner runner, VmLookup vms, TimeProvider time)
{
    public async Task<SecurityGroupDto> ListAsync(Caller caller, string vmIdOrName, CancellationToken ct)
    {
        var vm = await vms.FindAsync(caller, vmIdOrName, ct, track: false);
        var pending = await db.Operations.AsNoTracking().Where(o => o.VmId == vm.Id && o.Kind == OperationKind.ApplyFirewall
            && (o.Status == OperationStatus.Pending || o.Status == OperationStatus.Running)).OrderBy(o => o.CreatedAt).Select(o => (OperationId?)o.Id)
            .FirstOrDefaultAsync(ct);
        return await GroupAsync(vm, pending, ct);
    }

    /// <summary>Adds a rule; 400 naming the field for a bad protocol, port or source and for a rule the VM already has.</summary>
    public async Task<(SecurityGroupDto Group, SecurityRuleDto Added)> AddAsync(Caller caller, string vmIdOrName, SecurityRuleRequest? request, CancellationToken ct)
    {
        var (vm, rule, op) = await runner.RunAsync(caller, Permissions.VmRuleAdd, $"vm/{vmIdOrName}", async ct =>
        {
            if (request is null)
                throw DomainException.Invalid("body", "The request body is empty; send a JSON rule: protocol (tcp, udp, icmp, any), port (tcp/udp: 22 or 8000-8100), source (CIDR, default 0.0.0.0/0).");
            var protocol = IngressRule.ParseProtocol(request.Protocol);
            var ports = string.IsNullOrWhiteSpace(request.Port) ? (PortRange?)null : PortRange.Parse(request.Port);
            var source = request.Source is null ? Ipv4Prefix.Any : Ipv4Prefix.Parse(request.Source, "source");
            var ingress = IngressRule.Create(protocol, ports, source);
            var vm = await vms.FindAsync(caller, vmIdOrName, ct);
            var existing = await db.SecurityRules.Where(r => r.VmId == vm.Id).ToListAsync(ct);
            var now = time.GetUtcNow();
            var rule = SecurityRule.Add(vm.Id, ingress, existing, now);
            db.SecurityRules.Add(rule);
            var op = await OperationJournal.BeginFirewallChangeAsync(db, vm, caller.Name, now, ct);
            return (vm, rule, op);
        }, ct, r => r.rule.Rule.ToString(),
            duplicate: () => DomainException.Invalid("rule", "The VM already has this rule; list its rules with `octopus vm rule list`."));
        return (await GroupAsync(vm, op?.Id, ct), Dto(rule));
    }

    /// <summary>Removes one rule by id; 404 when the VM has no such rule.</summary>
    public async Task<SecurityGroupDto> RemoveAsync(Caller caller, string vmIdOrName, string ruleId, CancellationToken ct)
    {
        var (vm, op) = await runner.RunAsync(caller, Permissions.VmRuleRemove, $"vm/{vmIdOrName}/rule/{ruleId}", async ct =>
        {
            var vm = await vms.FindAsync(caller, vmIdOrName, ct);
            if (!SecurityRuleId.TryParse(ruleId, out var id)) throw DomainException.NotFound("Rule", ruleId);
            var rule = await db.SecurityRules.FirstOrDefaultAsync(r => r.VmId == vm.Id && r.Id == id, ct) ?? throw DomainException.NotFound("Rule", ruleId);
            db.SecurityRules.Remove(rule);
            var op = await OperationJournal.BeginFirewallChangeAsync(db, vm, caller.Name, time.GetUtcNow(), ct);
            return (vm, op);
        }, ct);
        return await GroupAsync(vm, op?.Id, ct);
    }

    private async Task<SecurityGroupDto> GroupAsync(Vm vm, OperationId? operation, CancellationToken ct)
    {
        var rules = await db.SecurityRules.AsNoTracking().Where(r => r.VmId == vm.Id).ToListAsync(ct);
        return new SecurityGroupDto(vm.Id.ToString(), [.. rules.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id.Value).Select(Dto)], operation?.ToString());
    }

    private static SecurityRuleDto Dto(SecurityRule r) =>
        new(r.Id.ToString(), IngressRule.Name(r.Protocol), r.Rule.Ports?.ToString(), r.Source.ToString(), r.CreatedAt);
}
