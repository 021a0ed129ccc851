using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>DiskIntents</c>: pending entries of the disk intent journal.</summary>
internal sealed class DiskIntentRecordConfiguration : IEntityTypeConfiguration<DiskIntentRecord>
{
    public void Configure(EntityTypeBuilder<DiskIntentRecord> b)
    {
        b.ToTable("DiskIntents");
        b.HasKey(i => i.Id);
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.Kind).HasMaxLength(16);
        b.Property(i => i.Operation).HasMaxLength(256);
        b.Property(i => i.Files).HasMaxLength(16384);
        b.Property(i => i.LiveSnapshot).HasMaxLength(63);
    }
}
