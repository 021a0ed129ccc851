namespace Octopus.Policies.Language;

internal sealed class NotExpr(Expr operand) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return !operand.Bool(c);
    }
}

/// <summary>Short-circuit and, with CEL's error absorption: <c>false &amp;&amp; error</c> and <c>error &amp;&amp; false</c> are
/// false, so <c>has(vm.lease) &amp;&amp; vm.lease.expired</c> is safe and the order of the operands does not matter for a
/// decided result. Anything else with an absent fact leaves the error set (the condition then does not hold).</summary>
internal sealed class AndExpr(Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        if (c.Error is not null) return false;
        var l = left.Bool(c);
        if (c.Error is null) return l && right.Bool(c);
        var leftError = c.Error;
        c.Error = null;
        var r = right.Bool(c);
        if (c.Error is null && !r) return false;
        c.Error = leftError;
        return false;
    }
}

/// <summary>Short-circuit or, with CEL's error absorption: <c>true || error</c> and <c>error || true</c> are true.</summary>
internal sealed class OrExpr(Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        if (c.Error is not null) return false;
        var l = left.Bool(c);
        if (c.Error is null) return l || right.Bool(c);
        var leftError = c.Error;
        c.Error = null;
        var r = right.Bool(c);
        if (c.Error is null && r) return true;
        c.Error = leftError;
        return false;
    }
}

internal enum CompareOp { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual }

internal static class Compare
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Apply(CompareOp op, int cmp) => op switch
    {
        CompareOp.Equal => cmp == 0,
        CompareOp.NotEqual => cmp != 0,
        CompareOp.Less => cmp < 0,
        CompareOp.LessEqual => cmp <= 0,
        CompareOp.Greater => cmp > 0,
        CompareOp.GreaterEqual => cmp >= 0,
        _ => throw new System.Diagnostics.UnreachableException(),
    };
}

internal sealed class IntCompare(CompareOp op, Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return Compare.Apply(op, left.Int(c).CompareTo(right.Int(c)));
    }
}

/// <summary>Compares numbers as doubles (one side may be an int). NaN never arises: facts and literals are finite.</summary>
internal sealed class DoubleCompare(CompareOp op, Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return Compare.Apply(op, left.Double(c).CompareTo(right.Double(c)));
    }
}

internal sealed class StringCompare(CompareOp op, Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        var (l, r) = (left.String(c), right.String(c));
        // Equality is the common case (vm.state == "Running"): a length check and a vectorised compare, no ordering.
        return op switch
        {
            CompareOp.Equal => string.Equals(l, r),
            CompareOp.NotEqual => !string.Equals(l, r),
            _ => Compare.Apply(op, string.CompareOrdinal(l, r)),
        };
    }
}

internal sealed class DurationCompare(CompareOp op, Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return Compare.Apply(op, left.Duration(c).CompareTo(right.Duration(c)));
    }
}

internal sealed class BoolCompare(bool equal, Expr left, Expr right) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return (left.Bool(c) == right.Bool(c)) == equal;
    }
}

internal enum ArithOp { Add, Subtract, Multiply, Divide, Remainder }

/// <summary>Checked integer arithmetic: overflow and division by zero make the condition fail for that VM with a clear
/// error instead of wrapping around.</summary>
internal sealed class IntArith(ArithOp op, Expr left, Expr right) : Expr(ConditionType.Int)
{
    public override long Int(EvalContext c)
    {
        c.Tick();
        var a = left.Int(c);
        var b = right.Int(c);
        if (op is ArithOp.Divide or ArithOp.Remainder && b == 0)
        {
            c.Error ??= "division by zero";
            return 0;
        }
        try
        {
            return op switch
            {
                ArithOp.Add => checked(a + b),
                ArithOp.Subtract => checked(a - b),
                ArithOp.Multiply => checked(a * b),
                ArithOp.Divide => a == long.MinValue && b == -1 ? throw new OverflowException() : a / b,
                ArithOp.Remainder => b == -1 ? 0 : a % b,
                _ => throw new System.Diagnostics.UnreachableException(),
            };
        }
        catch (OverflowException)
        {
            c.Error ??= "integer overflow";
            return 0;
        }
    }
}

internal sealed class DoubleArith(ArithOp op, Expr left, Expr right) : Expr(ConditionType.Double)
{
    public override double Double(EvalContext c)
    {
        c.Tick();
        var a = left.Double(c);
        var b = right.Double(c);
        if (op == ArithOp.Divide && b == 0)
        {
            c.Error ??= "division by zero";
            return 0;
        }
        return op switch
        {
            ArithOp.Add => a + b,
            ArithOp.Subtract => a - b,
            ArithOp.Multiply => a * b,
            ArithOp.Divide => a / b,
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }
}

internal sealed class DurationArith(bool add, Expr left, Expr right) : Expr(ConditionType.Duration)
{
    public override TimeSpan Duration(EvalContext c)
    {
        c.Tick();
        var a = left.Duration(c);
        var b = right.Duration(c);
        try { return add ? a + b : a - b; }
        catch (OverflowException)
        {
            c.Error ??= "duration overflow";
            return TimeSpan.Zero;
        }
    }
}

/// <summary>String concatenation. The only operator that allocates; conditions rarely need it.</summary>
internal sealed class StringConcat(Expr left, Expr right) : Expr(ConditionType.String)
{
    public override string String(EvalContext c)
    {
        c.Tick();
        return string.Concat(left.String(c), right.String(c));
    }
}

internal sealed class NegateExpr(Expr operand) : Expr(operand.Type)
{
    public override long Int(EvalContext c)
    {
        c.Tick();
        var v = operand.Int(c);
        if (v == long.MinValue) { c.Error ??= "integer overflow"; return 0; }
        return -v;
    }

