using Microsoft.Extensions.Time.Testing;
using Octopus.Domain.Users;
using Octopus.Policies.Documents;
using Octopus.Policies.Evaluation;
using Octopus.Policies.Triggers;

namespace Octopus.Policies.Tests.Triggers;

public class PolicyTriggersTests
{
    private static CompiledPolicy With(PolicyTrigger trigger, string zone = "UTC", bool enabled = true, string name = "p") =>
        CompiledPolicy.Compile(new PolicyDocument
        {
            Name = name, Owner = UserName.Parse("root"), Scope = PolicyScope.Admin, Condition = "true", Actions = [new ShutdownAction()],
            Trigger = trigger, TimeZone = zone, Enabled = enabled,
        });

    [Theory]
    // cron "0 2 * * *" in Europe/Rome; since = 2026-03-28 12:00Z. Rome switches to summer time (UTC+2) on 29 March 2026.
    [InlineData("2026-03-29T00:59:00Z", false)] // 01:59 Rome (still UTC+1)
    [InlineData("2026-03-29T01:00:00Z", true)]  // 02:00 does not exist that night; Cronos fires at the transition (03:00 CEST = 01:00Z)
    public void IsDue_CronAcrossDaylightSaving_FiresOnce(string now, bool due)
    {
        var policy = With(new CronTrigger("0 2 * * *"), "Europe/Rome");
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));
        new PolicyTriggers(clock).IsDue(policy, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)).Should().Be(due);
    }

    [Fact]
    public void NextDue_CronInTimeZone_IsTheLocalTimeInUtc()
    {
        // 02:00 in Tokyo (UTC+9) is 17:00 UTC the day before.
        var policy = With(new CronTrigger("0 2 * * *"), "Asia/Tokyo");
        PolicyTriggers.NextDue(policy, new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero))
            .Should().Be(new DateTimeOffset(2026, 11, 25, 17, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void IsDue_MissedOccurrences_Coalesce()
    {
        // Down for three days: one evaluation now, not three.
        var policy = With(new CronTrigger("0 2 * * *"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var triggers = new PolicyTriggers(clock);
        var since = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        triggers.IsDue(policy, since).Should().BeTrue();
        triggers.IsDue(policy, clock.GetUtcNow()).Should().BeFalse(); // after running now, not due again until tomorrow 02:00
    }

    [Fact]
    public void IsDue_SixFieldCron_HasSecondPrecision()
    {
        var policy = With(new CronTrigger("30 * * * * *"));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 29, TimeSpan.Zero));
        var since = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        new PolicyTriggers(clock).IsDue(policy, since).Should().BeFalse();
        clock.Advance(TimeSpan.FromSeconds(1));
        new PolicyTriggers(clock).IsDue(policy, since).Should().BeTrue();
    }

    [Fact]
    public void Due_IntervalsAndDisabled_ReturnsDueEnabledByName()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow();
        var fast = With(new IntervalTrigger(TimeSpan.FromMinutes(5)), name: "fast");
        var slow = With(new IntervalTrigger(TimeSpan.FromHours(1)), name: "slow");
        var off = With(new IntervalTrigger(TimeSpan.FromMinutes(1)), enabled: false, name: "off");
        var onEvent = With(new EventTrigger(PolicyEventKind.HostFailed), name: "event");
        var triggers = new PolicyTriggers(clock);
        clock.Advance(TimeSpan.FromMinutes(5));
        triggers.Due([slow, fast, off, onEvent], _ => start).Select(p => p.Name).Should().Equal("fast");
        clock.Advance(TimeSpan.FromMinutes(55));
        triggers.Due([slow, fast, off, onEvent], _ => start).Select(p => p.Name).Should().Equal("fast", "slow");
    }

    [Fact]
    public void ReactingTo_MatchesEventKindAndSkipsDisabled()
    {
        var failed = With(new EventTrigger(PolicyEventKind.HostFailed), name: "failed");
        var lease = With(new EventTrigger(PolicyEventKind.LeaseExpiring), name: "lease");
        var off = With(new EventTrigger(PolicyEventKind.LeaseExpiring), enabled: false, name: "off");
        var vm = Octopus.Domain.Vms.VmId.New();
        PolicyTriggers.ReactingTo([failed, lease, off], PolicyEvent.LeaseExpiring(vm)).Select(p => p.Name).Should().Equal("lease");
    }
}
