using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

namespace Octopus.Server.Consoles;

/// <summary>What an opened ticket grants: one console (<see cref="Kind"/>) of one VM, to one caller, until
/// <see cref="ExpiresAt"/>.</summary>
public sealed record ConsoleTicket(VmId Vm, Caller Caller, string Kind, DateTimeOffset ExpiresAt);

/// <summary>A console connection that is refused: <see cref="CloseStatus"/> is the WebSocket close code the browser sees
/// (4400 invalid, 4401 expired, 4403 not this VM/caller/origin, 4404 VM gone, 4409 VM not running or no console),
/// <see cref="Exception.Message"/> the reason sent with it.</summary>
public sealed class ConsoleRefusedException(int closeStatus, string code, string message) : Exception(message)
{
    public int CloseStatus { get; } = closeStatus;
    public string Code { get; } = code;
}

/// <summary>Seals and opens console tickets with ASP.NET Core Data Protection (the key ring that already seals BMC
/// passwords, under a purpose of its own), so a ticket needs no row in the store and cannot be forged or altered without
/// the server's keys. The expiry is checked against the injected clock, not Data Protection's own time-limited protector
/// (which reads the system clock). A ticket is not single-use: within its short life the caller it names may open the
/// console again (a page reload), which grants nothing the caller could not ask for anyway.</summary>
public sealed class ConsoleTickets(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>How long a ticket opens a console: long enough to connect a WebSocket, too short to be worth stealing.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public const string Serial = "serial";

    /// <summary>The VM's screen, spoken as RFB (VNC) on the WebSocket; noVNC draws it in the page.</summary>
    public const string Vnc = "vnc";

    private readonly IDataProtector _protector = provider.CreateProtector("Octopus.Console.Ticket.v1");

    public (string Ticket, DateTimeOffset ExpiresAt) Issue(Caller caller, VmId vm, string kind)
    {
        var expires = time.GetUtcNow() + Lifetime;
        var payload = new Payload(vm.Value, caller.Id.Value, caller.Name, caller.IsAdmin, kind, expires.ToUnixTimeMilliseconds());
        return (_protector.Protect(JsonSerializer.Serialize(payload)), expires);
    }

    /// <summary>The ticket's grant, or a <see cref="ConsoleRefusedException"/> when it is missing, forged, altered, sealed
    /// by another key ring, for another kind of console, or expired.</summary>
    public ConsoleTicket Open(string? ticket, string kind)
    {
        if (string.IsNullOrWhiteSpace(ticket))
            throw new ConsoleRefusedException(4400, "console.ticket-missing", "No console ticket: ask for one with POST .../console/ticket and connect within 30 s.");
        Payload? p;
        try { p = JsonSerializer.Deserialize<Payload>(_protector.Unprotect(ticket)); }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            p = null;
        }
        if (p is null || p.Kind is null || p.Name is null)
            throw new ConsoleRefusedException(4400, "console.ticket-invalid", "The console ticket is not valid (altered, or from another server); open the console again.");
        if (!string.Equals(p.Kind, kind, StringComparison.Ordinal))
            throw new ConsoleRefusedException(4403, "console.ticket-mismatch", $"This ticket opens a {p.Kind} console, not a {kind} one.");
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(p.ExpiresAtMs);
        if (time.GetUtcNow() > expires)
            throw new ConsoleRefusedException(4401, "console.ticket-expired", "The console ticket has expired (they last 30 s); open the console again.");
        return new ConsoleTicket(new VmId(p.Vm), new Caller(new UserId(p.User), p.Name, p.Admin), p.Kind, expires);
    }

    private sealed record Payload(Guid Vm, Guid User, string Name, bool Admin, string Kind, long ExpiresAtMs);
}
