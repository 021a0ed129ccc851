namespace Octopus.Domain.Networks;

/// <summary>An inclusive range of IPv4 addresses (<c>10.77.0.10-10.77.0.250</c>): the addresses Octopus hands to NICs.</summary>
public readonly record struct Ipv4Range
{
    private Ipv4Range(Ipv4Address first, Ipv4Address last)
    {
        First = first;
        Last = last;
    }

    public Ipv4Address First { get; }
    public Ipv4Address Last { get; }
    public long Count => (long)Last.Value - First.Value + 1;

    public static Ipv4Range Parse(string? text, string field = "range")
    {
        var parts = text?.Split('-');
        if (parts is not { Length: 2 } || !Ipv4Address.TryParse(parts[0], out var first) || !Ipv4Address.TryParse(parts[1], out var last))
            throw DomainException.Invalid(field, $"'{text}' is not an address range; write FIRST-LAST, e.g. 10.77.0.10-10.77.0.250.");
        return Of(first, last, field);
    }

    public static Ipv4Range Of(Ipv4Address first, Ipv4Address last, string field = "range") =>
        first <= last
            ? new Ipv4Range(first, last)
            : throw DomainException.Invalid(field, $"The range {first}-{last} ends before it starts; write the lower address first.");

    public bool Contains(Ipv4Address a) => a >= First && a <= Last;

    public override string ToString() => $"{First}-{Last}";
}
