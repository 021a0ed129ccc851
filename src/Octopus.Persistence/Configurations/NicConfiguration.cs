using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Octopus.Domain.Networks;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>Nics</c>: every VM's network interfaces with the MAC, address and host name Octopus gave them. The
/// unique indexes are the address manager's last line: one address and one host name per network, one MAC in the
/// cluster. A NIC goes with its VM (cascade); a network cannot go while NICs use it (restrict).</summary>
internal sealed class NicConfiguration : IEntityTypeConfiguration<Nic>
{
    public void Configure(EntityTypeBuilder<Nic> b)
    {
        b.ToTable("Nics");
        b.HasKey(n => new { n.VmId, n.Slot });
        b.Property(n => n.VmId).HasConversion(Converters.VmId);
        b.HasOne<Vm>().WithMany().HasForeignKey(n => n.VmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(n => n.NetworkId).HasConversion(Converters.NetworkId);
        b.HasOne<Network>().WithMany().HasForeignKey(n => n.NetworkId).OnDelete(DeleteBehavior.Restrict);
        b.Property(n => n.Address).HasConversion(Converters.Ipv4Address).HasMaxLength(15);
        b.HasIndex(n => new { n.NetworkId, n.Address }).IsUnique();
        b.Property(n => n.Mac).HasConversion(new ValueConverter<MacAddress, string>(v => v.ToString(), v => ParseMac(v))).HasMaxLength(17);
        b.HasIndex(n => n.Mac).IsUnique();
        b.Property(n => n.HostName).HasMaxLength(63);
        b.HasIndex(n => new { n.NetworkId, n.HostName }).IsUnique();
    }

    private static MacAddress ParseMac(string text) =>
        MacAddress.TryParse(text, out var mac) ? mac : throw new InvalidOperationException($"The store holds a malformed MAC address '{text}'.");
}
