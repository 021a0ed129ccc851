using Octopus.Disks.Backends;
using Octopus.Disks.Model;

namespace Octopus.Disks.Tests.Backends;

/// <summary>The contract suite on the in-memory backend.</summary>
public sealed class SimulatedDiskBackendTests : DiskContractTests
{
    private readonly SimulatedDiskBackend _backend;

    public SimulatedDiskBackendTests() => _backend = new SimulatedDiskBackend(Time);

    protected override IDiskBackend Backend => _backend;

    protected override Task WriteBlockAsync(DiskId disk, long block, byte value)
    {
        _backend.Write(disk, block, value);
        return Task.CompletedTask;
    }

    protected override Task<bool> BlockIsAsync(DiskId disk, long block, byte value) => Task.FromResult(_backend.Read(disk, block) == value);
}
