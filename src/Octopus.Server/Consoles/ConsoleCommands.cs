using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Server.Consoles;

/// <summary>Issues console tickets (<c>POST /api/v1/vms/{id}/console/ticket?kind=serial|vnc</c>), audited like every
/// command. Only the VM's owner and admins get one: another user's VM is a 404, exactly like one that does not exist (as
/// everywhere in the API, so names of other people's VMs do not leak). The VM must be running on a node whose driver
/// offers that console; otherwise a 409 says why (the simulated driver has no screen). The ticket itself is checked again
/// when the WebSocket connects (<see cref="ConsoleBridge"/>).</summary>
public sealed class ConsoleCommands(CommandRunner runner, VmLookup lookup, ConsoleTickets tickets, INodeDriverResolver nodes)
{
    public Task<ConsoleTicketDto> IssueTicketAsync(Caller caller, string idOrName, string? kind, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.VmConsoleTicket, $"vm/{idOrName}", async ct =>
        {
            var which = kind?.Trim().ToLowerInvariant() ?? ConsoleTickets.Serial;
            if (which is not (ConsoleTickets.Serial or ConsoleTickets.Vnc))
                throw DomainException.Invalid("kind", $"'{kind}' is not a console this server offers; ask for kind=serial or kind=vnc.");
            var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
            if (which == ConsoleTickets.Vnc) EnsureGraphicalConsole(vm, nodes);
            else EnsureSerialConsole(vm, nodes);
            var (ticket, expires) = tickets.Issue(caller, vm.Id, which);
            var id = vm.Id.ToString();
            var url = which == ConsoleTickets.Vnc ? ApiRoutes.VmGraphicalConsole(id) : ApiRoutes.VmSerialConsole(id);
            return new ConsoleTicketDto(vm.Name.Value, id, which, ticket, expires, $"{url}?ticket={Uri.EscapeDataString(ticket)}");
        }, ct, r => $"{r.Kind} console ticket, valid until {r.ExpiresAt:HH:mm:ss}Z");

    /// <summary>The serial console of <paramref name="vm"/>'s node, or a 409 saying why there is none now.</summary>
    internal static ISerialConsoleDriver EnsureSerialConsole(Vm vm, INodeDriverResolver nodes)
    {
        var node = RunningNode(vm, nodes, "serial console");
        return node as ISerialConsoleDriver ?? throw DomainException.Conflict("console.unsupported",
            $"The {node.Name} driver of VM '{vm.Name}''s host offers no interactive serial console yet; read its output with GET /api/v1/vms/{{id}}/console.");
    }

    /// <summary>The screen of <paramref name="vm"/>'s node, or a 409 saying why there is none now.</summary>
    internal static IGraphicalConsoleDriver EnsureGraphicalConsole(Vm vm, INodeDriverResolver nodes)
    {
        var node = RunningNode(vm, nodes, "screen");
        return node as IGraphicalConsoleDriver ?? throw DomainException.Conflict("console.no-screen",
            $"VM '{vm.Name}' has no screen: its host runs the {node.Name} driver, whose VMs have no display. Use its serial console (kind=serial) instead.");
    }

    private static INodeDriver RunningNode(Vm vm, INodeDriverResolver nodes, string what)
    {
        if (vm.State != VmState.Running || vm.HostId is not { } host)
        {
            var how = vm.State == VmState.Suspended ? "resume it first" : "start it first";
            throw DomainException.Conflict("console.not-running",
                $"VM '{vm.Name}' is {vm.State}: its {what} can be opened only while it runs; {how}.");
        }
        try { return nodes.For(host); }
        catch (DriverException e)
        {
            throw DomainException.Conflict("console.unavailable", $"The {what} of VM '{vm.Name}' cannot be reached: {e.Message}");
        }
    }
}
