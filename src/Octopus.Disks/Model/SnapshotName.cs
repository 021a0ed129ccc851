using System.Text.RegularExpressions;
using Octopus.Domain;

namespace Octopus.Disks.Model;

/// <summary>The user-visible name of a snapshot or checkpoint, unique among one VM's live snapshots.</summary>
public readonly partial record struct SnapshotName
{
    private SnapshotName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static SnapshotName Parse(string? text, string field = "snapshot") =>
        text is not null && Pattern().IsMatch(text)
            ? new SnapshotName(text)
            : throw DomainException.Invalid(field, $"'{text}' is not a valid snapshot name: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit.",
                "snapshot-name", new Dictionary<string, object> { ["value"] = text ?? "" });

    public override string ToString() => Value;
}
