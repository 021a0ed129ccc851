using System.Text.RegularExpressions;

namespace Octopus.Domain.Networks;

/// <summary>The name of the Linux bridge a network's NICs plug into on every host: a kernel interface name (1–15
/// characters: letters, digits, '-', '_' and '.'; not "." or "..").</summary>
public readonly partial record struct BridgeName
{
    private BridgeName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static BridgeName Parse(string? text, string field = "bridge") =>
        text is not null && Pattern().IsMatch(text)
            ? new BridgeName(text)
            : throw DomainException.Invalid(field,
                $"'{text}' is not a valid bridge name: a Linux interface name of 1-15 letters, digits, '-', '_' or '.', e.g. br-lab.");

    public override string ToString() => Value;
}
