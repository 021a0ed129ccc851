using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>ControlPlaneLeadership</c>: the one row holding the leader's term (the fencing token).</summary>
internal sealed class ControlPlaneLeadershipRecordConfiguration : IEntityTypeConfiguration<ControlPlaneLeadershipRecord>
{
    public void Configure(EntityTypeBuilder<ControlPlaneLeadershipRecord> b)
    {
        b.ToTable("ControlPlaneLeadership");
        b.HasKey(l => l.Id);
        b.Property(l => l.Id).ValueGeneratedNever();
    }
}
