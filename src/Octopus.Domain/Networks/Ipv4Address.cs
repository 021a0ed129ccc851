using System.Globalization;

namespace Octopus.Domain.Networks;

/// <summary>An IPv4 address as its 32-bit number, so ranges and subnets are arithmetic. Text form: dotted quad.</summary>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>
{
    public static bool TryParse(string? text, out Ipv4Address address)
    {
        address = default;
        var parts = text?.Trim().Split('.');
        if (parts is not { Length: 4 }) return false;
        uint value = 0;
        foreach (var p in parts)
        {
            // Leading zeros are refused: "010" means octal to some tools and decimal to others.
            if (p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit)) return false;
            var octet = uint.Parse(p, CultureInfo.InvariantCulture);
            if (octet > 255) return false;
            value = (value << 8) | octet;
        }
        address = new Ipv4Address(value);
        return true;
    }

    /// <summary>Parses a dotted quad or throws a validation error naming <paramref name="field"/>.</summary>
    public static Ipv4Address Parse(string? text, string field) =>
        TryParse(text, out var a) ? a : throw DomainException.Invalid(field, $"'{text}' is not an IPv4 address; write it as four numbers 0-255, e.g. 10.77.0.1.");

    public Ipv4Address Next() => new(Value + 1);

    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);
    public static bool operator <(Ipv4Address a, Ipv4Address b) => a.Value < b.Value;
    public static bool operator >(Ipv4Address a, Ipv4Address b) => a.Value > b.Value;
    public static bool operator <=(Ipv4Address a, Ipv4Address b) => a.Value <= b.Value;
    public static bool operator >=(Ipv4Address a, Ipv4Address b) => a.Value >= b.Value;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Value >> 24}.{(Value >> 16) & 255}.{(Value >> 8) & 255}.{Value & 255}");
}
