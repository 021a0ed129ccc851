using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>Agents</c>: registered node agents and their liveness.</summary>
internal sealed class AgentRegistrationRecordConfiguration : IEntityTypeConfiguration<AgentRegistrationRecord>
{
    public void Configure(EntityTypeBuilder<AgentRegistrationRecord> b)
    {
        b.ToTable("Agents");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Name).HasMaxLength(63);
        b.Property(a => a.Url).HasMaxLength(512);
        b.Property(a => a.Secret).HasMaxLength(128);
        b.Property(a => a.Version).IsConcurrencyToken();
    }
}
