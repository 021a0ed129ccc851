using Octopus.Contracts.Agents;
using Octopus.Domain.Units;
using Octopus.Domain.Vms;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent;

/// <summary>Converts between the driver's <see cref="QemuVmSpec"/> and its wire form.</summary>
internal static class SpecMapping
{
    public static AgentVmSpec ToWire(QemuVmSpec s) =>
        new(s.Id.Value, s.Name, s.Cores, s.MemoryMiB, s.Disk, s.Boot.Kernel, s.Boot.Initrd, s.Boot.Append);

    public static QemuVmSpec FromWire(AgentVmSpec s) =>
        new(new VmId(s.Vm), s.Name, s.Cores, ByteSize.FromMiB(s.MemoryMiB), s.Disk, new DirectKernelBoot(s.Kernel, s.Initrd, s.Append));
}
