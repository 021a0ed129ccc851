using Octopus.Domain.Networks;

namespace Octopus.Drivers.Network.Bridges;

/// <summary>The taps of a QEMU VM, by <see cref="LinuxBridgeDriver"/>: created persistent (QEMU opens them by name with
/// <c>script=no</c>, so it needs no privileges of its own), joined to the network's bridge before QEMU starts, deleted
/// after it exited. The bridge is not created here: it belongs to the network and is made from the network's spec.</summary>
public sealed class LinuxTapPlumbing(LinuxBridgeDriver bridges) : ITapPlumbing
{
    public async Task PlugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct)
    {
        foreach (var p in ports)
        {
            if (!await bridges.ExistsAsync(p.Bridge, ct))
                throw new DriverException($"bridge {p.Bridge} does not exist on this host; the NIC {p.Mac} cannot join it (create the network's bridge first).");
            if (await bridges.IsOpenAsync(p.Tap, ct))
                throw new DriverException($"tap {p.Tap} is held open by another process (a QEMU still running?); stop that process, then retry.");
            await bridges.EnsureTapAsync(p.Tap, BridgeName.Parse(p.Bridge), ct);
        }
    }

    /// <summary>Serves nothing (no DHCP, DNS or filters), so there is nothing to refresh.</summary>
    public Task RefreshAsync(CancellationToken ct) => Task.CompletedTask;

    /// <remarks>Called once the VM's own QEMU has exited, so a tap still held open belongs to some other process (a
    /// second definition of the same VM elsewhere on this host): it is left alone rather than pulled from under it. The
    /// kernel drops a dead process's carrier a moment after the process is gone, hence the short wait.</remarks>
    public async Task UnplugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct)
    {
        foreach (var p in ports)
        {
            var open = await bridges.IsOpenAsync(p.Tap, ct);
            for (var i = 0; open && i < 20; i++)
            {
                await Task.Delay(100, ct);
                open = await bridges.IsOpenAsync(p.Tap, ct);
            }
            if (!open) await bridges.RemoveTapAsync(p.Tap, ct);
        }
    }
}
