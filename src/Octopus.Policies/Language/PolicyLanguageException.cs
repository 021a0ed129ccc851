namespace Octopus.Policies.Language;

/// <summary>A position in policy text, both 1-based, so messages match what an editor shows.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"line {Line}, column {Column}";
}

/// <summary>A condition could not be parsed, type-checked or compiled. <see cref="Exception.Message"/> starts with the
/// position ("line 1, column 14: expected a duration such as 2h, found 'x'") so it can be shown as it is.</summary>
public sealed class PolicyLanguageException : Exception
{
    public PolicyLanguageException(SourcePosition position, string detail) : base($"{position}: {detail}")
    {
        Position = position;
        Detail = detail;
    }

    public PolicyLanguageException() : base("invalid condition") => Detail = "invalid condition";
    public PolicyLanguageException(string message) : base(message) => Detail = message;
    public PolicyLanguageException(string message, Exception inner) : base(message, inner) => Detail = message;

    /// <summary>Where the problem is.</summary>
    public SourcePosition Position { get; }

    /// <summary>The message without the position prefix.</summary>
    public string Detail { get; }
}
