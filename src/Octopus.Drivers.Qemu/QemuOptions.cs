namespace Octopus.Drivers.Qemu;

/// <summary>How the agent runs QEMU on its host. Defaults suit this project's machines (no /dev/kvm, TCG, tiny guests).</summary>
public sealed record QemuOptions
{
    /// <summary>The agent's data folder; VM folders live in {DataDir}/vms. Keep it short: QMP socket paths must fit
    /// in 107 bytes.</summary>
    public required string DataDir { get; init; }

    /// <summary>The emulator binary. Default /usr/bin/qemu-system-x86_64.</summary>
    public string QemuBinary { get; init; } = "/usr/bin/qemu-system-x86_64";

    /// <summary>The guest NIC device (-device MODEL): virtio-net-pci by default (the test guest loads virtio_net); e1000
    /// for guests without virtio drivers.</summary>
    public string NicModel { get; init; } = "virtio-net-pci";

    /// <summary>Start QEMU inside this network namespace (<c>ip netns exec NS qemu …</c>), where its taps are; null for the
    /// host's own. Tests use it to act as a host without touching the machine's interfaces.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The ip binary, used to enter <see cref="NetworkNamespace"/>.</summary>
    public string IpPath { get; init; } = "/usr/sbin/ip";

    /// <summary>The -accel value. "tcg,tb-size=32" keeps a TCG guest near 230 MiB of host memory (the default
    /// translation cache is 1 GiB); use "kvm" on hosts with /dev/kvm.</summary>
    public string Accelerator { get; init; } = "tcg,tb-size=32";

    /// <summary>How long a graceful shutdown (ACPI power button) may take before QEMU is told to quit. 1–600 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>For connecting to QMP and for each QMP command. 1–120 s.</summary>
    public TimeSpan QmpTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long QEMU may take to daemonise (it has then opened its disk and sockets). 1–120 s.</summary>
    public TimeSpan LaunchTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on a whole live migration before it is cancelled and the VM stays on its source. 5 s–1 h.</summary>
    public TimeSpan MigrationTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often query-migrate is polled for progress. 10 ms–5 s.</summary>
    public TimeSpan MigrationPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Migration bandwidth cap in bytes per second (migrate-set-parameters max-bandwidth); null keeps
    /// QEMU's default (128 MiB/s).</summary>
    public long? MigrationMaxBandwidth { get; init; }

    /// <summary>Address a migration destination listens on. Loopback by default; an agent on a real network gives
    /// its cluster-facing address.</summary>
    public string MigrationListenAddress { get; init; } = "127.0.0.1";

    /// <summary>How <c>MigrateAsync</c> (the server's migrate command) moves disks: Shared when all hosts see one
    /// storage folder, Copy otherwise.</summary>
    public Migration.MigrationStorage MigrationStorage { get; init; } = Migration.MigrationStorage.Shared;

    /// <summary>Where this host keeps disks it receives in a migration without shared storage. Default {DataDir}/disks.</summary>
    public string? LocalDiskDir { get; init; }

    internal string EffectiveLocalDiskDir => LocalDiskDir ?? Path.Combine(DataDir, "disks");

    /// <summary>Throws a <see cref="DriverException"/> naming the first option out of its range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir)) throw new DriverException("QEMU driver: DataDir is required (the agent's --data folder).");
        if (!Path.IsPathRooted(QemuBinary)) throw new DriverException($"QEMU driver: QemuBinary must be an absolute path; got '{QemuBinary}'.");
        if (NicModel is not ("virtio-net-pci" or "e1000" or "rtl8139"))
            throw new DriverException($"QEMU driver: NicModel must be virtio-net-pci, e1000 or rtl8139; got '{NicModel}'.");
        if (NetworkNamespace is { } ns && (ns.Length == 0 || ns.Any(c => c == '/' || char.IsWhiteSpace(c))))
            throw new DriverException($"QEMU driver: NetworkNamespace '{ns}' is not a namespace name.");
        Check(ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(ShutdownTimeout));
        Check(QmpTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), nameof(QmpTimeout));
        Check(LaunchTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), nameof(LaunchTimeout));
        Check(MigrationTimeout, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1), nameof(MigrationTimeout));
        Check(MigrationPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5), nameof(MigrationPollInterval));
        if (MigrationMaxBandwidth is <= 0) throw new DriverException($"QEMU driver: MigrationMaxBandwidth must be positive; got {MigrationMaxBandwidth}.");
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max) throw new DriverException($"QEMU driver: {name} must be between {min} and {max}; got {value}.");
    }
}
