using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Operations;
using Octopus.Domain.Vms;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>OperationFigures</c>: at most one row per operation, removed with it.</summary>
internal sealed class OperationFiguresRecordConfiguration : IEntityTypeConfiguration<OperationFiguresRecord>
{
    public void Configure(EntityTypeBuilder<OperationFiguresRecord> b)
    {
        b.ToTable("OperationFigures");
        b.HasKey(f => f.OperationId);
        b.Property(f => f.OperationId).HasConversion(Converters.OperationId);
        b.HasOne<Operation>().WithOne().HasForeignKey<OperationFiguresRecord>(f => f.OperationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>Table <c>VmLoads</c>: at most one row per VM, removed with it.</summary>
internal sealed class VmLoadRecordConfiguration : IEntityTypeConfiguration<VmLoadRecord>
{
    public void Configure(EntityTypeBuilder<VmLoadRecord> b)
    {
        b.ToTable("VmLoads");
        b.HasKey(l => l.VmId);
        b.Property(l => l.VmId).HasConversion(Converters.VmId);
        b.HasOne<Vm>().WithOne().HasForeignKey<VmLoadRecord>(l => l.VmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(l => l.History).HasMaxLength(1024).IsRequired();
    }
}
