using System.Globalization;

namespace Octopus.Policies.Language;

/// <summary>A type-checked, compiled condition part. Evaluation is a virtual call per node on a tree built once per
/// policy: no reflection, no dynamic code, no allocation (each typed accessor returns its value directly).
/// Only the accessor matching <see cref="Type"/> may be called; the type checker guarantees it.</summary>
internal abstract class Expr(ConditionType type)
{
    public ConditionType Type { get; } = type;

    /// <summary>True for literals, which list literals and constant folding require.</summary>
    public virtual bool IsConstant => false;

    public virtual bool Bool(EvalContext c) => throw Mismatch(ConditionType.Bool);
    public virtual long Int(EvalContext c) => throw Mismatch(ConditionType.Int);

    /// <summary>Ints promote to doubles wherever a double is expected.</summary>
    public virtual double Double(EvalContext c) => Type == ConditionType.Int ? Int(c) : throw Mismatch(ConditionType.Double);
    public virtual string String(EvalContext c) => throw Mismatch(ConditionType.String);
    public virtual TimeSpan Duration(EvalContext c) => throw Mismatch(ConditionType.Duration);
    public virtual IReadOnlyList<string> StringList(EvalContext c) => throw Mismatch(ConditionType.StringList);
    public virtual IReadOnlyList<long> IntList(EvalContext c) => throw Mismatch(ConditionType.IntList);
    public virtual IReadOnlyList<double> DoubleList(EvalContext c) => throw Mismatch(ConditionType.DoubleList);
    public virtual IReadOnlyList<TimeSpan> DurationList(EvalContext c) => throw Mismatch(ConditionType.DurationList);

    private InvalidOperationException Mismatch(ConditionType wanted) =>
        new($"internal error: a {Type} node was read as {wanted}; the type checker should have refused this");

    /// <summary>Evaluates and renders the value for a reason ("vm.cpu.max(2h) = 3.2"). Allocates; used only for matches.</summary>
    public string Render(EvalContext c)
    {
        var before = c.Error;
        c.Error = null;
        string text;
        if (Type == ConditionType.Bool) text = Bool(c) ? "true" : "false";
        else if (Type == ConditionType.Int) text = Int(c).ToString(CultureInfo.InvariantCulture);
        else if (Type == ConditionType.Double) text = FormatDouble(Double(c));
        else if (Type == ConditionType.String) text = Quote(String(c));
        else if (Type == ConditionType.Duration) text = FormatDuration(Duration(c));
        else if (Type == ConditionType.StringList) text = "[" + string.Join(", ", StringList(c).Select(Quote)) + "]";
        else if (Type == ConditionType.IntList) text = "[" + string.Join(", ", IntList(c)) + "]";
        else if (Type == ConditionType.DoubleList) text = "[" + string.Join(", ", DoubleList(c).Select(FormatDouble)) + "]";
        else if (Type == ConditionType.DurationList) text = "[" + string.Join(", ", DurationList(c).Select(FormatDuration)) + "]";
        else text = "[]";
        if (c.Error is not null) text = "absent";
        c.Error = before;
        return text;
    }

    internal static string Quote(string s) => s.AsSpan().IndexOfAny('\\', '"') < 0
        ? string.Concat("\"", s, "\"")
        : "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    internal static string FormatDouble(double d) => d.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Renders a duration the way the language writes it ("2h30m", "-1d", "0s").</summary>
    public static string FormatDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        var sign = d < TimeSpan.Zero ? "-" : "";
        if (d < TimeSpan.Zero) d = d.Duration();
        var parts = new List<string>(4);
        if (d.Days > 0) parts.Add($"{d.Days}d");
        if (d.Hours > 0) parts.Add($"{d.Hours}h");
        if (d.Minutes > 0) parts.Add($"{d.Minutes}m");
        if (d.Seconds > 0) parts.Add($"{d.Seconds}s");
        if (parts.Count == 0) parts.Add($"{d.Milliseconds}ms");
        return sign + string.Concat(parts);
    }
}

// ---- literals -------------------------------------------------------------------------------------------------

internal sealed class BoolConst(bool value) : Expr(ConditionType.Bool)
{
    public bool Value => value;
    public override bool IsConstant => true;
    public override bool Bool(EvalContext c) => value;
}

internal sealed class IntConst(long value) : Expr(ConditionType.Int)
{
    public long Value => value;
    public override bool IsConstant => true;
    public override long Int(EvalContext c) => value;
}

internal sealed class DoubleConst(double value) : Expr(ConditionType.Double)
{
    public double Value => value;
    public override bool IsConstant => true;
    public override double Double(EvalContext c) => value;
}

internal sealed class StringConst(string value) : Expr(ConditionType.String)
{
    public string Value => value;
    public override bool IsConstant => true;
    public override string String(EvalContext c) => value;
}

internal sealed class DurationConst(TimeSpan value) : Expr(ConditionType.Duration)
{
    public TimeSpan Value => value;
    public override bool IsConstant => true;
    public override TimeSpan Duration(EvalContext c) => value;
}

/// <summary>A list literal; its elements are literals, so the array is built once at compile time.</summary>
internal sealed class ListConst : Expr
{
    private readonly string[] _strings = [];
    private readonly long[] _ints = [];
    private readonly double[] _doubles = [];
    private readonly TimeSpan[] _durations = [];

    public ListConst(ConditionType type, IReadOnlyList<Expr> items) : base(type)
    {
        var c = new EvalContext();
        if (type == ConditionType.StringList) _strings = items.Select(i => i.String(c)).ToArray();
        else if (type == ConditionType.IntList) _ints = items.Select(i => i.Int(c)).ToArray();
        else if (type == ConditionType.DoubleList) _doubles = items.Select(i => i.Double(c)).ToArray();
        else if (type == ConditionType.DurationList) _durations = items.Select(i => i.Duration(c)).ToArray();
    }

    public override bool IsConstant => true;
    public override IReadOnlyList<string> StringList(EvalContext c) => _strings;
    public override IReadOnlyList<long> IntList(EvalContext c) => _ints;
    public override IReadOnlyList<double> DoubleList(EvalContext c) => _doubles;
    public override IReadOnlyList<TimeSpan> DurationList(EvalContext c) => _durations;
}
