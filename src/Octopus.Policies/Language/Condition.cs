namespace Octopus.Policies.Language;

/// <summary>A condition parsed, type-checked and compiled once; evaluate it as often as needed. Thread-safe: all evaluation
/// state lives in the <see cref="EvalContext"/> passed in.</summary>
public sealed class Condition
{
    private readonly Expr _root;
    private readonly IReadOnlyList<(string Text, Expr Node)> _facts;

    private Condition(string text, Expr root, IReadOnlyList<(string Text, Expr Node)> facts, LanguageLimits limits)
    {
        Text = text;
        _root = root;
        _facts = facts;
        Limits = limits;
        _maxSteps = limits.MaxEvaluationSteps;
    }

    private readonly int _maxSteps;

    /// <summary>The source text.</summary>
    public string Text { get; }

    public LanguageLimits Limits { get; }

    /// <summary>The facts the condition reads, as written ("vm.cpu.max(2h)"), in order of first use.</summary>
    public IReadOnlyList<string> FactsUsed => _facts.Select(f => f.Text).ToList();

    /// <summary>Parses, checks and compiles <paramref name="text"/>. Throws <see cref="PolicyLanguageException"/> with the
    /// line, column and what was expected when it is not a valid condition.</summary>
    public static Condition Compile(string text, LanguageLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= LanguageLimits.Default;
        var syntax = Parser.Parse(text, limits);
        var (root, facts) = TypeChecker.Check(syntax);
        return new Condition(text, root, facts, limits);
    }

    /// <summary>Whether the condition holds for the VM in <paramref name="c"/>. An absent fact makes it not hold (the
    /// reason is left in <see cref="EvalContext.Error"/>); exceeding the step limit throws
    /// <see cref="StepLimitExceededException"/>.</summary>
    internal bool Evaluate(EvalContext c)
    {
        c.Reset();
        c.MaxSteps = _maxSteps;
        var result = _root.Bool(c);
        return result && c.Error is null;
    }

    /// <summary>The value of each fact the condition reads, for a reason ("vm.cpu.max(2h) = 3.2").</summary>
    internal IReadOnlyList<FactValue> Explain(EvalContext c)
    {
        var values = new List<FactValue>(_facts.Count);
        c.MaxSteps = int.MaxValue; // explaining a match must not trip the limit the match itself respected
        foreach (var (text, node) in _facts) values.Add(new FactValue(text, node.Render(c)));
        c.MaxSteps = Limits.MaxEvaluationSteps;
        return values;
    }
}

/// <summary>A fact and its value at evaluation time, rendered as the language writes values ("2h", "\"Running\"").</summary>
public sealed record FactValue(string Fact, string Value)
{
    public override string ToString() => $"{Fact} = {Value}";
}
