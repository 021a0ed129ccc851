using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Octopus.Domain.Networks;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>SecurityRules</c>: each VM's ingress rules. The unique index refuses the same rule twice on one VM
/// (ports are 0 for none, so no column is null); a VM's rules go with it (cascade).</summary>
internal sealed class SecurityRuleConfiguration : IEntityTypeConfiguration<SecurityRule>
{
    public void Configure(EntityTypeBuilder<SecurityRule> b)
    {
        b.ToTable("SecurityRules");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).HasConversion(new ValueConverter<SecurityRuleId, Guid>(v => v.Value, v => new SecurityRuleId(v)));
        b.Property(r => r.VmId).HasConversion(Converters.VmId);
        b.HasOne<Vm>().WithMany().HasForeignKey(r => r.VmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(r => r.Protocol).HasConversion<string>().HasMaxLength(8);
        b.Property(r => r.Source).HasConversion(new ValueConverter<Ipv4Prefix, string>(v => v.ToString(), v => Ipv4Prefix.Parse(v, "source"))).HasMaxLength(18);
        b.Ignore(r => r.Rule);
        b.HasIndex(r => new { r.VmId, r.Protocol, r.FromPort, r.ToPort, r.Source }).IsUnique();
    }
}
