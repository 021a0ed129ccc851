namespace Octopus.Policies.Language;

internal enum TokenKind
{
    End,
    Identifier,
    Int,
    Double,
    String,
    Duration,
    True,
    False,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Not,
    And,
    Or,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
}

/// <summary>One lexeme with its position and, for literals, its value.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, SourcePosition Position, long IntValue = 0, double DoubleValue = 0,
    string? StringValue = null, TimeSpan DurationValue = default)
{
    /// <summary>How the token reads in an error message ("end of condition" for <see cref="TokenKind.End"/>).</summary>
    public string Describe() => Kind == TokenKind.End ? "end of condition" : $"'{Text}'";
}
