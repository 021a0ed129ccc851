using System.Text.RegularExpressions;

namespace Octopus.Domain.Users;

/// <summary>A login name: 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter.</summary>
public readonly partial record struct UserName
{
    private UserName(string value) => Value = value;
    public string Value { get; }

    [GeneratedRegex("^[a-z][a-z0-9._-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static UserName Parse(string? text, string field = "username") =>
        text is not null && Pattern().IsMatch(text)
            ? new UserName(text)
            : throw DomainException.Invalid(field, $"'{text}' is not a valid user name: use 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter.");

    public override string ToString() => Value;
}
