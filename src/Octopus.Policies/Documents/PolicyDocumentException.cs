using Octopus.Policies.Language;

namespace Octopus.Policies.Documents;

/// <summary>A policy file is not a valid policy. The message names the position and field and says what to write
/// instead, e.g. "line 4, column 1: unknown field 'triger' in the policy; did you mean 'trigger'?".</summary>
public sealed class PolicyDocumentException : Exception
{
    public PolicyDocumentException(SourcePosition position, string? field, string detail) : base($"{position}: {detail}")
    {
        Position = position;
        Field = field;
        Detail = detail;
    }

    public PolicyDocumentException() : base("invalid policy") => Detail = "invalid policy";
    public PolicyDocumentException(string message) : base(message) => Detail = message;
    public PolicyDocumentException(string message, Exception inner) : base(message, inner) => Detail = message;

    public SourcePosition Position { get; }

    /// <summary>Dotted path of the offending field ("actions[0].checkpoint.keepLast"), or null for the document as a whole.</summary>
    public string? Field { get; }

    /// <summary>The message without the position.</summary>
    public string Detail { get; }
}
