using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Language;

/// <summary>The mutable scratchpad one evaluation runs in: the VM under test, its host and owner, the local time fields,
/// the step counter and the first "absent fact" error. Reused across VMs so the hot loop allocates nothing.</summary>
internal sealed class EvalContext
{
    public VmFacts Vm = null!;
    public HostFacts? Host;
    public UserFacts? User;
    public int HostVmCount;
    public DateTimeOffset Now;
    public int Hour;
    public int Minute;
    public int Day;
    public string Weekday = "Mon";
    public double IdleThresholdPercent = 5;
    public int Steps;
    public int MaxSteps = LanguageLimits.Default.MaxEvaluationSteps;

    /// <summary>Set when a fact the condition read is absent (no host, no lease…); the condition then does not hold.</summary>
    public string? Error;

    /// <summary>The time zone whose local-time facts are loaded (set by the engine, so policies in the same zone do not
    /// load the same clock again); null when none is.</summary>
    public TimeZoneInfo? Clock;

    public void Reset()
    {
        Steps = 0;
        Error = null;
    }

    public void Tick(int cost = 1)
    {
        Steps += cost;
        if (Steps > MaxSteps) throw new StepLimitExceededException(MaxSteps);
    }

    /// <summary>Sets the local-time facts for a policy's time zone.</summary>
    public void SetClock(DateTimeOffset utcNow, TimeZoneInfo zone) => LocalClock.At(utcNow, zone).ApplyTo(this);

    /// <summary>Loads the VM to evaluate and forgets the previous VM's remembered CPU windows.</summary>
    public void SetVm(VmEntry entry)
    {
        Vm = entry.Vm;
        Host = entry.Host;
        User = entry.User;
        HostVmCount = entry.HostVmCount;
        _memoCount = 0;
    }

    // CPU window aggregates already computed for the current VM, so ten policies asking for vm.cpu.max(2h) scan once.
    // A fixed array: remembering allocates nothing. The step cost is remembered too and charged again on a hit, so the
    // step count of a condition never depends on which policies ran before it.
    private readonly CpuMemo[] _memo = new CpuMemo[16];
    private int _memoCount;

    private struct CpuMemo
    {
        public object History;
        public long WindowTicks;
        public int Aggregate;
        public double? Value;
        public int Cost;
    }

    public bool TryRecall(object history, long windowTicks, int aggregate, out double? value, out int cost)
    {
        for (var i = 0; i < _memoCount; i++)
        {
            ref var m = ref _memo[i];
            if (ReferenceEquals(m.History, history) && m.WindowTicks == windowTicks && m.Aggregate == aggregate)
            {
                value = m.Value;
                cost = m.Cost;
                return true;
            }
        }
        value = null;
        cost = 0;
        return false;
    }

    public void Remember(object history, long windowTicks, int aggregate, double? value, int cost)
    {
        if (_memoCount == _memo.Length) return;
        _memo[_memoCount++] = new CpuMemo { History = history, WindowTicks = windowTicks, Aggregate = aggregate, Value = value, Cost = cost };
    }

    internal static string WeekdayName(DayOfWeek d) => d switch
    {
        DayOfWeek.Monday => "Mon",
        DayOfWeek.Tuesday => "Tue",
        DayOfWeek.Wednesday => "Wed",
        DayOfWeek.Thursday => "Thu",
        DayOfWeek.Friday => "Fri",
        DayOfWeek.Saturday => "Sat",
        DayOfWeek.Sunday => "Sun",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };
}

/// <summary>The local-time facts of one instant in one time zone, computed once per policy per evaluation.</summary>
internal readonly record struct LocalClock(DateTimeOffset Now, int Hour, int Minute, int Day, string Weekday)
{
    public static LocalClock At(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(utcNow, zone);
        return new LocalClock(utcNow, local.Hour, local.Minute, local.Day, EvalContext.WeekdayName(local.DayOfWeek));
    }

    public void ApplyTo(EvalContext c)
    {
        c.Now = Now;
        c.Hour = Hour;
        c.Minute = Minute;
        c.Day = Day;
        c.Weekday = Weekday;
    }
}

/// <summary>One evaluation used more steps than <see cref="LanguageLimits.MaxEvaluationSteps"/> allows.</summary>
public sealed class StepLimitExceededException : Exception
{
    public StepLimitExceededException(int limit)
        : base($"the condition took more than {limit} evaluation steps for one VM; simplify it (fewer list elements or shorter CPU windows)") =>
        Limit = limit;

    public StepLimitExceededException() : this(0) { }
    public StepLimitExceededException(string message) : base(message) { }
    public StepLimitExceededException(string message, Exception inner) : base(message, inner) { }

    public int Limit { get; }
}
