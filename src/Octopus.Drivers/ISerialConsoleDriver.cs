using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>Interactive serial consoles: a capability of a node driver apart from <see cref="INodeDriver"/> (a node whose
/// VMs have no interactive serial port simply does not implement it). Unlike the other driver calls this is not a step
/// of an operation: it changes no state Octopus keeps, it only connects a person to a guest's first serial port, so the
/// server opens it for an authorised request (the console ticket) rather than through the operation runner.</summary>
public interface ISerialConsoleDriver
{
    /// <summary>Opens a session on the running VM's first serial port: a duplex byte stream where what is written reaches
    /// the guest as if typed (a line ends with <c>\r</c>, as a terminal sends it) and what is read is what the guest
    /// prints from now on (earlier output is <see cref="INodeDriver.ReadConsoleAsync"/>'s). Reading returns 0 when the
    /// session ends from the node's side (the VM stopped, was deleted or left the node). Disposing the stream ends the
    /// session, never the VM. Several sessions may be open at once. Refused with a <see cref="DriverException"/> when the
    /// VM is not on this node or not running. <paramref name="user"/> names who opens it, for the node's own log (an
    /// agent's console ticket carries it).</summary>
    Task<Stream> OpenSerialAsync(VmId vm, string user, CancellationToken ct);
}
