namespace Octopus.Policies.Language;

/// <summary>Recursive-descent parser for the CEL-like condition grammar (see the project README):
/// <code>
/// expr    = or
/// or      = and { "||" and }
/// and     = rel { "&amp;&amp;" rel }
/// rel     = add [ ("==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "in") add ]
/// add     = mul { ("+" | "-") mul }
/// mul     = unary { ("*" | "/" | "%") unary }
/// unary   = ("!" | "-") unary | member
/// member  = primary { "." IDENT [ "(" args ")" ] }
/// primary = literal | IDENT [ "(" args ")" ] | "(" expr ")" | "[" [ expr { "," expr } ] "]"
/// </code>
/// Relations do not chain (<c>a &lt; b &lt; c</c> is an error), which avoids CEL's one surprising corner.
/// Depth and node count are bounded while parsing, so a hostile input cannot exhaust the stack.</summary>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private readonly LanguageLimits _limits;
    private int _index;
    private int _depth;
    private int _nodes;

    private Parser(List<Token> tokens, LanguageLimits limits)
    {
        _tokens = tokens;
        _limits = limits;
    }

    public static SyntaxNode Parse(string text, LanguageLimits limits)
    {
        if (text.Length > limits.MaxSourceLength)
            throw new PolicyLanguageException(new SourcePosition(1, 1),
                $"condition is too long: {text.Length} characters, at most {limits.MaxSourceLength}");
        var parser = new Parser(new Lexer(text, limits).Tokenize(), limits);
        if (parser.Peek.Kind == TokenKind.End)
            throw new PolicyLanguageException(parser.Peek.Position, "expected a condition such as vm.state == \"Running\", found nothing");
        var node = parser.Expression();
        if (parser.Peek.Kind != TokenKind.End)
            throw new PolicyLanguageException(parser.Peek.Position, $"expected an operator or the end of the condition, found {parser.Peek.Describe()}");
        return node;
    }

    private Token Peek => _tokens[_index];

    private Token Take() => _tokens[_index++];

    private Token Expect(TokenKind kind, string what)
    {
        if (Peek.Kind != kind) throw new PolicyLanguageException(Peek.Position, $"expected {what}, found {Peek.Describe()}");
        return Take();
    }

    private T Count<T>(T node) where T : SyntaxNode
    {
        if (++_nodes > _limits.MaxNodes)
            throw new PolicyLanguageException(node.Position, $"condition is too large: more than {_limits.MaxNodes} parts; split it into several policies");
        return node;
    }

    private void Enter(SourcePosition at)
    {
        if (++_depth > _limits.MaxDepth)
            throw new PolicyLanguageException(at, $"condition is nested too deeply (at most {_limits.MaxDepth} levels)");
    }

    private void Leave() => _depth--;

    private SyntaxNode Expression()
    {
        Enter(Peek.Position);
        try { return Or(); }
        finally { Leave(); }
    }

    private SyntaxNode Or()
    {
        var left = And();
        while (Peek.Kind == TokenKind.Or)
        {
            var op = Take();
            left = Count(new BinarySyntax(left.Position, TokenKind.Or, left, And(), op.Position));
        }
        return left;
    }

    private SyntaxNode And()
    {
        var left = Relation();
        while (Peek.Kind == TokenKind.And)
        {
            var op = Take();
            left = Count(new BinarySyntax(left.Position, TokenKind.And, left, Relation(), op.Position));
        }
        return left;
    }

    private static bool IsRelation(TokenKind k) => k is TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessEqual
        or TokenKind.Greater or TokenKind.GreaterEqual or TokenKind.In;

    private SyntaxNode Relation()
    {
        var left = Additive();
        if (!IsRelation(Peek.Kind)) return left;
        var op = Take();
        var right = Additive();
        if (IsRelation(Peek.Kind))
            throw new PolicyLanguageException(Peek.Position,
                $"comparisons do not chain: expected '&&' or '||' between two comparisons, found {Peek.Describe()}");
        return Count(new BinarySyntax(left.Position, op.Kind, left, right, op.Position));
    }

    private SyntaxNode Additive()
    {
        var left = Multiplicative();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Take();
            left = Count(new BinarySyntax(left.Position, op.Kind, left, Multiplicative(), op.Position));
        }
        return left;
    }

    private SyntaxNode Multiplicative()
    {
        var left = Unary();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Take();
            left = Count(new BinarySyntax(left.Position, op.Kind, left, Unary(), op.Position));
        }
        return left;
    }

    private SyntaxNode Unary()
    {
        if (Peek.Kind is not (TokenKind.Not or TokenKind.Minus)) return Member();
        var op = Take();
        Enter(op.Position);
        try { return Count(new UnarySyntax(op.Position, op.Kind, Unary())); }
        finally { Leave(); }
    }

    private SyntaxNode Member()
    {
        var node = Primary();
        while (Peek.Kind == TokenKind.Dot)
        {
            Take();
            var name = Expect(TokenKind.Identifier, "a name after '.'");
            node = Peek.Kind == TokenKind.LParen
                ? Count(new CallSyntax(node.Position, node, name.Text, Arguments(), name.Position))
                : Count(new SelectSyntax(node.Position, node, name.Text));
        }
        return node;
    }

    private List<SyntaxNode> Arguments()
    {
        var open = Expect(TokenKind.LParen, "'('");
        var args = new List<SyntaxNode>();
        if (Peek.Kind != TokenKind.RParen)
        {
            while (true)
            {
                args.Add(Expression());
                if (args.Count > 8) throw new PolicyLanguageException(Peek.Position, "too many arguments (at most 8)");
                if (Peek.Kind != TokenKind.Comma) break;
                Take();
            }
        }
        if (Peek.Kind != TokenKind.RParen)
            throw new PolicyLanguageException(Peek.Position, $"expected ',' or ')' to close '(' opened at {open.Position}, found {Peek.Describe()}");
        Take();
        return args;
    }

    private SyntaxNode Primary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Int or TokenKind.Double or TokenKind.String or TokenKind.Duration or TokenKind.True or TokenKind.False:
                Take();
                return Count(new LiteralSyntax(t.Position, t));
            case TokenKind.Identifier:
                Take();
                return Peek.Kind == TokenKind.LParen
                    ? Count(new CallSyntax(t.Position, null, t.Text, Arguments(), t.Position))
                    : Count(new IdentifierSyntax(t.Position, t.Text));
            case TokenKind.LParen:
            {
                Take();
                var inner = Expression();
                if (Peek.Kind != TokenKind.RParen)
                    throw new PolicyLanguageException(Peek.Position, $"expected ')' to close '(' opened at {t.Position}, found {Peek.Describe()}");
                Take();
                return inner;
            }
            case TokenKind.LBracket:
                return List();
            default:
                throw new PolicyLanguageException(t.Position,
                    $"expected a value (a fact such as vm.state, a number, a \"string\", a duration such as 2h, or a [list]), found {t.Describe()}");
        }
    }

    private ListSyntax List()
    {
        var open = Take();
        Enter(open.Position);
        try
        {
            var items = new List<SyntaxNode>();
            if (Peek.Kind != TokenKind.RBracket)
            {
                while (true)
                {
                    if (items.Count >= _limits.MaxListLength)
                        throw new PolicyLanguageException(open.Position, $"list is too long (at most {_limits.MaxListLength} elements)");
                    items.Add(Expression());
                    if (Peek.Kind != TokenKind.Comma) break;
                    Take();
                }
            }
            if (Peek.Kind != TokenKind.RBracket)
                throw new PolicyLanguageException(Peek.Position, $"expected ',' or ']' to close '[' opened at {open.Position}, found {Peek.Describe()}");
            Take();
            return Count(new ListSyntax(open.Position, items));
        }
        finally { Leave(); }
    }
}
