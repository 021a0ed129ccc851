using Octopus.Domain.Vms;

namespace Octopus.Drivers;

/// <summary>Graphical consoles: the VM's screen, keyboard and mouse as an RFB (VNC) byte stream. A capability of a node
/// driver apart from <see cref="INodeDriver"/>, like <see cref="ISerialConsoleDriver"/>: a node whose VMs have no screen
/// (the simulated driver) simply does not implement it. Not a step of an operation: it changes no state Octopus keeps,
/// so the server opens it for an authorised request (the console ticket) rather than through the operation runner.</summary>
public interface IGraphicalConsoleDriver
{
    /// <summary>Opens a session on the running VM's screen: a duplex byte stream that speaks RFB 3.8 from its first byte
    /// (the VM's side sends the <c>RFB 003.008</c> banner; no authentication is asked, the caller was authorised before).
    /// <paramref name="user"/> names who opens it, for the node's own log. Reading returns 0 when the session ends from the
    /// node's side (the VM stopped, was deleted or left the node). Disposing the stream ends the session, never the VM.
    /// Several sessions may be open at once. Refused with a <see cref="DriverException"/> when the VM is not on this node,
    /// not running, or was started without a screen.</summary>
    Task<Stream> OpenGraphicalAsync(VmId vm, string user, CancellationToken ct);
}
