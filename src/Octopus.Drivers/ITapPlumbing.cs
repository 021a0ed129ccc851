namespace Octopus.Drivers;

/// <summary>One NIC as the host sees it: the tap the hypervisor opens, the bridge it is a port of, the guest's MAC.</summary>
/// <param name="Tap">The host interface name (1–15 characters), derived from the VM and the NIC's slot.</param>
/// <param name="Bridge">The host bridge the tap joins; it must exist (the network's driver makes it).</param>
/// <param name="Mac">The guest's MAC address, six hex pairs separated by ':'.</param>
public sealed record TapPort(string Tap, string Bridge, string Mac);

/// <summary>Makes a VM's taps exist before its hypervisor starts and removes them after it stopped. The hypervisor
/// driver calls it; the host's network driver implements it. Both methods are idempotent.</summary>
public interface ITapPlumbing
{
    /// <summary>Every port's tap exists, is up and is a port of its bridge. Refused (a <see cref="DriverException"/> naming
    /// the interface) when a bridge is missing or a tap is already held open by another process.</summary>
    Task PlugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct);

    /// <summary>Every port's tap is gone; taps already gone are fine.</summary>
    Task UnplugAsync(IReadOnlyList<TapPort> ports, CancellationToken ct);
}
