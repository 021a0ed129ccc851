using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Services;
using Octopus.Application.Configuration;

namespace Octopus.Application.Disks;

/// <summary>Registers the disk tree: backend, catalog, services, the provisioner that gives each VM its disk, the
/// start-up recovery, and the commands behind the disk endpoints.</summary>
public static class DiskServiceCollectionExtensions
{
    /// <summary>The <c>Octopus:Storage</c> section is bound and checked at start-up (<see cref="StorageSectionValidator"/>).</summary>
    public static IServiceCollection AddOctopusDisks(this IServiceCollection services)
    {
        services.AddOctopusSection<StorageSection, StorageSectionValidator>(StorageSection.Section);
        services.AddSingleton(sp => StorageSettings.From(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageSection>>().Value,
            sp.GetRequiredService<DataFolder>()));
        services.AddSingleton<IDiskBackend>(sp =>
        {
            var storage = sp.GetRequiredService<StorageSettings>();
            return storage.Backend switch
            {
                StorageBackendKind.QemuImg => new QemuImgDiskBackend(new QemuImgOptions { StorageFolder = storage.Folder }),
                StorageBackendKind.Simulated => new SimulatedDiskBackend(sp.GetRequiredService<TimeProvider>()),
                _ => throw new ConfigurationException("Octopus:Storage:Backend", $"unknown backend {storage.Backend}"),
            };
        });
        services.AddSingleton<IDiskCatalog, Persistence.Disks.StoreDiskCatalog>();
        services.AddSingleton(sp => DiskServices.Create(sp.GetRequiredService<IDiskCatalog>(), sp.GetRequiredService<IDiskBackend>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<StorageSettings>().Tree, loggers: sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<VmDiskGate>();
        services.AddScoped<VmDiskCommands>();
        services.AddScoped<ImageCommands>();
        // Runs before the server listens (hosted services start before Kestrel): recovery first, then base images.
        services.AddHostedService<DiskStartup>();

        services.AddSingleton<VmDiskProvisioner>();
        return services;
    }
}

/// <summary>Whether a running VM's disk is switched by its node driver (<see cref="Drivers.INodeDriver.SwitchDiskAsync"/>)
/// when it is snapshotted or forked: true where a hypervisor holds the file open (the qemu driver), false for the
/// simulated cluster, whose VMs hold no files, so the disk tree works on them as on a stopped VM's.</summary>
public sealed record LiveDiskSwitching(bool ThroughNodeDriver)
{
    /// <summary>Whether snapshotting or forking <paramref name="vm"/> now needs its driver to switch it onto the new leaf:
    /// false when the disk can be handled as files (no live-capable driver, or the VM is neither running nor suspended). A VM between
    /// states is refused: its driver may be opening or closing the disk.</summary>
    public bool NeedsDriverFor(Domain.Vms.Vm vm)
    {
        if (!ThroughNodeDriver) return false;
        if (vm.State is Domain.Vms.VmState.Starting or Domain.Vms.VmState.Stopping or Domain.Vms.VmState.Rebooting or Domain.Vms.VmState.Migrating
            or Domain.Vms.VmState.Creating or Domain.Vms.VmState.Deleting)
            throw Domain.DomainException.Conflict("vm.busy",
                $"VM '{vm.Name}' is {vm.State}; wait until it is running or stopped (octopus vm show {vm.Name}), then try again.");
        // A suspended VM's hypervisor still holds its disk open (paused, not closed): its disk is switched like a running one's.
        return vm.State is Domain.Vms.VmState.Running or Domain.Vms.VmState.Suspended && vm.HostId is not null;
    }
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
