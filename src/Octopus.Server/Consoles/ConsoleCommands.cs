using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;

namespace Octopus.Server.Consoles;

/// <summary>Issues console tickets (<c>POST /api/v1/vms/{id}/console/ticket</c>), audited like every command. Only the
/// VM's owner and admins get one: another user's VM is a 404, exactly like one that does not exist (as everywhere in the
/// API, so names of other people's VMs do not leak). The VM must be running on a node whose driver offers the console;
/// otherwise a 409 says why. The ticket itself is checked again when the WebSocket connects
/// (<see cref="SerialConsoleBridge"/>).</summary>
public sealed class ConsoleCommands(CommandRunner runner, VmLookup lookup, ConsoleTickets tickets, INodeDriverResolver nodes)
{
    public Task<ConsoleTicketDto> IssueTicketAsync(Caller caller, string idOrName, string? kind, CancellationToken ct) =>
        runner.RunAsync(caller, Permissions.VmConsoleTicket, $"vm/{idOrName}", async ct =>
        {
            if ((kind?.Trim().ToLowerInvariant() ?? ConsoleTickets.Serial) != ConsoleTickets.Serial)
                throw DomainException.Invalid("kind", $"'{kind}' is not a console this server offers; ask for kind=serial.");
            var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
            EnsureSerialConsole(vm, nodes);
            var (ticket, expires) = tickets.Issue(caller, vm.Id, ConsoleTickets.Serial);
            var id = vm.Id.ToString();
            return new ConsoleTicketDto(vm.Name.Value, id, ConsoleTickets.Serial, ticket, expires,
                $"{ApiRoutes.VmSerialConsole(id)}?ticket={Uri.EscapeDataString(ticket)}");
        }, ct, r => $"{r.Kind} console ticket, valid until {r.ExpiresAt:HH:mm:ss}Z");

    /// <summary>The serial console of <paramref name="vm"/>'s node, or a 409 saying why there is none now.</summary>
    internal static ISerialConsoleDriver EnsureSerialConsole(Vm vm, INodeDriverResolver nodes)
    {
        if (vm.State != VmState.Running || vm.HostId is not { } host)
        {
            var what = vm.State == VmState.Suspended ? "resume it first" : "start it first";
            throw DomainException.Conflict("console.not-running",
                $"VM '{vm.Name}' is {vm.State}: its serial console can be opened only while it runs; {what}.");
        }
        INodeDriver node;
        try { node = nodes.For(host); }
        catch (DriverException e)
        {
            throw DomainException.Conflict("console.unavailable", $"The serial console of VM '{vm.Name}' cannot be reached: {e.Message}");
        }
        return node as ISerialConsoleDriver ?? throw DomainException.Conflict("console.unsupported",
            $"The {node.Name} driver of VM '{vm.Name}''s host offers no interactive serial console yet; read its output with GET /api/v1/vms/{{id}}/console.");
    }
}
