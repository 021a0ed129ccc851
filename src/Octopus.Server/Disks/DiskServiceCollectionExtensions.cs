using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Octopus.Server.Configuration;

namespace Octopus.Server.Disks;

/// <summary>Registers the disk tree: backend, catalog, services, the provisioner that gives each VM its disk, the
/// start-up recovery, and the commands behind the disk endpoints.</summary>
public static class DiskServiceCollectionExtensions
{
    /// <summary>Throws <see cref="ConfigurationException"/> on a bad storage section.</summary>
    public static IServiceCollection AddOctopusDisks(this IServiceCollection services, IConfiguration configuration, ServerSettings server)
    {
        var storage = StorageSettings.From(configuration, server);
        services.AddSingleton(storage);
        services.AddSingleton<IDiskBackend>(sp => storage.Backend switch
        {
            StorageBackendKind.QemuImg => new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = storage.Folder }),
            StorageBackendKind.Simulated => new SimulatedDiskBackend(sp.GetRequiredService<TimeProvider>()),
            _ => throw new ConfigurationException("Octopus:Storage:Backend", $"unknown backend {storage.Backend}"),
        });
        services.AddSingleton<IDiskCatalog, Persistence.Disks.StoreDiskCatalog>();
        services.AddSingleton(sp => DiskServices.Create(sp.GetRequiredService<IDiskCatalog>(), sp.GetRequiredService<IDiskBackend>(),
            sp.GetRequiredService<TimeProvider>(), storage.Tree, loggers: sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<VmDiskGate>();
        services.AddScoped<VmDiskCommands>();
        services.AddScoped<ImageCommands>();
        // Runs before the server listens (hosted services start before Kestrel): recovery first, then base images.
        services.AddHostedService<DiskStartup>();

        services.AddSingleton<VmDiskProvisioner>();
        services.TryAddSingleton(new LiveDiskSwitching(ThroughNodeDriver: false));
        return services;
    }
}

/// <summary>Whether a running VM's disk is switched by its node driver (<see cref="Drivers.INodeDriver.SwitchDiskAsync"/>)
/// when it is snapshotted or forked: true where a hypervisor holds the file open (the qemu driver), false for the
/// simulated cluster, whose VMs hold no files, so the disk tree works on them as on a stopped VM's.</summary>
public sealed record LiveDiskSwitching(bool ThroughNodeDriver);

/// <summary>Serialises "create a VM and give it a disk" against the driver's own disk creation, so a fork's disk is in
/// place before the create operation looks for one.</summary>
public sealed class VmDiskGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Release(_gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release(); }
    }
}
