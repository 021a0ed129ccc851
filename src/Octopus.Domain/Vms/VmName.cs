using System.Text.RegularExpressions;

namespace Octopus.Domain.Vms;

/// <summary>A VM's name, unique per owner: 1–63 characters, lower-case letters, digits and '-', starting with a letter
/// (a DNS label, so it can also name the guest).</summary>
public readonly partial record struct VmName
{
    private VmName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static VmName Parse(string? text, string field = "name") =>
        text is not null && Pattern().IsMatch(text) && !text.EndsWith('-')
            ? new VmName(text)
            : throw DomainException.Invalid(field,
                $"'{text}' is not a valid VM name: use 1-63 lower-case letters, digits or '-', starting with a letter and not ending with '-'.",
                "vm-name", new Dictionary<string, object> { ["value"] = text ?? "" });

    public override string ToString() => Value;
}
