namespace Octopus.Policies.Language;

/// <summary>Checks a parsed condition against the fact catalogue and the typing rules, and binds it to the compiled tree
/// in the same pass. Everything that can be wrong with a condition is found here, before any VM is looked at; evaluation
/// can then only meet absent facts, arithmetic errors and the step limit.</summary>
internal sealed class TypeChecker
{
    private static readonly string[] Roots = ["vm", "host", "now", "user"];
    private static readonly HashSet<string> PresencePaths = ["vm.lease", "vm.host", "host", "user"];

    private readonly List<(string Text, Expr Node)> _facts = [];

    private TypeChecker() { }

    public static (Expr Root, IReadOnlyList<(string Text, Expr Node)> Facts) Check(SyntaxNode root)
    {
        var checker = new TypeChecker();
        var bound = checker.Bind(root);
        if (bound.Type != ConditionType.Bool)
            throw new PolicyLanguageException(root.Position,
                $"expected the condition to be true or false (a bool), but it is a {bound.Type}; compare it with something, e.g. '> 5'");
        return (bound, checker._facts);
    }

    private Expr Bind(SyntaxNode node) => node switch
    {
        LiteralSyntax l => Literal(l.Token),
        ListSyntax l => List(l),
        IdentifierSyntax or SelectSyntax => Fact(node),
        CallSyntax c => Call(c),
        UnarySyntax u => Unary(u),
        BinarySyntax b => Binary(b),
        _ => throw new PolicyLanguageException(node.Position, "unsupported expression"),
    };

    private static Expr Literal(Token t) => t.Kind switch
    {
        TokenKind.Int => new IntConst(t.IntValue),
        TokenKind.Double => new DoubleConst(t.DoubleValue),
        TokenKind.String => new StringConst(t.StringValue!),
        TokenKind.Duration => new DurationConst(t.DurationValue),
        TokenKind.True => new BoolConst(true),
        TokenKind.False => new BoolConst(false),
        _ => throw new PolicyLanguageException(t.Position, $"expected a literal, found {t.Describe()}"),
    };

    private Expr List(ListSyntax l)
    {
        if (l.Items.Count == 0) return new ListConst(ConditionType.EmptyList, []);
        var items = l.Items.Select(Bind).ToList();
        for (var i = 0; i < items.Count; i++)
            if (!items[i].IsConstant || items[i].Type.IsList)
                throw new PolicyLanguageException(l.Items[i].Position,
                    $"expected a literal list element (a number, \"string\" or duration), found {Describe(l.Items[i])}");
        var first = items[0].Type;
        var element = items.All(i => i.Type == first) ? first
            : items.All(i => i.Type.IsNumeric) ? ConditionType.Double
            : throw new PolicyLanguageException(l.Items[items.FindIndex(i => i.Type != first)].Position,
                $"expected every list element to be a {first} like the first, found a {items.First(i => i.Type != first).Type}");
        var listType = ConditionType.ListOf(element)
            ?? throw new PolicyLanguageException(l.Position, $"lists of {element} are not supported; use strings, numbers or durations");
        return new ListConst(listType, items);
    }

    private static string? PathOf(SyntaxNode n) => n switch
    {
        IdentifierSyntax i => i.Name,
        SelectSyntax s => PathOf(s.Target) is { } p ? p + "." + s.Name : null,
        _ => null,
    };

    private static SourcePosition StartOf(SyntaxNode n) => n switch
    {
        SelectSyntax s => StartOf(s.Target),
        CallSyntax { Target: { } t } => StartOf(t),
        BinarySyntax b => StartOf(b.Left),
        _ => n.Position,
    };

    private Expr Fact(SyntaxNode node)
    {
        var path = PathOf(node);
        var at = StartOf(node);
        if (path is null)
            throw new PolicyLanguageException(node.Position, $"expected a fact such as vm.state; '.{((SelectSyntax)node).Name}' cannot follow a value");
        var def = ConditionFacts.Find(path);
        if (def is not null)
        {
            if (def.TakesWindow)
                throw new PolicyLanguageException(at, $"{path} needs a window: write {path}(2h) with a duration");
            return Record(path, def.Build(null));
        }
        if (ConditionFacts.Namespaces.Contains(path))
            throw new PolicyLanguageException(at, $"'{path}' is not a value by itself; use one of {string.Join(", ", ConditionFacts.Under(path))}" +
                (PresencePaths.Contains(path) ? $", or has({path})" : ""));
        throw UnknownFact(path, at);
    }

