using Octopus.Contracts.Agents;
using Octopus.Drivers.Qemu;

namespace Octopus.Agent;

/// <summary>Builds the agent's report (heartbeat body and <c>GET /agent/v1/status</c>): the generation is read first, then
/// the VMs are observed without taking any VM's lock, so a long migration never delays a heartbeat.</summary>
public sealed class AgentReporter(QemuNodeDriver driver, AgentState state)
{
    public async Task<AgentStatus> StatusAsync(CancellationToken ct)
    {
        var generation = state.Generation;
        var seen = await driver.ObserveAsync(ct);
        var vms = new List<AgentVmStatus>();
        foreach (var v in seen.Vms)
        {
            var paused = v.Running && state.Suspended.ContainsKey(v.Vm);
            vms.Add(new AgentVmStatus(v.Vm.Value, !v.Running ? "stopped" : paused ? "paused" : "running", v.Running, v.CpuLoad,
                v.Figures?.MemoryBytes ?? 0, v.Figures is { } f
                    ? new AgentVmFigures(f.DiskReadBytesPerSecond, f.DiskWriteBytesPerSecond, f.NetReceiveBytesPerSecond, f.NetTransmitBytesPerSecond)
                    : null));
        }
        return new AgentStatus(state.NextSequence(), generation, seen.CpuLoad, vms);
    }
}
