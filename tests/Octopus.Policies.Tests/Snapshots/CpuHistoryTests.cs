using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Policies.Snapshots;

namespace Octopus.Policies.Tests.Snapshots;

public class CpuHistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    // samples at −4, −3, −2, −1, 0 minutes: 10, 20, 30, 40, 50
    [InlineData(4, 30.0, 50.0, 10.0)]  // window [−4, 0]: all five
    [InlineData(2, 40.0, 50.0, 30.0)]  // window [−2, 0]: 30, 40, 50
    [InlineData(0, 50.0, 50.0, 50.0)]  // an instant window is refused by the language; here [0, 0] holds the last sample
    public void Aggregates_OverWindow(int minutes, double avg, double max, double min)
    {
        var h = SnapshotBuilder.PerMinute(Now, [10, 20, 30, 40, 50]);
        var w = TimeSpan.FromMinutes(minutes);
        h.Average(Now, w).Should().Be(avg);
        h.Max(Now, w).Should().Be(max);
        h.Min(Now, w).Should().Be(min);
    }

    [Fact]
    public void Aggregates_WindowNotCovered_AreAbsent()
    {
        var h = SnapshotBuilder.PerMinute(Now, [10, 20, 30]); // oldest at −2 min
        h.Covers(Now, TimeSpan.FromMinutes(3)).Should().BeFalse();
        h.Average(Now, TimeSpan.FromMinutes(3)).Should().BeNull();
        CpuHistory.Empty.Average(Now, TimeSpan.FromMinutes(1)).Should().BeNull();
    }

    [Fact]
    public void Aggregates_UnevenSamples_StillFindTheWindow()
    {
        // Irregular spacing defeats the index guess; the binary search fallback must still be exact.
        var h = CpuHistory.From([new(Now.AddMinutes(-100), 1), new(Now.AddMinutes(-99), 2), new(Now.AddMinutes(-98), 3),
            new(Now.AddMinutes(-3), 4), new(Now.AddSeconds(-30), 5), new(Now, 6)]);
        h.Average(Now, TimeSpan.FromMinutes(3)).Should().Be(5); // 4, 5, 6
        h.Max(Now, TimeSpan.FromMinutes(99)).Should().Be(6);    // 2..6
        h.Min(Now, TimeSpan.FromMinutes(99)).Should().Be(2);
    }

    [Fact]
    public void From_NegativeOrNaN_Refused()
    {
        var act = () => CpuHistory.From([new CpuSample(Now, double.NaN)]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Buffer_KeepsRetentionAndCount()
    {
        var buffer = new CpuHistoryBuffer<string>(TimeSpan.FromMinutes(10), maxSamples: 5);
        for (var i = 0; i < 20; i++) buffer.Record("vm", Now.AddMinutes(i), i);
        var h = buffer.History("vm");
        h.Count.Should().Be(5); // the count limit (5) binds before the 10-minute retention (11 samples)
        h.Samples.Select(s => s.Percent).Should().Equal(15, 16, 17, 18, 19);
        buffer.Record("vm", Now.AddMinutes(40), 1); // 21 minutes after the newest: everything else is older than 10 minutes
        buffer.History("vm").Count.Should().Be(1);
        buffer.Forget([]);
        buffer.History("vm").Should().BeSameAs(CpuHistory.Empty);
    }

    [Fact]
    public void PolicyFacts_FromDomain_CopiesWhatPoliciesRead()
    {
        var vm = Vm.Create(VmName.Parse("web"), UserId.New(), Geometry.Create(2, ByteSize.FromGiB(4), ByteSize.FromGiB(20), ImageName.Parse("debian-13")),
            Now, ["nightly"], Now.AddDays(1));
        var facts = PolicyFacts.From(vm, UserName.Parse("alice"));
        (facts.Name, facts.Owner.Value, facts.State, facts.Image, facts.Cores, facts.LeaseExpiresAt)
            .Should().Be(("web", "alice", VmState.Pending, "debian-13", 2, Now.AddDays(1)));
        facts.Tags.Should().Equal("nightly");
        facts.MemoryBytes.Should().Be(4L << 30);
    }
}

public class PolicySnapshotTests
{
    [Fact]
    public void Constructor_DuplicateUser_SaysWhich()
    {
        var act = () => new PolicySnapshot(DateTimeOffset.UnixEpoch, [], [],
            [new UserFacts(UserName.Parse("alice"), UserRole.User), new UserFacts(UserName.Parse("alice"), UserRole.Admin)]);
        act.Should().Throw<ArgumentException>().WithMessage("The snapshot lists user name 'alice' twice; each must appear once.");
    }

    [Fact]
    public void Indexes_FindVmsByOwnerTagAndHost()
    {
        var world = new SnapshotBuilder(DateTimeOffset.UnixEpoch).User("alice").User("bob").Host("h")
            .Vm("a", "alice", v => v.OnHost("h").Tags("x")).Vm("b", "bob", v => v.Tags("x", "x"));
        var s = world.Build();
        s.VmsOwnedBy(UserName.Parse("alice")).Select(v => v.Name).Should().Equal("a");
        s.VmsTagged("x").Select(v => v.Name).Should().Equal("a", "b"); // a duplicated tag counts once
        s.VmsOn(world.HostId("h")).Select(v => v.Name).Should().Equal("a");
        s.FindHost("h")!.Id.Should().Be(world.HostId("h"));
    }
}
