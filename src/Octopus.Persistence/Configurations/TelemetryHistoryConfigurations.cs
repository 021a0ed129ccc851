using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>VmHistory</c>: one row per VM, resolution and bucket start, removed with the VM; the index on
/// (resolution, start) serves the retention's pruning.</summary>
internal sealed class VmHistoryBucketRecordConfiguration : IEntityTypeConfiguration<VmHistoryBucketRecord>
{
    public void Configure(EntityTypeBuilder<VmHistoryBucketRecord> b)
    {
        b.ToTable("VmHistory");
        b.HasKey(r => new { r.VmId, r.Resolution, r.Start });
        b.Property(r => r.VmId).HasConversion(Converters.VmId);
        b.Property(r => r.Resolution).HasConversion<int>();
        b.HasOne<Vm>().WithMany().HasForeignKey(r => r.VmId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.Resolution, r.Start });
    }
}

/// <summary>Table <c>HostHistory</c>: one row per host, resolution and bucket start, removed with the host.</summary>
internal sealed class HostHistoryBucketRecordConfiguration : IEntityTypeConfiguration<HostHistoryBucketRecord>
{
    public void Configure(EntityTypeBuilder<HostHistoryBucketRecord> b)
    {
        b.ToTable("HostHistory");
        b.HasKey(r => new { r.HostId, r.Resolution, r.Start });
        b.Property(r => r.HostId).HasConversion(Converters.HostId);
        b.Property(r => r.Resolution).HasConversion<int>();
        b.HasOne<Host>().WithMany().HasForeignKey(r => r.HostId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.Resolution, r.Start });
    }
}
