namespace Octopus.Policies.Language;

/// <summary>The static type of a condition part. Lists are homogeneous; the empty list literal fits any list.</summary>
public sealed class ConditionType
{
    private ConditionType(string name, ConditionType? element = null)
    {
        Name = name;
        Element = element;
    }

    public static ConditionType Bool { get; } = new("bool");
    public static ConditionType Int { get; } = new("int");
    public static ConditionType Double { get; } = new("double");
    public static ConditionType String { get; } = new("string");
    public static ConditionType Duration { get; } = new("duration");
    public static ConditionType StringList { get; } = new("list(string)", String);
    public static ConditionType IntList { get; } = new("list(int)", Int);
    public static ConditionType DoubleList { get; } = new("list(double)", Double);
    public static ConditionType DurationList { get; } = new("list(duration)", Duration);
    public static ConditionType EmptyList { get; } = new("list");

    /// <summary>Shown in type errors, e.g. "list(string)".</summary>
    public string Name { get; }

    /// <summary>The element type of a list type; null otherwise (and for the empty list).</summary>
    public ConditionType? Element { get; }

    public bool IsList => Element is not null || this == EmptyList;
    public bool IsNumeric => this == Int || this == Double;

    internal static ConditionType? ListOf(ConditionType element) =>
        element == String ? StringList : element == Int ? IntList : element == Double ? DoubleList : element == Duration ? DurationList : null;

    public override string ToString() => Name;
}