    private static PolicyLanguageException UnknownFact(string path, SourcePosition at)
    {
        var root = path.Split('.')[0];
        if (!Roots.Contains(root))
            return new PolicyLanguageException(at, $"unknown name '{path}': facts start with vm., host., now. or user. (strings need quotes: \"{path}\")");
        return new PolicyLanguageException(at, $"unknown fact '{path}'; {root} facts are: {string.Join(", ", ConditionFacts.Under(root))}");
    }

    private Expr Record(string text, Expr fact)
    {
        if (!_facts.Exists(f => f.Text == text)) _facts.Add((text, fact));
        return fact;
    }

    private Expr Call(CallSyntax c)
    {
        if (c.Target is null) return GlobalCall(c);
        var targetPath = PathOf(c.Target);
        if (targetPath is not null && ConditionFacts.Find(targetPath + "." + c.Name) is { } def)
        {
            var full = targetPath + "." + c.Name;
            if (!def.TakesWindow)
                throw new PolicyLanguageException(StartOf(c), $"{full} is a fact, not a function: remove the parentheses");
            if (c.Args.Count != 1)
                throw new PolicyLanguageException(c.NamePosition, $"{full} takes one window, e.g. {full}(2h); found {c.Args.Count} arguments");
            var window = Duration(c.Args[0]);
            return Record($"{full}({Describe(c.Args[0])})", def.Build(window));
        }
        if (targetPath is not null && !ConditionFacts.Namespaces.Contains(targetPath) && ConditionFacts.Find(targetPath) is null)
            throw UnknownFact(targetPath + "." + c.Name, StartOf(c));
        if (targetPath is not null && ConditionFacts.Namespaces.Contains(targetPath))
            throw UnknownFact(targetPath + "." + c.Name, StartOf(c));
        var target = Bind(c.Target);
        if (target.Type == ConditionType.String && c.Name is "startsWith" or "endsWith" or "contains")
        {
            if (c.Args.Count != 1) throw new PolicyLanguageException(c.Position, $"{c.Name} takes one string, e.g. {c.Name}(\"lab-\")");
            var arg = Bind(c.Args[0]);
            if (arg.Type != ConditionType.String)
                throw new PolicyLanguageException(c.Args[0].Position, $"expected a string such as \"lab-\", found {Describe(c.Args[0])} (a {arg.Type})");
            var method = c.Name switch { "startsWith" => StringMethod.StartsWith, "endsWith" => StringMethod.EndsWith, _ => StringMethod.Contains };
            return new StringMethodExpr(method, target, arg);
        }
        throw new PolicyLanguageException(c.NamePosition,
            $"unknown function '{c.Name}' on a {target.Type}; strings have startsWith, endsWith and contains");
    }

    private Expr Duration(SyntaxNode arg)
    {
        Expr bound;
        try { bound = Bind(arg); }
        catch (PolicyLanguageException) when (arg is IdentifierSyntax or SelectSyntax)
        {
            throw new PolicyLanguageException(arg.Position, $"expected a duration such as 2h, found '{Describe(arg)}'");
        }
        if (bound.Type != ConditionType.Duration)
            throw new PolicyLanguageException(arg.Position, $"expected a duration such as 2h, found '{Describe(arg)}'" +
                (bound.Type.IsNumeric ? " (add a unit: ms, s, m, h, d or w)" : ""));
        return bound;
    }

    private Expr GlobalCall(CallSyntax c)
    {
        switch (c.Name)
        {
            case "size":
            {
                One(c, "size(vm.tags)");
                var arg = Bind(c.Args[0]);
                if (arg.Type != ConditionType.String && !arg.Type.IsList)
                    throw new PolicyLanguageException(c.Args[0].Position, $"expected a string or a list, found {Describe(c.Args[0])} (a {arg.Type})");
                return new SizeExpr(arg);
            }
            case "has":
            {
                One(c, "has(vm.lease)");
                var path = PathOf(c.Args[0]);
                if (path is not null && PresencePaths.Contains(path))
                    return path switch
                    {
                        "vm.lease" => new PresenceExpr(static ctx => ctx.Vm.LeaseExpiresAt is not null),
                        "user" => new PresenceExpr(static ctx => ctx.User is not null),
                        _ => new PresenceExpr(static ctx => ctx.Host is not null),
                    };
                var fact = Bind(c.Args[0]);
                if (fact is not FactExpr)
                    throw new PolicyLanguageException(c.Args[0].Position, $"expected a fact such as vm.lease or vm.host, found {Describe(c.Args[0])}");
                return new HasExpr(fact);
            }
            case "int":
            {
                One(c, "int(vm.cpu.now)");
                var arg = Bind(c.Args[0]);
                if (arg.Type == ConditionType.Int) return arg;
                if (arg.Type != ConditionType.Double)
                    throw new PolicyLanguageException(c.Args[0].Position, $"expected a number, found {Describe(c.Args[0])} (a {arg.Type})");
                return new DoubleToInt(arg);
            }
            case "double":
            {
                One(c, "double(vm.cores)");
                var arg = Bind(c.Args[0]);
                if (arg.Type == ConditionType.Double) return arg;
                if (arg.Type != ConditionType.Int)
                    throw new PolicyLanguageException(c.Args[0].Position, $"expected a number, found {Describe(c.Args[0])} (a {arg.Type})");
                return new IntToDouble(arg);
            }
            default:
                throw new PolicyLanguageException(c.Position,
                    $"unknown function '{c.Name}'; the functions are size, has, int, double, the CPU windows (vm.cpu.avg(2h), …) " +
                    "and the string methods startsWith, endsWith, contains");
        }
    }

