using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>PolicyObservations</c>: one row per VM or host the last policy pass saw. No foreign key: a VM deleted
/// meanwhile must not fail the pass's save; the next pass removes its row.</summary>
internal sealed class PolicyObservationRecordConfiguration : IEntityTypeConfiguration<PolicyObservationRecord>
{
    public void Configure(EntityTypeBuilder<PolicyObservationRecord> b)
    {
        b.ToTable("PolicyObservations");
        b.HasKey(o => new { o.Kind, o.SubjectId });
    }
}

/// <summary>Table <c>PolicyCpuHistory</c>: one row per VM or host and hour; indexed by hour for the pruning.</summary>
internal sealed class PolicyCpuChunkRecordConfiguration : IEntityTypeConfiguration<PolicyCpuChunkRecord>
{
    public void Configure(EntityTypeBuilder<PolicyCpuChunkRecord> b)
    {
        b.ToTable("PolicyCpuHistory");
        b.HasKey(c => new { c.Kind, c.SubjectId, c.Start });
        b.HasIndex(c => c.Start);
        b.Property(c => c.Samples).IsRequired();
    }
}

/// <summary>Table <c>PolicyCpuPasses</c>: one row per policy pass that took CPU samples in the hour still open.</summary>
internal sealed class PolicyCpuPassRecordConfiguration : IEntityTypeConfiguration<PolicyCpuPassRecord>
{
    public void Configure(EntityTypeBuilder<PolicyCpuPassRecord> b)
    {
        b.ToTable("PolicyCpuPasses");
        b.HasKey(p => p.At);
        b.Property(p => p.Samples).IsRequired();
    }
}
