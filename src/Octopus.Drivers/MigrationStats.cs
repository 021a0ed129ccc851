namespace Octopus.Drivers;

/// <summary>What a live migration cost, as the hypervisor measured it (QEMU: query-migrate's total-time and downtime).
/// A driver that knows these reports them once, at the end of <see cref="IVmLifecycleDriver.MigrateAsync"/>, to the
/// progress object when that also implements <c>IProgress&lt;MigrationStats&gt;</c> (the server's does); null fields
/// are unknown.</summary>
public sealed record MigrationStats(TimeSpan? Total, TimeSpan? Downtime);
