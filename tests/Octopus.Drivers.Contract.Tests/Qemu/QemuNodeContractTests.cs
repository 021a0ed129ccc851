using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Processes;
using Octopus.Drivers.Qemu.Tests.Integration;

namespace Octopus.Drivers.Contract.Tests.Qemu;

/// <summary>The contract suite against two real QEMU nodes (TCG) sharing one storage folder, booting the tiny test guest
/// from scripts/build-test-guest. Every QEMU is killed by pid afterwards, pass or fail.</summary>
public sealed class QemuNodeContractTests(TestGuestFixture guest) : NodeDriverContractTests, IClassFixture<TestGuestFixture>
{
    private const string Ready = "OCTOPUS-GUEST-READY";
    private readonly List<QemuNodeDriver> _nodes = [];

    protected override string? SkipReason => guest.SkipReason;

    protected override Task<(INodeDriver A, HostId HostA, INodeDriver B, HostId HostB)> StartNodesAsync()
    {
        var run = Guid.NewGuid().ToString("N")[..6]; // short: QMP socket paths must fit in 107 bytes
        QemuNodeDriver Node(string name)
        {
            var node = new QemuNodeDriver(HostId.New(), new QemuOptions { DataDir = Path.Combine(guest.Root, $"c{run}{name}"), ShutdownTimeout = TimeSpan.FromSeconds(20) },
                guest.Boot, TimeProvider.System);
            _nodes.Add(node);
            return node;
        }
        var (a, b) = (Node("a"), Node("b"));
        return Task.FromResult<(INodeDriver, HostId, INodeDriver, HostId)>((a, a.Host, b, b.Host));
    }

    protected override Task<VmRuntimeSpec> NewSpecAsync(string name) =>
        new SharedStorageLayout(guest.Storage, guest.Boot, new QemuImg())
            .SpecForAsync(VmId.New(), name, Geometry.Create(1, ByteSize.FromMiB(128), ByteSize.FromMiB(64), TestGuestFixture.Image), Ct);

    protected override string NewDiskPath(VmRuntimeSpec vm) => Path.Combine(guest.Storage, "disks", $"{vm.Id}-{Guid.NewGuid():N}.qcow2");

    /// <summary>Until the guest printed its ready marker (its acpid then obeys the power button).</summary>
    protected override async Task WaitUntilBootedAsync(INodeDriver node, VmId vm)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            text = await node.ReadConsoleAsync(vm, 64 * 1024, Ct);
            // After a reboot the marker must appear again: count it.
            if (text.Split(Ready).Length - 1 > _readySeen.GetValueOrDefault(vm))
            {
                _readySeen[vm] = text.Split(Ready).Length - 1;
                return;
            }
            await Task.Delay(200, Ct);
        }
        throw new Xunit.Sdk.XunitException($"waited 90 s for VM {vm} to boot; console ends with:\n{text[Math.Max(0, text.Length - 1500)..]}");
    }

    private readonly Dictionary<VmId, int> _readySeen = [];

    public override async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        guest.KillAll();
        await base.DisposeAsync();
    }
}
