using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Vms;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>VmUserData</c>: the cloud-init user-data a VM was created with (at most one row per VM); it goes
/// with the VM.</summary>
internal sealed class VmUserDataConfiguration : IEntityTypeConfiguration<VmUserData>
{
    public void Configure(EntityTypeBuilder<VmUserData> b)
    {
        b.ToTable("VmUserData");
        b.HasKey(u => u.VmId);
        b.Property(u => u.VmId).HasConversion(Converters.VmId);
        b.HasOne<Vm>().WithMany().HasForeignKey(u => u.VmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(u => u.Text).IsRequired();
    }
}
