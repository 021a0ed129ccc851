using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Domain.Networks;
using Octopus.Domain.Operations;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence.Records;

namespace Octopus.Persistence;

/// <summary>The Octopus store. Provider-agnostic: the provider and its migrations assembly are chosen by the host.</summary>
public sealed class OctopusDbContext(DbContextOptions<OctopusDbContext> options) : DbContext(options)
{
    /// <summary>The engine behind this context (its error translation and SQL spellings), from the options its provider
    /// project configured.</summary>
    public Providers.IStoreProvider Provider { get; } = options.FindExtension<Providers.StoreProviderExtension>()?.Provider
        ?? throw new InvalidOperationException("The store options name no provider; configure them with SqliteStore.Configure or PostgresStore.Configure.");

    public DbSet<User> Users => Set<User>();
    public DbSet<Vm> Vms => Set<Vm>();
    public DbSet<Host> Hosts => Set<Host>();
    public DbSet<Operation> Operations => Set<Operation>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<LoginThrottleRecord> LoginThrottle => Set<LoginThrottleRecord>();
    public DbSet<PlacementRecord> Placements => Set<PlacementRecord>();
    public DbSet<ImageRecord> Images => Set<ImageRecord>();
    public DbSet<PolicyRecord> Policies => Set<PolicyRecord>();
    public DbSet<PolicyActionRecord> PolicyActions => Set<PolicyActionRecord>();
    public DbSet<PolicyWarningRecord> PolicyWarnings => Set<PolicyWarningRecord>();
    public DbSet<DiskRecord> Disks => Set<DiskRecord>();
    public DbSet<DiskIntentRecord> DiskIntents => Set<DiskIntentRecord>();
    public DbSet<AgentRegistrationRecord> Agents => Set<AgentRegistrationRecord>();
    public DbSet<SettingRecord> Settings => Set<SettingRecord>();
    public DbSet<PowerBucketRecord> PowerHistory => Set<PowerBucketRecord>();
    public DbSet<Network> Networks => Set<Network>();
    public DbSet<Nic> Nics => Set<Nic>();
    public DbSet<SecurityRule> SecurityRules => Set<SecurityRule>();
    public DbSet<SshKey> SshKeys => Set<SshKey>();
    public DbSet<VmSshKey> VmSshKeys => Set<VmSshKey>();
    public DbSet<VmUserData> VmUserData => Set<VmUserData>();
    public DbSet<PowerBindingRecord> PowerBindings => Set<PowerBindingRecord>();
    public DbSet<OwnerQuotaLockRecord> OwnerQuotaLocks => Set<OwnerQuotaLockRecord>();
    public DbSet<ControlPlaneReplicaRecord> Replicas => Set<ControlPlaneReplicaRecord>();
    public DbSet<ControlPlaneLeadershipRecord> ControlPlaneLeadership => Set<ControlPlaneLeadershipRecord>();
    public DbSet<OperationFiguresRecord> OperationFigures => Set<OperationFiguresRecord>();
    public DbSet<VmLoadRecord> VmLoads => Set<VmLoadRecord>();
    public DbSet<VmHistoryBucketRecord> VmHistory => Set<VmHistoryBucketRecord>();
    public DbSet<HostHistoryBucketRecord> HostHistory => Set<HostHistoryBucketRecord>();
    public DbSet<PolicyObservationRecord> PolicyObservations => Set<PolicyObservationRecord>();
    public DbSet<PolicyCpuChunkRecord> PolicyCpuHistory => Set<PolicyCpuChunkRecord>();
    public DbSet<PolicyCpuPassRecord> PolicyCpuPasses => Set<PolicyCpuPassRecord>();

