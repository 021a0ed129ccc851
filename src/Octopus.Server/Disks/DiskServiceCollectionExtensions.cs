using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Octopus.Drivers;
using Octopus.Server.Configuration;

namespace Octopus.Server.Disks;

/// <summary>Registers the disk tree: backend, catalog, services, the VM driver decorator that gives each VM its disk,
/// the start-up recovery, and the commands behind the disk endpoints.</summary>
public static class DiskServiceCollectionExtensions
{
    /// <summary>Call after the VM lifecycle driver is registered: the driver is wrapped so that creating a VM creates its
    /// disk and deleting it releases its disks. Throws <see cref="ConfigurationException"/> on a bad storage section.</summary>
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

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IVmLifecycleDriver))
            ?? throw new InvalidOperationException("AddOctopusDisks must be called after a VM lifecycle driver is registered.");
        services.Remove(inner);
        services.AddSingleton<IVmLifecycleDriver>(sp => new DiskAwareVmDriver(Resolve(sp, inner), sp.GetRequiredService<DiskServices>(),
            sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<VmDiskGate>()));
        return services;
    }

    private static IVmLifecycleDriver Resolve(IServiceProvider sp, ServiceDescriptor d) =>
        (IVmLifecycleDriver)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}

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
