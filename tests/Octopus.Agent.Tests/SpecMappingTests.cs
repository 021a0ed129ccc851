using Octopus.Contracts.Agents;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent.Tests;

/// <summary>The wire form of a VM's machine (what a migration destination is sent) keeps its NICs and their addressing.</summary>
public sealed class SpecMappingTests
{
    [Fact]
    public void ToWireThenFromWire_KeepsNicsTapsAndAddressing()
    {
        var id = VmId.New();
        var spec = new QemuVmSpec(id, "web", 1, ByteSize.FromMiB(128), "/s/d.qcow2", new DirectKernelBoot("/k", null, ""),
            Nics: [new TapPort(QemuVmSpec.TapName(id, 0), "br-lab", "52:54:00:0a:4d:0a", new NicAddressing("lab", "10.77.0.10", "10.77.0.0/24", "10.77.0.1", "lab.octopus", "web")),
                new TapPort(QemuVmSpec.TapName(id, 1), "br-dmz", "52:54:00:0a:4d:0b")]);

        SpecMapping.FromWire(SpecMapping.ToWire(spec)).Should().Be(spec);
    }

    [Fact]
    public void Ports_NicWithoutBridge_RefusedNamingTheNic()
    {
        FluentActions.Invoking(() => SpecMapping.Ports(VmId.New(), "web", [new AgentNic("52:54:00:0a:4d:0a", "lab", "", "10.77.0.10", null, null, null, null)]))
            .Should().Throw<ArgumentException>().WithMessage("NIC 0 of VM web needs a mac and a bridge.");
    }
}
