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
    public void SetClock(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        Now = utcNow;
        var local = TimeZoneInfo.ConvertTime(utcNow, zone);
        Hour = local.Hour;
        Minute = local.Minute;
        Day = local.Day;
        Weekday = WeekdayName(local.DayOfWeek);
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
