namespace Octopus.Policies.Language;

/// <summary>Bounds that keep a condition cheap whatever its author writes. Each is checked with its own error that names
/// the limit. The defaults suit hand-written conditions; the evaluation-step limit bounds one condition over one VM.</summary>
public sealed record LanguageLimits
{
    public static LanguageLimits Default { get; } = new();

    /// <summary>Characters in a condition's text (default 4,096).</summary>
    public int MaxSourceLength { get; init; } = 4096;

    /// <summary>Nesting of parentheses, brackets, unary and binary operators (default 32).</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Syntax nodes in one condition (default 512).</summary>
    public int MaxNodes { get; init; } = 512;

    /// <summary>Characters in one string literal (default 256).</summary>
    public int MaxStringLiteralLength { get; init; } = 256;

    /// <summary>Elements in one list literal (default 64).</summary>
    public int MaxListLength { get; init; } = 64;

    /// <summary>Largest duration literal (default 3,650 days).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>Steps one evaluation of a condition over one VM may take: each operator, fact read, list element
    /// compared and CPU sample scanned is a step (default 10,000).</summary>
    public int MaxEvaluationSteps { get; init; } = 10_000;
}
