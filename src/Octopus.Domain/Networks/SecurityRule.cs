using Octopus.Domain.Vms;

namespace Octopus.Domain.Networks;

/// <summary>Identity of one security-group rule.</summary>
public readonly record struct SecurityRuleId(Guid Value)
{
    public static SecurityRuleId New() => new(Guid.CreateVersion7());
    public static bool TryParse(string? text, out SecurityRuleId id)
    {
        id = default;
        if (!Guid.TryParse(text, out var g)) return false;
        id = new SecurityRuleId(g);
        return true;
    }
    public override string ToString() => Value.ToString();
}

/// <summary>One ingress rule of a VM's security group, as the store keeps it. A VM's rules are all it receives new
/// connections by (no rule: nothing new reaches it; replies to its own connections always do); egress is open. The rules
/// go with the VM. Ports are kept as two numbers, 0 for none, so the store's unique index refuses a duplicate rule.</summary>
public sealed class SecurityRule
{
    /// <summary>How many rules one VM may have: every rule is an element of the NIC's nftables set on its node.</summary>
    public const int MaxPerVm = 64;

    private SecurityRule() { } // for the store

    public SecurityRuleId Id { get; private set; }
    public VmId VmId { get; private set; }
    public IngressProtocol Protocol { get; private set; }
    public int FromPort { get; private set; }
    public int ToPort { get; private set; }
    public Ipv4Prefix Source { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The rule as nodes enforce it.</summary>
    public IngressRule Rule => IngressRule.Create(Protocol, FromPort == 0 ? null : new PortRange(FromPort, ToPort), Source);

    /// <summary>Adds <paramref name="rule"/> to <paramref name="vm"/>'s group, refused (400, field <c>rule</c>) when the VM
    /// has it already or has <see cref="MaxPerVm"/> rules.</summary>
    public static SecurityRule Add(VmId vm, IngressRule rule, IReadOnlyList<SecurityRule> existing, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(existing);
        if (existing.Any(r => r.Rule == rule))
            throw DomainException.Invalid("rule", $"The VM already has the rule '{rule}'; list its rules with `octopus vm rule list`.");
        if (existing.Count >= MaxPerVm)
            throw DomainException.Invalid("rule", $"The VM has {existing.Count} rules, the most a VM may have ({MaxPerVm}); remove one or widen an existing rule's source.");
        return new SecurityRule
        {
            Id = SecurityRuleId.New(), VmId = vm, Protocol = rule.Protocol, FromPort = rule.Ports?.From ?? 0, ToPort = rule.Ports?.To ?? 0,
            Source = rule.Source, CreatedAt = now,
        };
    }
}
