namespace Octopus.Drivers;

/// <summary>What a live migration cost, as the hypervisor measured it (QEMU: query-migrate's total-time and downtime),
/// returned by <see cref="INodeDriver.MigrateAsync"/>; null fields are unknown (the simulation has no downtime to measure).</summary>
public sealed record MigrationStats(TimeSpan? Total, TimeSpan? Downtime)
{
    public static readonly MigrationStats Unknown = new(null, null);
}
