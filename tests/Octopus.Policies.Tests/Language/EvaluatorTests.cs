using Octopus.Domain.Hosts;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;

namespace Octopus.Policies.Tests.Language;

public class EvaluatorTests
{
    // Wednesday 2026-11-25 14:30 UTC.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 14, 30, 0, TimeSpan.Zero);

    private static SnapshotBuilder World() => new SnapshotBuilder(Now)
        .User("alice").Admin("root")
        .Host("h1", cpu: SnapshotBuilder.Flat(95, 15))
        .Vm("web", "alice", v => v.OnHost("h1").Tags("nightly", "student").Created(Now.AddDays(-3))
            .Lease(Now.AddHours(-2))
            // 121 samples: 2h at 3 %, then the last sample at 4 %: avg ≈ 3.01, max = 4
            .Cpu([.. Enumerable.Repeat(3.0, 120), 4.0]))
        .Vm("db", "root", v => v.State(VmState.Stopped).Created(Now.AddMinutes(-20)).Cpu(50, 50));

    [Theory]
    [InlineData("vm.state == \"Running\"", "web", true)]
    [InlineData("vm.state == \"Running\"", "db", false)]
    [InlineData("\"nightly\" in vm.tags && !(\"gpu\" in vm.tags)", "web", true)]
    [InlineData("vm.age > 2d && vm.age < 4d", "web", true)] // created 3 days ago
    [InlineData("vm.cpu.avg(2h) < 5", "web", true)] // (120 × 3 + 4) / 121 = 3.008
    [InlineData("vm.cpu.max(2h) == 4", "web", true)]
    [InlineData("vm.cpu.min(2h) == 3", "web", true)]
    [InlineData("vm.cpu.now == 4.0", "web", true)]
    [InlineData("vm.idleFor >= 2h", "web", true)] // every sample < 5 %: idle since the oldest sample, 120 minutes ago
    [InlineData("vm.idleFor == 0s", "db", true)] // last sample 50 % ≥ 5 %
    [InlineData("vm.lease.expired && vm.lease.expiresIn == -2h", "web", true)]
    [InlineData("host.name == \"h1\" && host.state == \"On\" && host.cpu.min(10m) > 90", "web", true)]
    [InlineData("host.vmCount == 1", "web", true)]
    [InlineData("now.hour == 14 && now.minute == 30 && now.weekday == \"Wed\" && now.day == 25", "web", true)]
    [InlineData("user.role == \"admin\" && user.name == \"root\"", "db", true)]
    [InlineData("vm.owner == \"alice\"", "web", true)]
    [InlineData("vm.cores * 2 == 4 && vm.memoryGiB == 4.0", "web", true)] // 2 vCPU, 4 GiB
    [InlineData("7 / 2 == 3 && 7 % 2 == 1 && 7.0 / 2 == 3.5", "web", true)]
    [InlineData("1h + 30m == 90m && 2h - 3h == -1h", "web", true)]
    [InlineData("vm.name + \"-x\" == \"web-x\" && vm.name.startsWith(\"we\") && vm.name.endsWith(\"eb\") && vm.name.contains(\"e\")", "web", true)]
    [InlineData("size(vm.tags) == 2 && size(vm.name) == 3", "web", true)]
    [InlineData("has(vm.lease) && has(vm.host) && has(host)", "web", true)]
    [InlineData("!has(vm.lease) && !has(vm.host) && !has(vm.cpu.avg(2h))", "db", true)] // db: no lease, no host, 1 minute of history
    [InlineData("false || 1 < 2 && 2.5 >= 2", "web", true)]
    [InlineData("int(2.9) == 2 && double(3) == 3.0 && -vm.cores == -2", "web", true)]
    [InlineData("3 in [1, 2.5, 3] && 2h in [1h, 2h] && 4 in [1, 4]", "web", true)]
    public void Evaluate_Table(string condition, string vm, bool expected)
    {
        var (holds, error) = ConditionHarness.Run(condition, World().Build(), vm);
        error.Should().BeNull();
        holds.Should().Be(expected);
    }

    [Theory]
    [InlineData("vm.lease.expired", "db", "vm.lease.expired is absent: the VM has no lease; guard it with has(vm.lease)")]
    [InlineData("host.cpu.avg(10m) > 1", "db", "host.cpu.avg is absent: the CPU history does not cover the whole window (or the VM has no host)")]
    [InlineData("vm.cpu.avg(2h) < 5", "db", "vm.cpu.avg is absent: the CPU history does not cover the whole window (or the VM has no host)")]
    [InlineData("vm.host == \"h1\"", "db", "vm.host is absent: the VM is not on a host; guard it with has(vm.host)")]
    [InlineData("vm.cores / (vm.cores - 2) == 1", "web", "division by zero")]
    [InlineData("vm.cpu.avg(0s) < 1", "web", "vm.cpu.avg: the window must be longer than zero")]
    public void Evaluate_AbsentFactOrArithmeticError_DoesNotHoldAndSaysWhy(string condition, string vm, string error)
    {
        var (holds, actual) = ConditionHarness.Run(condition, World().Build(), vm);
        holds.Should().BeFalse();
        actual.Should().Be(error);
    }

    [Theory]
    // CEL absorption: a decided side wins over an absent fact on either side (db has no lease).
    [InlineData("vm.lease.expired || true", true, null)]
    [InlineData("true || vm.lease.expired", true, null)]
    [InlineData("vm.lease.expired && false", false, null)]
    [InlineData("vm.lease.expired || false", false, "vm.lease.expired is absent: the VM has no lease; guard it with has(vm.lease)")]
    [InlineData("vm.lease.expired && true", false, "vm.lease.expired is absent: the VM has no lease; guard it with has(vm.lease)")]
    [InlineData("!(vm.lease.expired || true)", false, null)]
    public void Evaluate_AbsentFactInLogic_AbsorbedLikeCel(string condition, bool holds, string? error)
    {
        var result = ConditionHarness.Run(condition, World().Build(), "db");
        result.Holds.Should().Be(holds);
        result.Error.Should().Be(error);
    }

    [Fact]
    public void Evaluate_ShortCircuit_GuardsAbsentFact()
    {
        // db has no lease: has() is false, so the right side is never read and there is no error.
        var (holds, error) = ConditionHarness.Run("has(vm.lease) && vm.lease.expired", World().Build(), "db");
        holds.Should().BeFalse();
        error.Should().BeNull();
    }

    [Fact]
    public void Evaluate_TimeZone_ShiftsNowFacts()
    {
        // 14:30 UTC on 25 November is 15:30 in Rome (CET, UTC+1) and 23:30 in Tokyo (UTC+9).
        var s = World().Build();
        ConditionHarness.Run("now.hour == 15", s, "web", TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome")).Holds.Should().BeTrue();
        ConditionHarness.Run("now.hour == 23", s, "web", TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo")).Holds.Should().BeTrue();
    }

    [Fact]
    public void Explain_RendersEachFactWithItsValue()
    {
        var s = World().Build();
        var c = Octopus.Policies.Language.Condition.Compile("vm.state == \"Running\" && vm.cpu.max(2h) < 5 && vm.age > 1d && vm.lease.expiresIn < 0s");
        var ctx = ConditionHarness.Context(s, "web");
        c.Evaluate(ctx).Should().BeTrue();
        c.Explain(ctx).Select(f => f.ToString()).Should().Equal(
            "vm.state = \"Running\"", "vm.cpu.max(2h) = 4", "vm.age = 3d", "vm.lease.expiresIn = -2h");
    }
}
