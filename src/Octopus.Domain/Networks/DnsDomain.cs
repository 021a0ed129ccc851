using System.Text.RegularExpressions;

namespace Octopus.Domain.Networks;

/// <summary>The DNS domain a network's VMs are named in (<c>NAME.DOMAIN</c>): dot-separated labels of lower-case
/// letters, digits and '-', at most 200 characters so every VM's full name stays within DNS limits.</summary>
public readonly partial record struct DnsDomain
{
    private DnsDomain(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex(@"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static DnsDomain Parse(string? text, string field = "domain")
    {
        var t = text?.Trim().TrimEnd('.').ToLowerInvariant();
        return t is { Length: > 0 and <= 200 } && Pattern().IsMatch(t)
            ? new DnsDomain(t)
            : throw DomainException.Invalid(field,
                $"'{text}' is not a valid DNS domain: use dot-separated labels of letters, digits and '-', e.g. lab.octopus.");
    }

    public override string ToString() => Value;
}
