using Microsoft.EntityFrameworkCore;
using Octopus.Application.Control;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>The telemetry history's downsampling and retention, on a real migrated store of each kind, with a clock the
/// test moves by hand.</summary>
public sealed class TelemetryHistoryTests
{
    public static TheoryData<TestStoreKind> Kinds => [TestStoreKind.Sqlite, TestStoreKind.Postgres];

    private static readonly DateTimeOffset Midnight = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<(Vm Vm, Host Host)> SeedAsync(TestStore store)
    {
        var owner = User.Create(UserName.Parse("ann"), UserRole.User, "x", Quota.Unlimited, Midnight);
        var vm = Vm.Create(VmName.Parse("web"), owner.Id, Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(1), ImageName.Parse("debian-12")), Midnight);
        var host = Host.Create("sim-01", new HostCapacity(8, new Mips(1000), ByteSize.FromGiB(16), ByteSize.FromGiB(100)),
            Octopus.Application.Configuration.ClusterOptions.DefaultPowerModel, Midnight);
        await using var db = await store.Contexts.CreateDbContextAsync(Ct);
        db.Users.Add(owner);
        db.Vms.Add(vm);
        db.Hosts.Add(host);
        await db.SaveChangesAsync(Ct);
        return (vm, host);
    }

    private static VmFigures Figures(double scale) => new((long)(100 * scale), 10 * scale, 20 * scale, 30 * scale, 40 * scale);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Write_TwoClosedMinutes_MinutePointsAndCoarserMeansOfEveryReading(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var (vm, host) = await SeedAsync(store);
        var clock = new ManualClock(Midnight);
        var history = new TelemetryHistory(clock);

        // Minute 00:00: 60 readings of CPU 0.2, memory/I-O at scale 1. Minute 00:01: 30 readings of CPU 0.6 at scale 3
        // and 30 of CPU 0.6 without figures (a driver that measures CPU only for a while).
        for (var s = 0; s < 120; s++)
        {
            clock.Now = Midnight.AddSeconds(s);
            var second = s >= 60;
            history.Add([new VmReading(vm.Id, second ? 0.6 : 0.2, second ? (s < 90 ? Figures(3) : null) : Figures(1))],
                [new HostReading(host.Id, second ? 0.5 : 0.1, second ? 300 : 100)]);
            history.WriteDue.Should().Be(s > 0 && s % 15 == 0, "the minute being filled is written every 15 s (00:01:00 closes 00:00)");
            if (history.WriteDue) await WriteAsync(store, history);
        }
        clock.Now = Midnight.AddMinutes(2); // opens 00:02, closing 00:01
        history.Add([new VmReading(vm.Id, 0.9, Figures(9))], []);
        await WriteAsync(store, history);
        history.WriteDue.Should().BeFalse();

        await using var db = await store.Contexts.CreateDbContextAsync(Ct);
        var hour = await history.VmAsync(db, vm.Id, TelemetryHistory.TierFor("1h"), Ct);
        hour.Points.Select(p => p.At).Should().Equal(Midnight, Midnight.AddMinutes(1));
        hour.Points.Select(p => Math.Round(p.Cpu, 9)).Should().Equal(0.2, 0.6); // sums of 60 readings: rounding noise only
        hour.Points[0].MemoryBytes.Should().Be(100);
        hour.Points[0].NetTransmitBytesPerSecond.Should().BeApproximately(40, 1e-9);
        // 00:01's figures are the means of the 30 readings that carried them, not diluted by the 30 that did not.
        hour.Points[1].MemoryBytes.Should().Be(300);
        hour.Points[1].DiskWriteBytesPerSecond.Should().BeApproximately(60, 1e-9);

        // The five-minute and hour buckets hold both minutes: CPU = (60*0.2 + 60*0.6)/120 = 0.4;
        // memory = (60*100 + 30*300)/90 = 166.67 (only the 90 readings with figures).
        foreach (var range in new[] { "24h", "7d" })
        {
            var coarse = await history.VmAsync(db, vm.Id, TelemetryHistory.TierFor(range), Ct);
            coarse.Points.Should().ContainSingle().Which.At.Should().Be(Midnight);
            coarse.Points[0].Cpu.Should().BeApproximately(0.4, 1e-9);
            coarse.Points[0].MemoryBytes.Should().BeApproximately((60 * 100 + 30 * 300) / 90.0, 1e-9);
        }
        var rows = await db.VmHistory.AsNoTracking().Where(r => r.Resolution == TelemetryResolution.Hour).SingleAsync(Ct);
        (rows.Samples, rows.MeasuredSamples).Should().Be((120, 90));

        // Host: load (60*0.1 + 60*0.5)/120 = 0.3, watts (60*100 + 60*300)/120 = 200.
        var hostDay = await history.HostAsync(db, host.Id, TelemetryHistory.TierFor("24h"), Ct);
        hostDay.Points.Should().ContainSingle();
        hostDay.Points[0].Load.Should().BeApproximately(0.3, 1e-9);
        hostDay.Points[0].Watts.Should().BeApproximately(200, 1e-9);
        (await history.HostAsync(db, host.Id, TelemetryHistory.TierFor("1h"), Ct)).Points.Select(p => Math.Round(p.Watts, 9)).Should().Equal(100, 300);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Write_OverEightDays_EachResolutionKeepsOnlyItsRetention(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var (vm, host) = await SeedAsync(store);
        var clock = new ManualClock(Midnight);
        var history = new TelemetryHistory(clock);

        // Phase 1, two hours with a reading at the start of every minute: each reading closes the previous minute.
        var at = Midnight;
        for (var i = 0; i <= 120; i++, at = at.AddMinutes(1)) await StepAsync(at);
        // now = 02:00; the 1 h tier keeps minutes whose start is at or after 01:00: 01:00 … 01:59 = 60 rows
        var minutes = await CountAsync(TelemetryResolution.Minute);
        minutes.Should().Be(60);
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
            (await history.VmAsync(db, vm.Id, TelemetryHistory.TierFor("1h"), Ct)).Points.Should().HaveCount(60);

        // Phase 2, eight more days with a reading every 30 minutes.
        var end = at.AddDays(8);
        for (; at <= end; at = at.AddMinutes(30)) await StepAsync(at);
        var now = clock.Now;
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
        {
            foreach (var tier in TelemetryHistory.Tiers)
            {
                var starts = await db.VmHistory.AsNoTracking().Where(r => r.VmId == vm.Id && r.Resolution == tier.Resolution)
                    .Select(r => r.Start).ToListAsync(Ct);
                starts.Should().OnlyContain(s => s >= now - tier.Retention, $"{tier.Range} keeps nothing older than its retention");
                starts.Count.Should().BeLessThanOrEqualTo((int)(tier.Retention / tier.Length), $"{tier.Range} is bounded");
                (await db.HostHistory.AsNoTracking().CountAsync(r => r.HostId == host.Id && r.Resolution == tier.Resolution && r.Start < now - tier.Retention, Ct))
                    .Should().Be(0);
            }
            // A reading every 30 min: 2 readings per hour bucket, one per five-minute bucket; 7 d = 168 hour rows, the
            // oldest one pruned as the next opens; 24 h = 47 five-minute rows (the bucket of
            // the reading 24 h ago starts a minute before the cutoff); the last hour holds 2 minute rows.
            (await CountAsync(TelemetryResolution.Hour)).Should().BeInRange(167, 168);
            (await CountAsync(TelemetryResolution.FiveMinutes)).Should().Be(47);
            (await CountAsync(TelemetryResolution.Minute)).Should().Be(2);
            var week = await history.VmAsync(db, vm.Id, TelemetryHistory.TierFor("7d"), Ct);
            var lastHour = week.Points[^1].At;
            lastHour.Should().Be(TelemetryHistory.Floor(now, TimeSpan.FromHours(1)) - TimeSpan.FromHours(1));
            (await db.VmHistory.AsNoTracking().SingleAsync(r => r.Resolution == TelemetryResolution.Hour && r.Start == lastHour, Ct))
                .Samples.Should().Be(2);
        }

        async Task StepAsync(DateTimeOffset when)
        {
            clock.Now = when;
            history.Add([new VmReading(vm.Id, 0.5, Figures(1))], [new HostReading(host.Id, 0.5, 200)]);
            if (history.WriteDue) await WriteAsync(store, history);
        }

        async Task<int> CountAsync(TelemetryResolution r)
        {
            await using var db = await store.Contexts.CreateDbContextAsync(Ct);
            return await db.VmHistory.CountAsync(x => x.VmId == vm.Id && x.Resolution == r, Ct);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Takeover_InTheMiddleOfAMinute_TheNewLeaderAddsToTheMinuteTheOldOneWroteSoFar(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var (vm, host) = await SeedAsync(store);
        var clock = new ManualClock(Midnight);
        var old = new TelemetryHistory(clock);
        // The old leader reads CPU 0.2 at 00:00:00-00:00:20 (21 readings) and writes the minute being filled at 00:00:15;
        // it dies at 00:00:20 before its next write (the readings of 00:00:16-20 are lost).
        for (var s = 0; s <= 20; s++)
        {
            clock.Now = Midnight.AddSeconds(s);
            old.Add([new VmReading(vm.Id, 0.2, null)], [new HostReading(host.Id, 0.1, 100)]);
            if (old.WriteDue) await WriteAsync(store, old);
        }
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
            (await old.VmAsync(db, vm.Id, TelemetryHistory.TierFor("1h"), Ct)).Points.Should().ContainSingle("the minute being filled is in the store");

        // The new leader reads CPU 0.8 from 00:00:30 to 00:00:59 (30 readings); 00:01:00 closes the minute.
        var next = new TelemetryHistory(clock);
        for (var s = 30; s <= 60; s++)
        {
            clock.Now = Midnight.AddSeconds(s);
            next.Add([new VmReading(vm.Id, s < 60 ? 0.8 : 0.5, null)], [new HostReading(host.Id, 0.3, 300)]);
            if (next.WriteDue) await WriteAsync(store, next);
        }

        // The minute point is the mean of both leaders' written readings: (16*0.2 + 30*0.8)/46; no gap in the 1h graph.
        await using var check = await store.Contexts.CreateDbContextAsync(Ct);
        var hour = await next.VmAsync(check, vm.Id, TelemetryHistory.TierFor("1h"), Ct);
        hour.Points.Should().ContainSingle().Which.Cpu.Should().BeApproximately((16 * 0.2 + 30 * 0.8) / 46, 1e-9);
        var minuteRow = await check.VmHistory.AsNoTracking().SingleAsync(r => r.Resolution == TelemetryResolution.Minute, Ct);
        minuteRow.Samples.Should().Be(46);
        // The five-minute point is written when the minute closes, from the new leader's own readings of it.
        (await next.VmAsync(check, vm.Id, TelemetryHistory.TierFor("24h"), Ct)).Points.Should().ContainSingle().Which.Cpu.Should().BeApproximately(0.8, 1e-9);
        (await next.HostAsync(check, host.Id, TelemetryHistory.TierFor("1h"), Ct)).Points.Should().ContainSingle()
            .Which.Watts.Should().BeApproximately((16 * 100 + 30 * 300) / 46.0, 1e-9);
    }

    [Fact]
    public async Task Write_VmDeletedBeforeItsMinuteIsWritten_IsLeftOut()
    {
        using var store = TestStore.Create(TestStoreKind.Sqlite);
        var (vm, host) = await SeedAsync(store);
        var clock = new ManualClock(Midnight);
        var history = new TelemetryHistory(clock);
        history.Add([new VmReading(vm.Id, 0.5, null)], [new HostReading(host.Id, 0.5, 200)]);
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
        {
            db.Vms.Remove(await db.Vms.SingleAsync(Ct));
            await db.SaveChangesAsync(Ct);
        }
        clock.Now = Midnight.AddMinutes(1);
        history.Add([], []);
        (await WriteAsync(store, history)).Should().BeTrue();
        await using var check = await store.Contexts.CreateDbContextAsync(Ct);
        (await check.VmHistory.CountAsync(Ct)).Should().Be(0);
        (await check.HostHistory.CountAsync(Ct)).Should().Be(3, "the host's minute went to its three resolutions");
    }

    [Theory]
    [InlineData(null, "1h")]
    [InlineData(" 24H ", "24h")]
    [InlineData("7d", "7d")]
    public void TierFor_KnownRange_PicksItsResolution(string? range, string expected) =>
        TelemetryHistory.TierFor(range).Range.Should().Be(expected);

    [Theory]
    [InlineData("2h")]
    [InlineData("week")]
    public void TierFor_UnknownRange_IsInvalidAndNamesTheGoodOnes(string range)
    {
        var e = FluentActions.Invoking(() => TelemetryHistory.TierFor(range)).Should().Throw<DomainException>().Which;
        e.Kind.Should().Be(ErrorKind.Validation);
        e.Field.Should().Be("range");
        e.Message.Should().Be($"'{range}' is not a history range; use 1h, 24h or 7d.");
    }

    private static async Task<bool> WriteAsync(TestStore store, TelemetryHistory history)
    {
        await using var db = await store.Contexts.CreateDbContextAsync(Ct);
        return await history.WriteAsync(db, Ct);
    }
}
