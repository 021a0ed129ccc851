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
