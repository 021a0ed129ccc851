using Octopus.Policies.Language;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests.Language;

/// <summary>Evaluates one condition over one VM of a snapshot, as the engine does.</summary>
internal static class ConditionHarness
{
    public static (bool Holds, string? Error) Run(string condition, PolicySnapshot snapshot, string vm, TimeZoneInfo? zone = null,
        LanguageLimits? limits = null)
    {
        var compiled = Condition.Compile(condition, limits);
        var ctx = Context(snapshot, vm, zone);
        var holds = compiled.Evaluate(ctx);
        return (holds, ctx.Error);
    }

    public static EvalContext Context(PolicySnapshot snapshot, string vm, TimeZoneInfo? zone = null)
    {
        var entry = snapshot.Entries.Single(e => e.Vm.Name == vm);
        var ctx = new EvalContext { Vm = entry.Vm, Host = entry.Host, User = entry.User, HostVmCount = entry.HostVmCount };
        ctx.SetClock(snapshot.Now, zone ?? TimeZoneInfo.Utc);
        return ctx;
    }
}
