using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Hosts;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>PowerBindings</c>: a host's power configuration, removed with the host. The method is stored by
/// name.</summary>
internal sealed class PowerBindingRecordConfiguration : IEntityTypeConfiguration<PowerBindingRecord>
{
    public void Configure(EntityTypeBuilder<PowerBindingRecord> b)
    {
        b.ToTable("PowerBindings");
        b.HasKey(p => p.HostId);
        b.Property(p => p.HostId).HasConversion(Converters.HostId);
        b.HasOne<Host>().WithOne().HasForeignKey<PowerBindingRecord>(p => p.HostId).OnDelete(DeleteBehavior.Cascade);
        b.Property(p => p.Method).HasConversion<string>().HasMaxLength(16);
        b.Property(p => p.Address).HasMaxLength(512);
        b.Property(p => p.User).HasMaxLength(64);
        b.Property(p => p.SealedPassword).HasMaxLength(4096);
        b.Property(p => p.Mac).HasMaxLength(17);
        b.Property(p => p.Fallback).HasMaxLength(128);
        b.Property(p => p.Version).IsConcurrencyToken();
    }
}
