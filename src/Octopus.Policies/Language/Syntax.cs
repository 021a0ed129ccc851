namespace Octopus.Policies.Language;

/// <summary>The parsed form of a condition, before type checking. Immutable; positions point at the first token.</summary>
internal abstract record SyntaxNode(SourcePosition Position);

internal sealed record LiteralSyntax(SourcePosition Position, Token Token) : SyntaxNode(Position);

internal sealed record ListSyntax(SourcePosition Position, IReadOnlyList<SyntaxNode> Items) : SyntaxNode(Position);

internal sealed record IdentifierSyntax(SourcePosition Position, string Name) : SyntaxNode(Position);

/// <summary><c>target.name</c>: member access, which in this language only ever names a fact. Position is the start of
/// the whole chain (where "vm.cpu.avg" begins), which is where errors about the fact point.</summary>
internal sealed record SelectSyntax(SourcePosition Position, SyntaxNode Target, string Name) : SyntaxNode(Position);

/// <summary><c>name(args)</c> or <c>target.name(args)</c>.</summary>
internal sealed record CallSyntax(SourcePosition Position, SyntaxNode? Target, string Name, IReadOnlyList<SyntaxNode> Args, SourcePosition NamePosition)
    : SyntaxNode(Position);

internal sealed record UnarySyntax(SourcePosition Position, TokenKind Op, SyntaxNode Operand) : SyntaxNode(Position);

internal sealed record BinarySyntax(SourcePosition Position, TokenKind Op, SyntaxNode Left, SyntaxNode Right, SourcePosition OpPosition)
    : SyntaxNode(Position);
