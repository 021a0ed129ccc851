using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Simulated;

namespace Octopus.Drivers.Contract.Tests;

/// <summary>The contract suite against two nodes of one simulated cluster (no delays, state in memory).</summary>
public sealed class SimulatedNodeContractTests : NodeDriverContractTests
{
    protected override Task<(INodeDriver A, HostId HostA, INodeDriver B, HostId HostB)> StartNodesAsync()
    {
        var cluster = new SimulatedCluster(new SimulatedClusterOptions { OperationDelay = TimeSpan.Zero, PowerTransitionDelay = TimeSpan.Zero },
            TimeProvider.System);
        var (a, b) = (HostId.New(), HostId.New());
        cluster.DefineHost(a, 8, HostPowerState.On);
        cluster.DefineHost(b, 8, HostPowerState.On);
        var nodes = new SimulatedNodeResolver(cluster);
        return Task.FromResult((nodes.For(a), a, nodes.For(b), b));
    }

    protected override Task<VmRuntimeSpec> NewSpecAsync(string name)
    {
        var id = VmId.New();
        return Task.FromResult(VmRuntimeSpec.Minimal(id, name, Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), ImageName.Parse("test-guest")))
            with { Disks = [DiskAttachment.Flat($"/simulated/{id}.qcow2")] });
    }

    /// <summary>The simulated guest takes any user name at its login prompt.</summary>
    protected override async Task SerialLoginAsync(Stream serial)
    {
        await ReadUntilAsync(serial, "login: ");
        await serial.WriteAsync("root\r"u8.ToArray(), TestContext.Current.CancellationToken);
        await ReadUntilAsync(serial, "# ");
    }

    protected override string NewDiskPath(VmRuntimeSpec vm) => $"/simulated/{vm.Id}-{Guid.NewGuid():N}.qcow2";
}
