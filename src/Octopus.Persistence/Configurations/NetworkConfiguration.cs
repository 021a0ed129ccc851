using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Octopus.Domain.Networks;
using Octopus.Domain.Users;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>Networks</c>: the networks VMs attach to. Addresses are kept as text (dotted quads, CIDR), the way
/// an operator reads them in the store; the users allowed on a restricted network as a JSON list of ids.</summary>
internal sealed class NetworkConfiguration : IEntityTypeConfiguration<Network>
{
    public void Configure(EntityTypeBuilder<Network> b)
    {
        b.ToTable("Networks");
        b.HasKey(n => n.Id);
        b.Property(n => n.Id).HasConversion(Converters.NetworkId);
        b.Property(n => n.Name).HasConversion(new ValueConverter<NetworkName, string>(v => v.Value, v => NetworkName.Parse(v, "name"))).HasMaxLength(32);
        b.HasIndex(n => n.Name).IsUnique();
        b.Property(n => n.Bridge).HasConversion(new ValueConverter<BridgeName, string>(v => v.Value, v => BridgeName.Parse(v, "bridge"))).HasMaxLength(15);
        b.HasIndex(n => n.Bridge).IsUnique();
        b.Property(n => n.Subnet).HasConversion(new ValueConverter<Ipv4Subnet, string>(v => v.ToString(), v => Ipv4Subnet.Parse(v, "subnet"))).HasMaxLength(18);
        b.Property(n => n.Gateway).HasConversion(Converters.Ipv4Address).HasMaxLength(15);
        b.Property(n => n.Range).HasConversion(new ValueConverter<Ipv4Range, string>(v => v.ToString(), v => Ipv4Range.Parse(v, "range"))).HasMaxLength(31);
        b.Property(n => n.Domain).HasConversion(new ValueConverter<DnsDomain, string>(v => v.Value, v => DnsDomain.Parse(v, "domain"))).HasMaxLength(200);
        b.Ignore(n => n.Users);
        b.Ignore(n => n.Capacity);
        b.Property<List<UserId>>("_users").HasColumnName("Users").HasMaxLength(8192).HasConversion(
            v => JsonSerializer.Serialize(v.Select(u => u.Value), (JsonSerializerOptions?)null),
            v => (JsonSerializer.Deserialize<List<Guid>>(v, (JsonSerializerOptions?)null) ?? new List<Guid>()).Select(g => new UserId(g)).ToList(),
            new ValueComparer<List<UserId>>((x, y) => x!.SequenceEqual(y!), l => l.Aggregate(0, (h, u) => HashCode.Combine(h, u.GetHashCode())), l => l.ToList()));
        b.Property(n => n.Version).IsConcurrencyToken();
    }
}
