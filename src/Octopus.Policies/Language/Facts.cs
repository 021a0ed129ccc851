using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Policies.Language;

internal delegate bool FactReader<T>(EvalContext c, out T value);

/// <summary>Reads one fact of the VM under evaluation (or its host, owner, or the clock). An absent optional fact sets
/// <see cref="EvalContext.Error"/> with a message that says how to guard it, and the condition does not hold.</summary>
internal abstract class FactExpr(ConditionType type, string path, string absent) : Expr(type)
{
    public string Path { get; } = path;
    protected string Absent { get; } = absent;

    protected void MarkAbsent(EvalContext c) => c.Error ??= Absent;
}

internal sealed class StringFact(string path, FactReader<string> read, string absent) : FactExpr(ConditionType.String, path, absent)
{
    public override string String(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return "";
    }
}

internal sealed class BoolFact(string path, FactReader<bool> read, string absent) : FactExpr(ConditionType.Bool, path, absent)
{
    public override bool Bool(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return false;
    }
}

internal sealed class IntFact(string path, FactReader<long> read, string absent) : FactExpr(ConditionType.Int, path, absent)
{
    public override long Int(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return 0;
    }
}

internal sealed class DoubleFact(string path, FactReader<double> read, string absent) : FactExpr(ConditionType.Double, path, absent)
{
    public override double Double(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return 0;
    }
}

internal sealed class DurationFact(string path, FactReader<TimeSpan> read, string absent) : FactExpr(ConditionType.Duration, path, absent)
{
    public override TimeSpan Duration(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return TimeSpan.Zero;
    }
}

internal sealed class StringListFact(string path, FactReader<IReadOnlyList<string>> read, string absent)
    : FactExpr(ConditionType.StringList, path, absent)
{
    public override IReadOnlyList<string> StringList(EvalContext c)
    {
        c.Tick();
        if (read(c, out var v)) return v;
        MarkAbsent(c);
        return [];
    }
}

internal enum CpuAggregate { Avg, Max, Min }

/// <summary><c>vm.cpu.avg(2h)</c> and friends: an aggregate over a window of the VM's (or its host's) CPU history.
/// Absent when the history does not cover the whole window, so no policy acts on too little data.</summary>
internal sealed class CpuWindowExpr(string path, bool ofHost, CpuAggregate aggregate, Expr window)
    : FactExpr(ConditionType.Double, path, $"{path} is absent: the CPU history does not cover the whole window (or the VM has no host)")
{
    public override double Double(EvalContext c)
    {
        c.Tick();
        var w = window.Duration(c);
        if (w <= TimeSpan.Zero)
        {
            c.Error ??= $"{Path}: the window must be longer than zero";
            return 0;
        }
        var history = ofHost ? c.Host?.Cpu : c.Vm.Cpu;
        if (history is null) { MarkAbsent(c); return 0; }
        if (!c.TryRecall(history, w.Ticks, (int)aggregate, out var v, out var cost))
        {
            v = history.Aggregate(c.Now, w, (int)aggregate, out cost);
            c.Remember(history, w.Ticks, (int)aggregate, v, cost);
        }
        c.Tick(cost);
        if (v is { } value) return value;
        MarkAbsent(c);
        return 0;
    }
}

/// <summary>One entry of the fact catalogue: its path, type, meaning and, for enumerations, the values it can take
/// (so <c>vm.state == "running"</c> is refused before it silently never matches).</summary>
public sealed record FactDefinition(string Path, ConditionType Type, string Description, bool Optional = false,
    IReadOnlyList<string>? Values = null, bool TakesWindow = false)
{
    internal Func<Expr?, Expr> Build { get; init; } = _ => throw new InvalidOperationException(Path);
}

/// <summary>Every fact and fact function a condition can use. The catalogue is the whole vocabulary: there is no other way
/// to reach data, which is what makes the language safe to hand to end users.</summary>
public static class ConditionFacts
{
    private static readonly string[] VmStates = Enum.GetNames<VmState>();
    private static readonly string[] HostStates = Enum.GetNames<HostPowerState>();
    private static readonly string[] Roles = ["user", "admin"];
    private static readonly string[] Weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private const string NoHost = "is absent: the VM is not on a host; guard it with has(vm.host)";
    private const string NoLease = "is absent: the VM has no lease; guard it with has(vm.lease)";

