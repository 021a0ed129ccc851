using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Octopus.Contracts.Agents;

/// <summary>How agent-protocol requests are authenticated. Each agent shares one random secret with the server (handed out
/// at registration, which the cluster join token authorises). A request carries
/// <c>X-Octopus-Agent</c> (the agent id), <c>X-Octopus-Timestamp</c> (Unix ms) and <c>X-Octopus-Signature</c>:
/// base64 HMAC-SHA256(secret, DIRECTION \n METHOD \n PATH?QUERY \n TIMESTAMP \n hex SHA-256(body)), DIRECTION being
/// "agent" (agent → server) or "server" (server → agent), so a captured request cannot be reflected the other way. A
/// timestamp more than <see cref="MaxSkew"/> away is refused (stale), and heartbeats also carry a strictly increasing
/// sequence number, so a replayed heartbeat is refused too.</summary>
public static class AgentSignature
{
    public const string AgentHeader = "X-Octopus-Agent";
    public const string TimestampHeader = "X-Octopus-Timestamp";
    public const string SignatureHeader = "X-Octopus-Signature";
    public const string TicketHeader = "X-Octopus-Ticket";
    public const string ConsoleTicketHeader = "X-Octopus-Console-Ticket";
    public const string FromAgent = "agent";
    public const string FromServer = "server";

    public static readonly TimeSpan MaxSkew = TimeSpan.FromSeconds(60);

    /// <summary>A new random secret (256 bits, base64url).</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sign(string secret, string direction, string method, string pathAndQuery, long timestampMs, ReadOnlySpan<byte> body)
    {
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var text = string.Join('\n', direction, method.ToUpperInvariant(), pathAndQuery, timestampMs.ToString(CultureInfo.InvariantCulture), bodyHash);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Null when the signature is right and fresh, else why not (for the 401/403 problem).</summary>
    public static string? Verify(string secret, string direction, string method, string pathAndQuery, string? timestamp, string? signature,
        ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return $"missing {TimestampHeader} or {SignatureHeader}";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)) return $"{TimestampHeader} is not Unix milliseconds";
        var expected = Sign(secret, direction, method, pathAndQuery, ts, body);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature))) return "signature does not match";
        var skew = now - DateTimeOffset.FromUnixTimeMilliseconds(ts);
        if (skew.Duration() > MaxSkew) return $"stale request (timestamp {skew.TotalSeconds:0} s away from now)";
        return null;
    }

    /// <summary>A migration ticket: lets whoever holds it call the destination agent's migration-target endpoints for
    /// <paramref name="vm"/> until <paramref name="expires"/>. Signed with the DESTINATION's secret by the server.</summary>
    public static string Ticket(string destinationSecret, Guid vm, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(destinationSecret), Encoding.UTF8.GetBytes($"ticket\n{vm:D}\n{exp}"));
        return $"{vm:D}.{exp}.{Convert.ToHexStringLower(mac)}";
    }

    /// <summary>A console ticket: lets whoever holds it open <paramref name="kind"/> (serial or vnc) console of
    /// <paramref name="vm"/> on the agent whose secret signed it, until <paramref name="expires"/> (seconds away: the server
    /// signs one for each connection it proxies, after checking the caller's own ticket). <paramref name="user"/> is the
    /// person the server opens it for, so the agent's log names them. Its MAC is over its own "console" domain, so a
    /// migration ticket can never pass for one, nor one kind of console for another.</summary>
    public static string ConsoleTicket(string agentSecret, Guid vm, string kind, string user, DateTimeOffset expires)
    {
        var exp = expires.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var who = Convert.ToBase64String(Encoding.UTF8.GetBytes(user)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(agentSecret), Encoding.UTF8.GetBytes($"console\n{vm:D}\n{kind}\n{who}\n{exp}"));
        return $"{vm:D}.{kind}.{who}.{exp}.{Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The user a console ticket names when it is valid for <paramref name="vm"/>'s <paramref name="kind"/> console
    /// now (Why null), else why not (User null).</summary>
    public static (string? User, string? Why) VerifyConsoleTicket(string secret, string? ticket, Guid vm, string kind, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(ticket)) return (null, $"missing {ConsoleTicketHeader}");
        var parts = ticket.Split('.');
        if (parts.Length != 5 || !Guid.TryParse(parts[0], out var tvm) || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
            return (null, "malformed console ticket");
        if (tvm != vm) return (null, "console ticket is for another VM");
        if (parts[1] != kind) return (null, $"console ticket opens a {parts[1]} console, not {kind}");
        string user;
        try { user = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[2].Replace('-', '+').Replace('_', '/')))); }
        catch (FormatException) { return (null, "malformed console ticket"); }
        var expected = ConsoleTicket(secret, vm, kind, user, DateTimeOffset.FromUnixTimeMilliseconds(exp));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(ticket))) return (null, "console ticket signature does not match");
        if (now > DateTimeOffset.FromUnixTimeMilliseconds(exp)) return (null, "console ticket expired");
        return (user, null);
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');

    /// <summary>Null when <paramref name="ticket"/> is valid for <paramref name="vm"/> now, else why not.</summary>
    public static string? VerifyTicket(string secret, string? ticket, Guid vm, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(ticket)) return $"missing {TicketHeader}";
        var parts = ticket.Split('.');
        if (parts.Length != 3 || !Guid.TryParse(parts[0], out var tvm) || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
            return "malformed ticket";
        if (tvm != vm) return "ticket is for another VM";
        var expected = Ticket(secret, vm, DateTimeOffset.FromUnixTimeMilliseconds(exp));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(ticket))) return "ticket signature does not match";
        if (now > DateTimeOffset.FromUnixTimeMilliseconds(exp)) return "ticket expired";
        return null;
    }
}