    private static void One(CallSyntax c, string example)
    {
        if (c.Args.Count != 1)
            throw new PolicyLanguageException(c.Position, $"{c.Name} takes exactly one argument, e.g. {example}; found {c.Args.Count}");
    }

    private Expr Unary(UnarySyntax u)
    {
        var operand = Bind(u.Operand);
        if (u.Op == TokenKind.Not)
        {
            if (operand.Type != ConditionType.Bool)
                throw new PolicyLanguageException(u.Position, $"expected a true/false (bool) value after '!', found a {operand.Type}");
            return new NotExpr(operand);
        }
        // Negative literals fold to constants, so they can appear in list literals.
        return operand switch
        {
            IntConst i => new IntConst(-i.Value),
            DoubleConst d => new DoubleConst(-d.Value),
            DurationConst d => new DurationConst(-d.Value),
            _ when operand.Type.IsNumeric || operand.Type == ConditionType.Duration => new NegateExpr(operand),
            _ => throw new PolicyLanguageException(u.Position, $"expected a number or a duration after '-', found a {operand.Type}"),
        };
    }

    private static string OpText(TokenKind k) => k switch
    {
        TokenKind.And => "&&",
        TokenKind.Or => "||",
        TokenKind.Equal => "==",
        TokenKind.NotEqual => "!=",
        TokenKind.Less => "<",
        TokenKind.LessEqual => "<=",
        TokenKind.Greater => ">",
        TokenKind.GreaterEqual => ">=",
        TokenKind.In => "in",
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        TokenKind.Percent => "%",
        _ => k.ToString(),
    };

    private Expr Binary(BinarySyntax b)
    {
        var left = Bind(b.Left);
        var right = Bind(b.Right);
        var op = OpText(b.Op);
        switch (b.Op)
        {
            case TokenKind.And or TokenKind.Or:
                if (left.Type != ConditionType.Bool)
                    throw new PolicyLanguageException(b.Left.Position, $"expected a true/false (bool) value on the left of '{op}', found a {left.Type}");
                if (right.Type != ConditionType.Bool)
                    throw new PolicyLanguageException(b.Right.Position, $"expected a true/false (bool) value on the right of '{op}', found a {right.Type}");
                return b.Op == TokenKind.And ? new AndExpr(left, right) : new OrExpr(left, right);

            case TokenKind.Equal or TokenKind.NotEqual or TokenKind.Less or TokenKind.LessEqual or TokenKind.Greater or TokenKind.GreaterEqual:
                return Comparison(b, left, right, op);

            case TokenKind.In:
                return In(b, left, right);

            default:
                return Arithmetic(b, left, right, op);
        }
    }