    /// <summary>The leader term this context writes under (captured from <see cref="Leadership.LeaderFence.Current"/>
    /// when it is created), or null for an unfenced context (requests, start-up). A fenced save checks the store's term
    /// in its own transaction first and throws <see cref="Leadership.StaleLeaderException"/> when it moved on; so does a
    /// set-based write (<see cref="Leadership.LeaderFenceInterceptor"/>, <see cref="FencedAsync{T}"/>).</summary>
    public long? FencingTerm { get; set; } = Leadership.LeaderFence.Current;

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (FencingTerm is null || !ChangeTracker.HasChanges()) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await CheckFenceAsync(Database.GetDbConnection(), Database.CurrentTransaction!.GetDbTransaction(), cancellationToken);
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return saved;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (FencingTerm is null || !ChangeTracker.HasChanges()) return base.SaveChanges(acceptAllChangesOnSuccess);
        using var own = Database.CurrentTransaction is null ? Database.BeginTransaction() : null;
        CheckFence(Database.GetDbConnection(), Database.CurrentTransaction!.GetDbTransaction());
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        own?.Commit();
        return saved;
    }

    /// <summary>Runs a set-based write (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>) fenced by this context's term: in a
    /// transaction of its own when the context is fenced and none is open (the statement's term check,
    /// <see cref="Leadership.LeaderFenceInterceptor"/>, then holds until it commits), as is otherwise. Under a superseded
    /// term it throws <see cref="Leadership.StaleLeaderException"/> and nothing is written.</summary>
    public async Task<T> FencedAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (FencingTerm is null || Database.CurrentTransaction is not null) return await write(cancellationToken);
        await using var tx = await Database.BeginTransactionAsync(cancellationToken);
        var result = await write(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The synchronous <see cref="FencedAsync{T}"/>.</summary>
    public T Fenced<T>(Func<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (FencingTerm is null || Database.CurrentTransaction is not null) return write();
        using var tx = Database.BeginTransaction();
        var result = write();
        tx.Commit();
        return result;
    }

    /// <summary>The transaction in which the store's term was last found to be <see cref="FencingTerm"/>: a later write
    /// in it needs no second check (PostgreSQL holds the leadership row's shared lock, SQLite the file's write lock,
    /// until it ends). It is EF's transaction (a new object for every transaction), not the driver's: Npgsql hands out the
    /// same <c>NpgsqlTransaction</c> object for every transaction of a connection, so remembering that one would skip the
    /// check in every later transaction of a long-lived context, after the term may have moved on.</summary>
    private object? _fenceCheckedIn;

    /// <summary>What identifies the transaction a write runs in: EF's, or the driver's when EF has none.</summary>
    private object FenceScope(System.Data.Common.DbTransaction transaction) => (object?)Database.CurrentTransaction ?? transaction;

    /// <summary>Checks, in <paramref name="transaction"/>, that the store's term is still <see cref="FencingTerm"/>;
    /// throws <see cref="Leadership.StaleLeaderException"/> when it is not.</summary>
    internal async Task CheckFenceAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, CancellationToken ct)
    {
        if (FencingTerm is not { } term || ReferenceEquals(_fenceCheckedIn, FenceScope(transaction))) return;
        await using var check = TermQuery(connection, transaction);
        Verify(term, await check.ExecuteScalarAsync(ct), FenceScope(transaction));
    }

    /// <summary>The synchronous <see cref="CheckFenceAsync"/>.</summary>
    internal void CheckFence(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction)
    {
        if (FencingTerm is not { } term || ReferenceEquals(_fenceCheckedIn, FenceScope(transaction))) return;
        using var check = TermQuery(connection, transaction);
        Verify(term, check.ExecuteScalar(), FenceScope(transaction));
    }

    private System.Data.Common.DbCommand TermQuery(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction)
    {
        var check = connection.CreateCommand();
        check.Transaction = transaction;
        check.CommandText = Provider.CurrentTermSql;
        return check;
    }

    private void Verify(long term, object? value, object transaction)
    {
        long? current = value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        if (current != term) throw new Leadership.StaleLeaderException(term, current);
        _fenceCheckedIn = transaction;
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        builder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        // Newer tables keep their mapping beside their record, one configuration per entity.
        model.ApplyConfiguration(new Configurations.DiskRecordConfiguration());
        model.ApplyConfiguration(new Configurations.DiskIntentRecordConfiguration());
        model.ApplyConfiguration(new Configurations.AgentRegistrationRecordConfiguration());
        model.ApplyConfiguration(new Configurations.SettingRecordConfiguration());
        model.ApplyConfiguration(new Configurations.PowerBucketRecordConfiguration());
        model.ApplyConfiguration(new Configurations.NetworkConfiguration());
        model.ApplyConfiguration(new Configurations.NicConfiguration());
        model.ApplyConfiguration(new Configurations.SecurityRuleConfiguration());
        model.ApplyConfiguration(new Configurations.SshKeyConfiguration());
        model.ApplyConfiguration(new Configurations.VmSshKeyConfiguration());
        model.ApplyConfiguration(new Configurations.VmUserDataConfiguration());
        model.ApplyConfiguration(new Configurations.PowerBindingRecordConfiguration());
        model.ApplyConfiguration(new Configurations.OwnerQuotaLockRecordConfiguration());
        model.ApplyConfiguration(new Configurations.ControlPlaneReplicaRecordConfiguration());
        model.ApplyConfiguration(new Configurations.ControlPlaneLeadershipRecordConfiguration());
        model.ApplyConfiguration(new Configurations.OperationFiguresRecordConfiguration());
        model.ApplyConfiguration(new Configurations.VmLoadRecordConfiguration());
        model.ApplyConfiguration(new Configurations.VmHistoryBucketRecordConfiguration());
        model.ApplyConfiguration(new Configurations.HostHistoryBucketRecordConfiguration());
        model.ApplyConfiguration(new Configurations.PolicyObservationRecordConfiguration());
        model.ApplyConfiguration(new Configurations.PolicyCpuChunkRecordConfiguration());
        model.ApplyConfiguration(new Configurations.PolicyCpuPassRecordConfiguration());

        model.Entity<User>(b =>
        {
            b.ToTable("Users");
            b.HasKey(u => u.Id);
            b.Property(u => u.Id).HasConversion(Converters.UserId);
            b.Property(u => u.Name).HasConversion(Converters.UserName).HasMaxLength(32);
            b.HasIndex(u => u.Name).IsUnique();
            b.Property(u => u.Role).HasConversion<string>().HasMaxLength(16);
            b.Property(u => u.PasswordHash).HasMaxLength(256);
            b.Property(u => u.Quota).HasConversion(Converters.Quota).HasMaxLength(512);
            b.Property(u => u.Provider).HasMaxLength(16).HasDefaultValue(User.LocalProvider);
            b.Property(u => u.ExternalId).HasMaxLength(512);
            b.HasIndex(u => new { u.Provider, u.ExternalId });
            b.Ignore(u => u.IsDisabled);
            b.Ignore(u => u.IsLocal);
        });

        model.Entity<Vm>(b =>
        {
            b.ToTable("Vms");
            b.HasKey(v => v.Id);
            b.Property(v => v.Id).HasConversion(Converters.VmId);
            b.Property(v => v.Name).HasConversion(Converters.VmName).HasMaxLength(63);
            b.Property(v => v.OwnerId).HasConversion(Converters.UserId);
            b.HasIndex(v => new { v.OwnerId, v.Name }).IsUnique();
            b.HasIndex(v => new { v.CreatedAt, v.Id }); // the VM list's default order: its keyset pages read this index in order
            b.HasOne<User>().WithMany().HasForeignKey(v => v.OwnerId).OnDelete(DeleteBehavior.Restrict);
            b.ComplexProperty(v => v.Geometry, g =>
            {
                g.Property(x => x.Cores).HasColumnName("Cores");
                g.Property(x => x.Memory).HasConversion(Converters.ByteSize).HasColumnName("MemoryBytes");
                g.Property(x => x.Disk).HasConversion(Converters.ByteSize).HasColumnName("DiskBytes");
                g.Property(x => x.Image).HasConversion(Converters.ImageName).HasColumnName("Image").HasMaxLength(63);
            });
            b.Property(v => v.Spec).HasConversion<string>().HasMaxLength(16);
            b.Property(v => v.State).HasConversion<string>().HasMaxLength(16);
            b.HasIndex(v => v.State);
            b.Property(v => v.HostId).HasConversion(Converters.HostId);
            b.HasIndex(v => v.HostId);
            b.HasOne<Host>().WithMany().HasForeignKey(v => v.HostId).OnDelete(DeleteBehavior.Restrict);
            b.Property(v => v.StatusReason).HasMaxLength(1024);
            b.Ignore(v => v.Tags);
            b.Property<List<string>>("_tags").HasColumnName("Tags").HasMaxLength(4096).HasConversion(
                v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
                v => JsonSerializer.Deserialize<List<string>>(v, (JsonSerializerOptions?)null) ?? new List<string>(),
                new ValueComparer<List<string>>((a, c) => a!.SequenceEqual(c!), l => l.Aggregate(0, (h, t) => HashCode.Combine(h, t.GetHashCode(StringComparison.Ordinal))), l => l.ToList()));
            b.Property(v => v.Version).IsConcurrencyToken();
        });

        model.Entity<Host>(b =>
        {
            b.ToTable("Hosts");
            b.HasKey(h => h.Id);
            b.Property(h => h.Id).HasConversion(Converters.HostId);
            b.Property(h => h.Name).HasMaxLength(63);
            b.HasIndex(h => h.Name).IsUnique();
            b.ComplexProperty(h => h.Capacity, c =>
            {
                c.Property(x => x.Cores).HasColumnName("Cores");
                c.Property(x => x.MipsPerCore).HasConversion(Converters.Mips).HasColumnName("MipsPerCore");
                c.Property(x => x.Memory).HasConversion(Converters.ByteSize).HasColumnName("MemoryBytes");
                c.Property(x => x.Disk).HasConversion(Converters.ByteSize).HasColumnName("DiskBytes");
                c.Ignore(x => x.TotalMips);
            });
            b.Property(h => h.PowerModel).HasConversion(Converters.PowerModel, new ValueComparer<PowerModel>((a, c) => Equals(a, c), p => p.GetHashCode(), p => p)).HasMaxLength(512);
            b.Property(h => h.PowerState).HasConversion<string>().HasMaxLength(16);
            b.Property(h => h.Load).HasConversion(Converters.CpuLoad);
            b.Ignore(h => h.AcceptsVms);
            b.Ignore(h => h.PowerDraw);
            b.Property(h => h.MeasuredDraw).HasConversion(Converters.Watts).HasColumnName("MeasuredWatts");
            b.Property(h => h.Version).IsConcurrencyToken();
        });

        model.Entity<Operation>(b =>
        {
            b.ToTable("Operations");
            b.HasKey(o => o.Id);
            b.Property(o => o.Id).HasConversion(Converters.OperationId);
            b.Property(o => o.Kind).HasConversion<string>().HasMaxLength(32);
            b.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            b.HasIndex(o => new { o.Status, o.CreatedAt }); // the runner's dispatch reads the oldest pending ones in this order
            b.Property(o => o.VmId).HasConversion(Converters.VmId);
            b.Property(o => o.HostId).HasConversion(Converters.HostId);
            b.Property(o => o.TargetHostId).HasConversion(Converters.HostId);
            b.Property(o => o.Error).HasMaxLength(2048);
            b.Property(o => o.Actor).HasMaxLength(64);
            b.Property(o => o.Reason).HasMaxLength(1024);
            b.Property(o => o.Payload).HasMaxLength(1024);
            b.Property(o => o.ErrorCode).HasMaxLength(64);
            b.Ignore(o => o.IsFinished);
        });

        model.Entity<AuditEntry>(b =>
        {
            b.ToTable("Audit");
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedOnAdd();
            b.Property(a => a.Actor).HasMaxLength(64);
            b.Property(a => a.Action).HasMaxLength(64);
            b.Property(a => a.Target).HasMaxLength(256);
            b.Property(a => a.Result).HasMaxLength(2048);
            b.Property(a => a.Details).HasMaxLength(4096);
            b.HasIndex(a => a.At);
        });

        model.Entity<ApiToken>(b =>
        {
            b.ToTable("ApiTokens");
            b.HasKey(t => t.Id);
            b.Property(t => t.TokenHash).HasMaxLength(64);
            b.HasIndex(t => t.TokenHash).IsUnique();
            b.Property(t => t.UserId).HasConversion(Converters.UserId);
            b.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            b.HasIndex(t => t.UserId);
            b.Property(t => t.Kind).HasMaxLength(16).HasDefaultValue("login");
            b.Property(t => t.Name).HasMaxLength(64);
            b.Property(t => t.Scopes).HasMaxLength(64).HasDefaultValue("read write admin");
        });

        model.Entity<LoginThrottleRecord>(b =>
        {
            b.ToTable("LoginThrottle");
            b.HasKey(t => t.Name);
            b.Property(t => t.Name).HasMaxLength(64);
        });

        model.Entity<PlacementRecord>(b =>
        {
            b.ToTable("Placements");
            b.HasKey(p => p.VmId);
            b.Property(p => p.VmId).HasConversion(Converters.VmId);
            b.Property(p => p.Summary).HasMaxLength(1024);
        });

        model.Entity<ImageRecord>(b =>
        {
            b.ToTable("Images");
            b.HasKey(i => i.Name);
            b.Property(i => i.Name).HasMaxLength(63);
            b.Property(i => i.Source).HasMaxLength(256);
        });

        model.Entity<PolicyRecord>(b =>
        {
            b.ToTable("Policies");
            b.HasKey(p => p.Name);
            b.Property(p => p.Name).HasMaxLength(63);
            b.Property(p => p.Owner).HasMaxLength(32);
            b.HasIndex(p => p.Owner);
            b.Property(p => p.Scope).HasMaxLength(16);
            b.Property(p => p.Document).HasMaxLength(65536);
        });

        model.Entity<PolicyActionRecord>(b =>
        {
            b.ToTable("PolicyActions");
            b.HasKey(a => a.Id);
            b.Property(a => a.Id).ValueGeneratedOnAdd();
            b.Property(a => a.Policy).HasMaxLength(63);
            b.HasIndex(a => new { a.Policy, a.At });
            b.HasIndex(a => a.NextAttemptAt);
            b.Property(a => a.VmName).HasMaxLength(63);
            b.Property(a => a.Action).HasMaxLength(32);
            b.Property(a => a.Parameters).HasMaxLength(1024);
            b.Property(a => a.Result).HasMaxLength(16);
            b.Property(a => a.Reason).HasMaxLength(2048);
            b.Property(a => a.Error).HasMaxLength(2048);
        });

        model.Entity<PolicyWarningRecord>(b =>
        {
            b.ToTable("PolicyWarnings");
            b.HasKey(w => w.Id);
            b.Property(w => w.Id).ValueGeneratedOnAdd();
            b.Property(w => w.Policy).HasMaxLength(63);
            b.HasIndex(w => new { w.Policy, w.VmId });
        });

        Provider.ShapeModel(model);
    }

    private sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));
}
