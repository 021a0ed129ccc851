using System.Text.RegularExpressions;

namespace Octopus.Domain.Networks;

/// <summary>A network's name, unique in the cluster: 1–32 lower-case letters, digits and '-', starting with a letter
/// (what users type in <c>--network NAME</c>).</summary>
public readonly partial record struct NetworkName
{
    private NetworkName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static NetworkName Parse(string? text, string field = "name") =>
        text is not null && Pattern().IsMatch(text) && !text.EndsWith('-')
            ? new NetworkName(text)
            : throw DomainException.Invalid(field,
                $"'{text}' is not a valid network name: use 1-32 lower-case letters, digits or '-', starting with a letter and not ending with '-'.");

    public override string ToString() => Value;
}
