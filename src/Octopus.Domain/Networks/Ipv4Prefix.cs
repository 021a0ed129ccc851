using System.Globalization;

namespace Octopus.Domain.Networks;

/// <summary>An IPv4 address block of any prefix length 0–32 (a security-group source; <see cref="Any"/> is 0.0.0.0/0).
/// Unlike <see cref="Ipv4Subnet"/> (a network Octopus hands addresses from) any length is allowed, a bare address is a /32,
/// and host bits must still be clear so a typo is caught.</summary>
public readonly record struct Ipv4Prefix(Ipv4Address Address, int Length)
{
    public static readonly Ipv4Prefix Any = new(new Ipv4Address(0), 0);

    public static Ipv4Prefix Parse(string? text, string field = "cidr")
    {
        var parts = (text ?? "").Trim().Split('/');
        if (Ipv4Address.TryParse(parts[0], out var a))
        {
            if (parts.Length == 1) return new Ipv4Prefix(a, 32);
            if (parts.Length == 2 && parts[1].Length is 1 or 2
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 32)
            {
                var mask = n == 0 ? 0u : uint.MaxValue << (32 - n);
                if ((a.Value & ~mask) == 0) return new Ipv4Prefix(a, n);
                throw DomainException.Invalid(field,
                    $"'{text}' has host bits set; the block containing {a} is {new Ipv4Address(a.Value & mask)}/{n}.");
            }
        }
        throw DomainException.Invalid(field, $"'{text}' is not an IPv4 block; write ADDRESS/PREFIX with no host bits set, e.g. 10.0.0.0/8 or 0.0.0.0/0.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{Length}");
}
