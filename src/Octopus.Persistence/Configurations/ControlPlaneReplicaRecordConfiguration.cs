using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>ControlPlaneReplicas</c>: one row per server process, keyed by its replica id.</summary>
internal sealed class ControlPlaneReplicaRecordConfiguration : IEntityTypeConfiguration<ControlPlaneReplicaRecord>
{
    public void Configure(EntityTypeBuilder<ControlPlaneReplicaRecord> b)
    {
        b.ToTable("ControlPlaneReplicas");
        b.HasKey(r => r.Id);
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.Address).HasMaxLength(255);
    }
}
