using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Server.Power;
using Octopus.Application.Power;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Power;

/// <summary>The power history in the store (a real migrated SQLite store per test).</summary>
public sealed class PowerHistoryTests : IDisposable
{
    private readonly TestStore _store = TestStore.Create();

    public void Dispose() => _store.Dispose();

    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; private set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
        public void Advance(TimeSpan by) => Now += by;
    }

    // 00:00:00 UTC: bucket boundaries fall on whole 10 s.
    private static readonly DateTimeOffset Midnight = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PowerReading Reading(double watts, double allOn, int active, int hosts = 3) =>
        new(new Watts(watts), new Watts(allOn), active, hosts);

    [Fact]
    public void Query_ReadingsEverySecond_MeansPerBucketAndEnergyIntegrated()
    {
        var clock = new ManualClock(Midnight);
        var history = new PowerHistory(_store.Contexts, clock);
        // 20 readings, one a second: 300 W (3 hosts on, baseline 300 W) for 10 s, then 200 W (2 on, baseline 290 W).
        for (var i = 0; i < 20; i++)
        {
            history.Record(i < 10 ? Reading(300, 300, 3) : Reading(200, 290, 2));
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        var view = history.Query(TimeSpan.FromMinutes(1), maxPoints: 360);

        view.Step.Should().Be(TimeSpan.FromSeconds(10));
        view.Points.Should().HaveCount(2);
        view.Points[0].At.Should().Be(Midnight);
        view.Points[0].Watts.Should().Be(300);
        view.Points[0].ActiveHosts.Should().Be(3);
        view.Points[1].At.Should().Be(Midnight.AddSeconds(10));
        view.Points[1].Watts.Should().Be(200);
        view.Points[1].AllOnWatts.Should().Be(290);
        view.Points[1].MaxActiveHosts.Should().Be(2);
        // Left Riemann sum over 19 one-second gaps: the first 10 readings (300 W) hold 1 s each, then 9 of 200 W.
        // energy = 10*300 + 9*200 = 4800 J; baseline = 10*300 + 9*290 = 5610 J; saved = 810 J = 14.44 %
        view.Joules.Should().BeApproximately(4800, 1e-6);
        view.AllOnJoules.Should().BeApproximately(5610, 1e-6);
        view.SavedJoules.Should().BeApproximately(810, 1e-6);
        view.SavedPercent.Should().BeApproximately(810.0 / 5610 * 100, 1e-9);
        view.Latest!.Value.ActiveHosts.Should().Be(2);
    }

    [Fact]
    public void Record_GapLongerThanMaxGap_AddsNoEnergy()
    {
        var clock = new ManualClock(Midnight);
        var history = new PowerHistory(_store.Contexts, clock, new PowerHistoryOptions { MaxGap = TimeSpan.FromSeconds(30) });
        history.Record(Reading(100, 100, 1));
        clock.Advance(TimeSpan.FromMinutes(5)); // the server was stopped
        history.Record(Reading(100, 100, 1));
        clock.Advance(TimeSpan.FromSeconds(2));
        history.Record(Reading(100, 100, 1));

        // only the last 2 s count: 2 * 100 = 200 J
        history.Query(TimeSpan.FromHours(1), 360).Joules.Should().BeApproximately(200, 1e-6);
    }

    [Fact]
    public void Query_LongWindow_MergesBucketsToAtMostMaxPoints()
    {
        var clock = new ManualClock(Midnight);
        var history = new PowerHistory(_store.Contexts, clock);
        // one reading every 10 s for an hour: 360 buckets
        for (var i = 0; i < 360; i++)
        {
            history.Record(Reading(i < 180 ? 100 : 300, 300, i < 180 ? 1 : 3));
            clock.Advance(TimeSpan.FromSeconds(10));
        }

        var view = history.Query(TimeSpan.FromHours(1), maxPoints: 60);

        // 360 buckets / 60 points = 6 buckets (60 s) a point
        view.Step.Should().Be(TimeSpan.FromMinutes(1));
        view.Points.Should().HaveCountLessThanOrEqualTo(61).And.HaveCountGreaterThanOrEqualTo(59);
        view.Points.Should().BeInAscendingOrder(p => p.At);
        view.Points[0].Watts.Should().Be(100);
        view.Points[^1].Watts.Should().Be(300);
        view.Points[^1].MaxActiveHosts.Should().Be(3);
    }

    [Fact]
    public void Record_OlderThanRetention_IsOverwritten()
    {
        var clock = new ManualClock(Midnight);
        var history = new PowerHistory(_store.Contexts, clock, new PowerHistoryOptions { BucketLength = TimeSpan.FromSeconds(10), Retention = TimeSpan.FromMinutes(1) });
        history.Record(Reading(999, 999, 9));
        // 6 buckets of ring; go around it once and a half
        for (var i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            history.Record(Reading(100, 100, 1));
        }

        var view = history.Query(TimeSpan.FromMinutes(1), 360);

        view.Points.Should().NotBeEmpty().And.OnlyContain(p => p.Watts == 100, "the 999 W reading is older than the retention");
        view.Points.Should().HaveCountLessThanOrEqualTo(6);
    }

    [Fact]
    public void Record_ThenRestart_SameHistoryAndEnergyContinuesFromTheLastReading()
    {
        var clock = new ManualClock(Midnight);
        new PowerHistory(_store.Contexts, clock).Record(Reading(300, 300, 3));
        clock.Advance(TimeSpan.FromSeconds(5));

        // A restarted server (or a second process) over the same store continues the history.
        var restarted = new PowerHistory(_store.OtherProcess(), clock);
        restarted.Latest!.Value.Watts.Value.Should().Be(300);
        restarted.Record(Reading(200, 300, 2));
        var view = restarted.Query(TimeSpan.FromMinutes(1), 360);

        view.Points.Should().ContainSingle().Which.Watts.Should().Be(250, "both readings fall in the 00:00:00 bucket");
        view.Joules.Should().BeApproximately(300 * 5, 1e-6, "the 300 W reading from before the restart is held for 5 s");
    }

    [Fact]
    public void Query_NoReadings_IsEmpty()
    {
        var history = new PowerHistory(_store.Contexts, new ManualClock(Midnight));
        var view = history.Query(TimeSpan.FromHours(24), 360);
        view.Points.Should().BeEmpty();
        view.SavedPercent.Should().Be(0);
        view.Latest.Should().BeNull();
    }

    [Fact]
    public void Options_BucketNotDividingRetention_AreRefused()
    {
        var act = () => new PowerHistory(_store.Contexts, TimeProvider.System, new PowerHistoryOptions { BucketLength = TimeSpan.FromSeconds(7), Retention = TimeSpan.FromMinutes(1) });
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Retention");
    }

    [Fact]
    public void PowerReadingFrom_OffHostCountsIdleInBaseline_FailedHostInNeither()
    {
        var now = Midnight;
        var model = PowerModel.HpProLiantMl110G4; // 86 W idle, 117 W full
        var capacity = HostCapacity.Create(8, new Mips(1000), ByteSize.FromGiB(16), ByteSize.FromGiB(200));
        var on = Host.Create("on", capacity, model, now);
        on.ObserveLoad(new CpuLoad(1.0));
        var off = Host.Create("off", capacity, model, now);
        off.MovePower(HostPowerState.PoweringOff, now);
        off.MovePower(HostPowerState.Off, now);
        var failed = Host.Create("failed", capacity, model, now);
        failed.MovePower(HostPowerState.Failed, now);

        var r = PowerReading.From([on, off, failed]);

        r.Watts.Value.Should().Be(117);            // only the host that is on: 117 W at full load
        r.AllOnWatts.Value.Should().Be(117 + 86);  // plus the off host at idle; the failed host counts nowhere
        r.ActiveHosts.Should().Be(1);
        r.Hosts.Should().Be(3);
    }
}
