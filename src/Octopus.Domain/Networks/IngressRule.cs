using System.Globalization;

namespace Octopus.Domain.Networks;

/// <summary>The protocols a security-group rule can open; <see cref="Any"/> admits every protocol from its source.</summary>
public enum IngressProtocol { Tcp, Udp, Icmp, Any }

/// <summary>Destination ports <see cref="From"/>–<see cref="To"/> (1–65535, From ≤ To); one port when they are equal.
/// Text form: <c>22</c> or <c>8000-8100</c>.</summary>
public readonly record struct PortRange
{
    public PortRange(int from, int to)
    {
        if (from is < 1 or > 65535 || to is < 1 or > 65535)
            throw DomainException.Invalid("port", $"Port {(from is < 1 or > 65535 ? from : to)} is out of range; use 1-65535.");
        if (from > to) throw DomainException.Invalid("port", $"The port range {from}-{to} is backwards; write LOW-HIGH, e.g. {to}-{from}.");
        From = from;
        To = to;
    }

    public int From { get; }
    public int To { get; }

    public static PortRange Single(int port) => new(port, port);

    public static PortRange Parse(string? text, string field = "port")
    {
        var parts = (text ?? "").Trim().Split('-');
        if (parts.Length is 1 or 2 && parts.All(p => p.Length is > 0 and <= 6 && p.All(char.IsAsciiDigit)))
        {
            var from = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var to = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : from;
            try { return new PortRange(from, to); }
            catch (DomainException e) { throw DomainException.Invalid(field, e.Message); }
        }
        throw DomainException.Invalid(field, $"'{text}' is not a port or port range; write PORT or LOW-HIGH with ports 1-65535, e.g. 22 or 8000-8100.");
    }

    public override string ToString() => From == To
        ? From.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{From}-{To}");
}

/// <summary>One security-group rule: new traffic of <see cref="Protocol"/> to <see cref="Ports"/> (TCP and UDP only, where
/// it is required) from <see cref="Source"/> may reach the VM. Text form (what nodes store and the wire carries):
/// <c>PROTOCOL PORTS SOURCE</c>, with <c>-</c> for no ports, e.g. <c>tcp 22 10.0.0.0/8</c> or <c>icmp - 0.0.0.0/0</c>.</summary>
public sealed record IngressRule
{
    private IngressRule(IngressProtocol protocol, PortRange? ports, Ipv4Prefix source)
    {
        Protocol = protocol;
        Ports = ports;
        Source = source;
    }

    public IngressProtocol Protocol { get; }
    public PortRange? Ports { get; }
    public Ipv4Prefix Source { get; }

    /// <summary>A checked rule: TCP and UDP need ports, ICMP and any-protocol rules take none.</summary>
    public static IngressRule Create(IngressProtocol protocol, PortRange? ports, Ipv4Prefix source)
    {
        switch (protocol)
        {
            case IngressProtocol.Tcp or IngressProtocol.Udp when ports is null:
                throw DomainException.Invalid("port", $"A {Name(protocol)} rule needs a port or port range (PORT or LOW-HIGH, 1-65535).");
            case IngressProtocol.Icmp or IngressProtocol.Any when ports is not null:
                throw DomainException.Invalid("port", $"A {Name(protocol)} rule takes no port; leave the port out.");
            case IngressProtocol.Tcp or IngressProtocol.Udp or IngressProtocol.Icmp or IngressProtocol.Any:
                return new IngressRule(protocol, ports, source);
            default:
                throw DomainException.Invalid("protocol", $"Unknown protocol {protocol}.");
        }
    }

    public static IngressRule Tcp(int port, Ipv4Prefix? from = null) => Create(IngressProtocol.Tcp, PortRange.Single(port), from ?? Ipv4Prefix.Any);
    public static IngressRule Udp(int port, Ipv4Prefix? from = null) => Create(IngressProtocol.Udp, PortRange.Single(port), from ?? Ipv4Prefix.Any);
    public static IngressRule Icmp(Ipv4Prefix? from = null) => Create(IngressProtocol.Icmp, null, from ?? Ipv4Prefix.Any);

    /// <summary>"tcp", "udp", "icmp" or "any" (any case); anything else is refused naming <paramref name="field"/>.</summary>
    public static IngressProtocol ParseProtocol(string? text, string field = "protocol") => text?.Trim().ToLowerInvariant() switch
    {
        "tcp" => IngressProtocol.Tcp,
        "udp" => IngressProtocol.Udp,
        "icmp" => IngressProtocol.Icmp,
        "any" => IngressProtocol.Any,
        _ => throw DomainException.Invalid(field, $"'{text}' is not a protocol a rule can open; use tcp, udp, icmp or any."),
    };

    public static string Name(IngressProtocol protocol) => protocol.ToString().ToLowerInvariant();

    /// <summary>Parses the text form (see the type's summary).</summary>
    public static IngressRule Parse(string? text)
    {
        var parts = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3) throw DomainException.Invalid("rule", $"'{text}' is not a rule; write PROTOCOL PORTS SOURCE, e.g. 'tcp 22 10.0.0.0/8' or 'icmp - 0.0.0.0/0'.");
        return Create(ParseProtocol(parts[0]), parts[1] == "-" ? null : PortRange.Parse(parts[1]), Ipv4Prefix.Parse(parts[2], "source"));
    }

    public override string ToString() => $"{Name(Protocol)} {(Ports is { } p ? p.ToString() : "-")} {Source}";
}