    /// <summary>All facts, in the order the README lists them.</summary>
    public static IReadOnlyList<FactDefinition> All { get; } =
    [
        Str("vm.id", "the VM's id", (EvalContext c, out string v) => { v = c.Vm.IdText; return true; }),
        Str("vm.name", "the VM's name", (EvalContext c, out string v) => { v = c.Vm.Name; return true; }),
        Str("vm.state", "observed state: " + string.Join(", ", VmStates), (EvalContext c, out string v) => { v = VmStates[(int)c.Vm.State]; return true; }, values: VmStates),
        Str("vm.owner", "the owner's user name", (EvalContext c, out string v) => { v = c.Vm.Owner.Value; return true; }),
        new("vm.tags", ConditionType.StringList, "the VM's tags") { Build = _ => new StringListFact("vm.tags", (EvalContext c, out IReadOnlyList<string> v) => { v = c.Vm.Tags; return true; }, "") },
        Str("vm.image", "the image it was made from", (EvalContext c, out string v) => { v = c.Vm.Image; return true; }),
        Str("vm.host", "the name of the host it is on (absent while pending)", (EvalContext c, out string v) => { v = c.Host?.Name ?? ""; return c.Host is not null; }, absent: "vm.host " + NoHost),
        Dur("vm.age", "time since it was created", (EvalContext c, out TimeSpan v) => { v = c.Now - c.Vm.CreatedAt; return true; }),
        Dur("vm.stateFor", "time since its state last changed", (EvalContext c, out TimeSpan v) => { v = c.Now - c.Vm.StateChangedAt; return true; }),
        Dur("vm.idleFor", "time since its CPU was last at or above the idle threshold (5 % unless configured)", (EvalContext c, out TimeSpan v) => { v = c.Vm.Cpu.IdleFor(c.Now, c.IdleThresholdPercent); return true; }),
        Int("vm.cores", "vCPUs", (EvalContext c, out long v) => { v = c.Vm.Cores; return true; }),
        Dbl("vm.memoryGiB", "memory in GiB", (EvalContext c, out double v) => { v = c.Vm.MemoryBytes / (1024.0 * 1024 * 1024); return true; }),
        Dbl("vm.cpu.now", "latest CPU sample, percent (absent with no samples)", (EvalContext c, out double v) => { v = c.Vm.Cpu.Latest ?? 0; return c.Vm.Cpu.Latest is not null; }, absent: "vm.cpu.now is absent: the VM has no CPU samples"),
        Window("vm.cpu.avg", false, CpuAggregate.Avg, "mean CPU percent over the window; absent unless the history covers it"),
        Window("vm.cpu.max", false, CpuAggregate.Max, "highest CPU percent in the window"),
        Window("vm.cpu.min", false, CpuAggregate.Min, "lowest CPU percent in the window"),
        Dur("vm.lease.expiresIn", "time until the lease ends (negative once expired)", (EvalContext c, out TimeSpan v) => { v = (c.Vm.LeaseExpiresAt ?? c.Now) - c.Now; return c.Vm.LeaseExpiresAt is not null; }, absent: "vm.lease.expiresIn " + NoLease),
        Bool("vm.lease.expired", "true once the lease has ended", (EvalContext c, out bool v) => { v = c.Vm.LeaseExpiresAt <= c.Now; return c.Vm.LeaseExpiresAt is not null; }, absent: "vm.lease.expired " + NoLease),
        Str("host.name", "the VM's host's name", (EvalContext c, out string v) => { v = c.Host?.Name ?? ""; return c.Host is not null; }, absent: "host.name " + NoHost),
        Str("host.state", "power state: " + string.Join(", ", HostStates), (EvalContext c, out string v) => { v = c.Host is null ? "" : HostStates[(int)c.Host.State]; return c.Host is not null; }, values: HostStates, absent: "host.state " + NoHost),
        Bool("host.maintenance", "true while the host is in maintenance", (EvalContext c, out bool v) => { v = c.Host?.Maintenance ?? false; return c.Host is not null; }, absent: "host.maintenance " + NoHost),
        Dbl("host.cpu.now", "latest host CPU sample, percent", (EvalContext c, out double v) => { v = c.Host?.Cpu.Latest ?? 0; return c.Host?.Cpu.Latest is not null; }, absent: "host.cpu.now is absent: no host or no samples"),
        Window("host.cpu.avg", true, CpuAggregate.Avg, "mean host CPU percent over the window"),
        Window("host.cpu.max", true, CpuAggregate.Max, "highest host CPU percent in the window"),
        Window("host.cpu.min", true, CpuAggregate.Min, "lowest host CPU percent in the window; host.cpu.min(10m) > 90 means above 90 % for 10 minutes"),
        Int("host.vmCount", "VMs on the host", (EvalContext c, out long v) => { v = c.HostVmCount; return c.Host is not null; }, absent: "host.vmCount " + NoHost),
        Int("now.hour", "hour 0-23 in the policy's time zone", (EvalContext c, out long v) => { v = c.Hour; return true; }),
        Int("now.minute", "minute 0-59", (EvalContext c, out long v) => { v = c.Minute; return true; }),
        Int("now.day", "day of the month 1-31", (EvalContext c, out long v) => { v = c.Day; return true; }),
        Str("now.weekday", "Mon, Tue, Wed, Thu, Fri, Sat or Sun", (EvalContext c, out string v) => { v = c.Weekday; return true; }, values: Weekdays),
        Str("user.name", "the VM owner's user name", (EvalContext c, out string v) => { v = c.Vm.Owner.Value; return true; }),
        Str("user.role", "the VM owner's role: user or admin", (EvalContext c, out string v) => { v = c.User is null ? "" : c.User.Role == UserRole.Admin ? "admin" : "user"; return c.User is not null; }, values: Roles, absent: "user.role is absent: the owner is not in the snapshot"),
    ];

