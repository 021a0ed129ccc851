using Octopus.Disks.Backends;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain.Units;

namespace Octopus.Disks.Tests.Kit;

/// <summary>Thrown in place of a step when the simulated server dies.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException() : base("simulated crash") { }
    public SimulatedCrashException(string message) : base(message) { }
    public SimulatedCrashException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Counts the side-effecting steps (file changes, catalog writes) and kills the "process" before step
/// <see cref="CrashAt"/>: that step and everything after it fail, reads included, as for a dead server.</summary>
public sealed class CrashSwitch
{
    public int CrashAt { get; set; } = int.MaxValue;
    public int Steps { get; private set; }
    public bool Crashed { get; private set; }
    public List<string> Log { get; } = [];

    private readonly Lock _gate = new();

    public void Step(string what)
    {
        lock (_gate)
        {
            Alive();
            if (Steps == CrashAt)
            {
                Crashed = true;
                throw new SimulatedCrashException($"crash before step {Steps} ({what})");
            }
            Steps++;
            Log.Add(what);
        }
    }

    public void Alive()
    {
        lock (_gate)
            if (Crashed) throw new SimulatedCrashException("the process is dead");
    }
}

/// <summary>A backend that obeys a <see cref="CrashSwitch"/>.</summary>
public sealed class FaultInjectingDiskBackend(IDiskBackend inner, CrashSwitch crash) : IDiskBackend
{
    public Task<StoredDisk> CreateBaseAsync(DiskId id, ByteSize virtualSize, CancellationToken ct = default)
    {
        crash.Step($"create base {id}");
        return inner.CreateBaseAsync(id, virtualSize, ct);
    }

    public Task<StoredDisk> ImportAsync(DiskId id, string sourcePath, DiskImageFormat? format, CancellationToken ct = default)
    {
        crash.Step($"import {id}");
        return inner.ImportAsync(id, sourcePath, format, ct);
    }

    public Task<ByteSize> CreateChildAsync(DiskId id, DiskId parent, ByteSize? virtualSize = null, CancellationToken ct = default)
    {
        crash.Step($"create child {id}");
        return inner.CreateChildAsync(id, parent, virtualSize, ct);
    }

    public Task<ByteSize> RebaseAsync(DiskId id, DiskId newParent, CancellationToken ct = default)
    {
        crash.Step($"rebase {id}");
        return inner.RebaseAsync(id, newParent, ct);
    }

    public Task DeleteAsync(DiskId id, CancellationToken ct = default)
    {
        crash.Step($"delete {id}");
        return inner.DeleteAsync(id, ct);
    }

    public Task<StoredDisk?> InspectAsync(DiskId id, CancellationToken ct = default)
    {
        crash.Alive();
        return inner.InspectAsync(id, ct);
    }

    public Task<IReadOnlyList<DiskId>> ReadChainAsync(DiskId id, CancellationToken ct = default)
    {
        crash.Alive();
        return inner.ReadChainAsync(id, ct);
    }

    public Task<IReadOnlyList<StoredFile>> ListAsync(CancellationToken ct = default)
    {
        crash.Alive();
        return inner.ListAsync(ct);
    }
}

/// <summary>A catalog that obeys a <see cref="CrashSwitch"/>. Each write is atomic, as the contract demands.</summary>
public sealed class FaultInjectingDiskCatalog(IDiskCatalog inner, CrashSwitch crash) : IDiskCatalog
{
    public ValueTask<CatalogSnapshot> LoadAsync(CancellationToken ct = default)
    {
        crash.Alive();
        return inner.LoadAsync(ct);
    }

    public ValueTask ApplyAsync(CatalogChange change, CancellationToken ct = default)
    {
        crash.Step("catalog write");
        return inner.ApplyAsync(change, ct);
    }
}
