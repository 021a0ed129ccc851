using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>Disks</c>: the disk tree. Indexed by VM (a VM's disks) and parent (children of a disk).</summary>
internal sealed class DiskRecordConfiguration : IEntityTypeConfiguration<DiskRecord>
{
    public void Configure(EntityTypeBuilder<DiskRecord> b)
    {
        b.ToTable("Disks");
        b.HasKey(d => d.Id);
        b.Property(d => d.Id).ValueGeneratedNever();
        b.Property(d => d.Role).HasMaxLength(16);
        b.Property(d => d.Image).HasMaxLength(63);
        b.Property(d => d.Name).HasMaxLength(63);
        b.Property(d => d.CheckpointPolicy).HasMaxLength(63);
        b.HasIndex(d => d.VmId);
        b.HasIndex(d => d.ParentId);
        b.Property(d => d.Version).IsConcurrencyToken();
    }
}