    private static readonly Dictionary<string, FactDefinition> ByPath = All.ToDictionary(f => f.Path, StringComparer.Ordinal);

    /// <summary>Names that lead to facts but are not facts themselves ("vm", "vm.cpu", "vm.lease"…).</summary>
    internal static readonly HashSet<string> Namespaces = All.SelectMany(f => Prefixes(f.Path)).ToHashSet(StringComparer.Ordinal);

    internal static FactDefinition? Find(string path) => ByPath.GetValueOrDefault(path);

    /// <summary>Facts under a namespace, for "unknown fact" messages.</summary>
    internal static IEnumerable<string> Under(string prefix) =>
        All.Where(f => f.Path.StartsWith(prefix + ".", StringComparison.Ordinal)).Select(f => f.TakesWindow ? f.Path + "(DURATION)" : f.Path);

    private static IEnumerable<string> Prefixes(string path)
    {
        for (var i = path.IndexOf('.', StringComparison.Ordinal); i > 0; i = path.IndexOf('.', i + 1)) yield return path[..i];
    }

    private static FactDefinition Str(string path, string doc, FactReader<string> read, IReadOnlyList<string>? values = null, string? absent = null) =>
        new(path, ConditionType.String, doc, absent is not null, values) { Build = _ => new StringFact(path, read, absent ?? "") };

    private static FactDefinition Bool(string path, string doc, FactReader<bool> read, string? absent = null) =>
        new(path, ConditionType.Bool, doc, absent is not null) { Build = _ => new BoolFact(path, read, absent ?? "") };

    private static FactDefinition Int(string path, string doc, FactReader<long> read, string? absent = null) =>
        new(path, ConditionType.Int, doc, absent is not null) { Build = _ => new IntFact(path, read, absent ?? "") };

    private static FactDefinition Dbl(string path, string doc, FactReader<double> read, string? absent = null) =>
        new(path, ConditionType.Double, doc, absent is not null) { Build = _ => new DoubleFact(path, read, absent ?? "") };

    private static FactDefinition Dur(string path, string doc, FactReader<TimeSpan> read, string? absent = null) =>
        new(path, ConditionType.Duration, doc, absent is not null) { Build = _ => new DurationFact(path, read, absent ?? "") };

    private static FactDefinition Window(string path, bool ofHost, CpuAggregate aggregate, string doc) =>
        new(path, ConditionType.Double, doc, true, TakesWindow: true) { Build = w => new CpuWindowExpr(path, ofHost, aggregate, w!) };
}
