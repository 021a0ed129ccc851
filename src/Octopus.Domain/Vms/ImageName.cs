using System.Text.RegularExpressions;

namespace Octopus.Domain.Vms;

/// <summary>The name of a base image, e.g. <c>debian-12</c>.</summary>
public readonly partial record struct ImageName
{
    private ImageName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static ImageName Parse(string? text, string field = "image") =>
        text is not null && Pattern().IsMatch(text)
            ? new ImageName(text)
            : throw DomainException.Invalid(field, $"'{text}' is not a valid image name: use lower-case letters, digits, '.', '_' or '-'.");

    public override string ToString() => Value;
}
