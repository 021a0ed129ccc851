using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Octopus.Domain.Users;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Configurations;

/// <summary>Table <c>OwnerQuotaLocks</c>: one row per user, keyed by the user, removed with the user.</summary>
internal sealed class OwnerQuotaLockRecordConfiguration : IEntityTypeConfiguration<OwnerQuotaLockRecord>
{
    public void Configure(EntityTypeBuilder<OwnerQuotaLockRecord> b)
    {
        b.ToTable("OwnerQuotaLocks");
        b.HasKey(l => l.UserId);
        b.Property(l => l.UserId).HasConversion(Converters.UserId);
        b.HasOne<User>().WithOne().HasForeignKey<OwnerQuotaLockRecord>(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(l => l.Version).IsConcurrencyToken();
    }
}
