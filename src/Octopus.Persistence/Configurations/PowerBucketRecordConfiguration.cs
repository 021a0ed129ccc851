using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>PowerHistory</c>: one row per bucket, keyed by its start.</summary>
internal sealed class PowerBucketRecordConfiguration : IEntityTypeConfiguration<PowerBucketRecord>
{
    public void Configure(EntityTypeBuilder<PowerBucketRecord> b)
    {
        b.ToTable("PowerHistory");
        b.HasKey(p => p.Start);
        b.Property(p => p.Start).ValueGeneratedNever();
    }
}
