using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>SshKeys</c>: the public keys in users' profiles, one name per user (the key); they go with the user.</summary>
internal sealed class SshKeyConfiguration : IEntityTypeConfiguration<SshKey>
{
    public void Configure(EntityTypeBuilder<SshKey> b)
    {
        b.ToTable("SshKeys");
        b.HasKey(k => new { k.UserId, k.Name });
        b.Property(k => k.UserId).HasConversion(Converters.UserId);
        b.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(k => k.Name).HasMaxLength(40);
        b.Property(k => k.PublicKey).HasMaxLength(SshPublicKey.MaxLength);
        b.Property(k => k.Fingerprint).HasMaxLength(64);
        b.Ignore(k => k.Key);
    }
}

/// <summary>Table <c>VmSshKeys</c>: the public keys each VM was created with, in order; they go with the VM.</summary>
internal sealed class VmSshKeyConfiguration : IEntityTypeConfiguration<VmSshKey>
{
    public void Configure(EntityTypeBuilder<VmSshKey> b)
    {
        b.ToTable("VmSshKeys");
        b.HasKey(k => new { k.VmId, k.Slot });
        b.Property(k => k.VmId).HasConversion(Converters.VmId);
        b.HasOne<Vm>().WithMany().HasForeignKey(k => k.VmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(k => k.PublicKey).HasMaxLength(SshPublicKey.MaxLength);
        b.Property(k => k.Fingerprint).HasMaxLength(64);
    }
}