    private static Expr Comparison(BinarySyntax b, Expr left, Expr right, string op)
    {
        var cmp = b.Op switch
        {
            TokenKind.Equal => CompareOp.Equal,
            TokenKind.NotEqual => CompareOp.NotEqual,
            TokenKind.Less => CompareOp.Less,
            TokenKind.LessEqual => CompareOp.LessEqual,
            TokenKind.Greater => CompareOp.Greater,
            _ => CompareOp.GreaterEqual,
        };
        if (left.Type.IsNumeric && right.Type.IsNumeric)
            return left.Type == ConditionType.Int && right.Type == ConditionType.Int ? new IntCompare(cmp, left, right) : new DoubleCompare(cmp, left, right);
        if (left.Type == ConditionType.String && right.Type == ConditionType.String)
        {
            CheckEnumValue(left, right, b.Right);
            CheckEnumValue(right, left, b.Left);
            return new StringCompare(cmp, left, right);
        }
        if (left.Type == ConditionType.Duration && right.Type == ConditionType.Duration) return new DurationCompare(cmp, left, right);
        if (left.Type == ConditionType.Bool && right.Type == ConditionType.Bool && cmp is CompareOp.Equal or CompareOp.NotEqual)
            return new BoolCompare(cmp == CompareOp.Equal, left, right);
        var hint = (left.Type == ConditionType.Duration && right.Type.IsNumeric) || (right.Type == ConditionType.Duration && left.Type.IsNumeric)
            ? $": expected a duration such as 2h, found '{Describe(left.Type.IsNumeric ? b.Left : b.Right)}'"
            : left.Type == ConditionType.Bool && right.Type == ConditionType.Bool ? ": true/false values only compare with == and !=" : "";
        throw new PolicyLanguageException(b.OpPosition, $"cannot compare a {left.Type} with a {right.Type} using '{op}'{hint}");
    }

    /// <summary>Refuses a comparison of an enumeration fact with a value it never takes: a typo would otherwise never match.</summary>
    private static void CheckEnumValue(Expr fact, Expr other, SyntaxNode otherSyntax)
    {
        if (fact is not FactExpr f || ConditionFacts.Find(f.Path)?.Values is not { } values) return;
        IEnumerable<string> candidates = other switch
        {
            StringConst s => [s.Value],
            ListConst l when l.Type == ConditionType.StringList => l.StringList(new EvalContext()),
            _ => [],
        };
        foreach (var v in candidates)
            if (!values.Contains(v))
                throw new PolicyLanguageException(otherSyntax.Position,
                    $"{f.Path} is never \"{v}\": expected one of {string.Join(", ", values.Select(x => $"\"{x}\""))}");
    }

    private static Expr In(BinarySyntax b, Expr left, Expr right)
    {
        if (!right.Type.IsList)
            throw new PolicyLanguageException(b.Right.Position, $"expected a list after 'in' (e.g. [\"a\", \"b\"] or vm.tags), found a {right.Type}");
        if (right.Type == ConditionType.EmptyList) return new BoolConst(false); // nothing is in the empty list
        var element = right.Type.Element!;
        var fits = left.Type == element || (left.Type.IsNumeric && element.IsNumeric);
        if (!fits)
            throw new PolicyLanguageException(b.OpPosition, $"cannot look for a {left.Type} in a {right.Type}");
        if (element == ConditionType.String) CheckEnumValue(left, right, b.Right);
        return new InExpr(left, right);
    }

    private static Expr Arithmetic(BinarySyntax b, Expr left, Expr right, string op)
    {
        var arith = b.Op switch
        {
            TokenKind.Plus => ArithOp.Add,
            TokenKind.Minus => ArithOp.Subtract,
            TokenKind.Star => ArithOp.Multiply,
            TokenKind.Slash => ArithOp.Divide,
            _ => ArithOp.Remainder,
        };
        if (left.Type == ConditionType.Int && right.Type == ConditionType.Int) return new IntArith(arith, left, right);
        if (left.Type.IsNumeric && right.Type.IsNumeric)
        {
            if (arith == ArithOp.Remainder)
                throw new PolicyLanguageException(b.OpPosition, "'%' needs two ints; use int(x) to truncate a double");
            return new DoubleArith(arith, left, right);
        }
        if (left.Type == ConditionType.Duration && right.Type == ConditionType.Duration && arith is ArithOp.Add or ArithOp.Subtract)
            return new DurationArith(arith == ArithOp.Add, left, right);
        if (left.Type == ConditionType.String && right.Type == ConditionType.String && arith == ArithOp.Add)
            return new StringConcat(left, right);
        throw new PolicyLanguageException(b.OpPosition, $"cannot apply '{op}' to a {left.Type} and a {right.Type}" +
            (left.Type == ConditionType.Duration || right.Type == ConditionType.Duration ? "; durations only add to and subtract from durations" : ""));
    }

    private static string Describe(SyntaxNode n) => n switch
    {
        LiteralSyntax l => l.Token.Text,
        IdentifierSyntax or SelectSyntax => PathOf(n) ?? "a member access",
        CallSyntax c => (c.Target is not null && PathOf(c.Target) is { } p ? p + "." : "") + c.Name + "(…)",
        ListSyntax => "a list",
        _ => "an expression",
    };
}