    public override double Double(EvalContext c)
    {
        c.Tick();
        return Type == ConditionType.Int ? Int(c) : -operand.Double(c);
    }

    public override TimeSpan Duration(EvalContext c)
    {
        c.Tick();
        return -operand.Duration(c);
    }
}

/// <summary><c>x in list</c>: a linear scan, one step per element looked at.</summary>
internal sealed class InExpr(Expr item, Expr list) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        var t = list.Type;
        if (t == ConditionType.StringList)
        {
            var x = item.String(c);
            var l = list.StringList(c);
            for (var i = 0; i < l.Count; i++)
            {
                c.Tick();
                if (string.Equals(l[i], x, StringComparison.Ordinal)) return true;
            }
            return false;
        }
        if (t == ConditionType.IntList && item.Type == ConditionType.Int)
        {
            var x = item.Int(c);
            var l = list.IntList(c);
            for (var i = 0; i < l.Count; i++)
            {
                c.Tick();
                if (l[i] == x) return true;
            }
            return false;
        }
        if (t == ConditionType.DurationList)
        {
            var x = item.Duration(c);
            var l = list.DurationList(c);
            for (var i = 0; i < l.Count; i++)
            {
                c.Tick();
                if (l[i] == x) return true;
            }
            return false;
        }
        if (t == ConditionType.IntList)
        {
            var x = item.Double(c);
            var l = list.IntList(c);
            for (var i = 0; i < l.Count; i++)
            {
                c.Tick();
                if (l[i] == x) return true;
            }
            return false;
        }
        var d = item.Double(c);
        var dl = list.DoubleList(c);
        for (var i = 0; i < dl.Count; i++)
        {
            c.Tick();
            if (dl[i] == d) return true;
        }
        return false;
    }
}

internal sealed class SizeExpr(Expr operand) : Expr(ConditionType.Int)
{
    public override long Int(EvalContext c)
    {
        c.Tick();
        var t = operand.Type;
        if (t == ConditionType.String) return operand.String(c).Length;
        if (t == ConditionType.StringList) return operand.StringList(c).Count;
        if (t == ConditionType.IntList) return operand.IntList(c).Count;
        if (t == ConditionType.DoubleList) return operand.DoubleList(c).Count;
        if (t == ConditionType.DurationList) return operand.DurationList(c).Count;
        return 0;
    }
}

internal enum StringMethod { StartsWith, EndsWith, Contains }

internal sealed class StringMethodExpr(StringMethod method, Expr target, Expr arg) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        var s = target.String(c);
        var a = arg.String(c);
        c.Tick(1 + s.Length / 64);
        return method switch
        {
            StringMethod.StartsWith => s.StartsWith(a, StringComparison.Ordinal),
            StringMethod.EndsWith => s.EndsWith(a, StringComparison.Ordinal),
            StringMethod.Contains => s.Contains(a, StringComparison.Ordinal),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }
}

/// <summary><c>has(fact)</c>: true when the fact is present (the VM has a host, a lease, a covered CPU window…).</summary>
internal sealed class HasExpr(Expr fact) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        var before = c.Error;
        c.Error = null;
        if (fact.Type == ConditionType.Bool) fact.Bool(c);
        else if (fact.Type == ConditionType.Int) fact.Int(c);
        else if (fact.Type == ConditionType.Double) fact.Double(c);
        else if (fact.Type == ConditionType.String) fact.String(c);
        else if (fact.Type == ConditionType.Duration) fact.Duration(c);
        else if (fact.Type == ConditionType.StringList) fact.StringList(c);
        var present = c.Error is null;
        c.Error = before;
        return present;
    }
}

/// <summary>A presence test that has no value of its own, e.g. <c>has(vm.lease)</c> or <c>has(host)</c>.</summary>
internal sealed class PresenceExpr(Func<EvalContext, bool> present) : Expr(ConditionType.Bool)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        return present(c);
    }
}

internal sealed class IntToDouble(Expr operand) : Expr(ConditionType.Double)
{
    public override double Double(EvalContext c) => operand.Int(c);
}

/// <summary><c>int(x)</c>: truncates a double towards zero; out of range is an error, not a wrap.</summary>
internal sealed class DoubleToInt(Expr operand) : Expr(ConditionType.Int)
{
    public override long Int(EvalContext c)
    {
        c.Tick();
        var d = Math.Truncate(operand.Double(c));
        if (d is >= 9.2e18 or <= -9.2e18) { c.Error ??= "integer overflow"; return 0; }
        return (long)d;
    }
}
