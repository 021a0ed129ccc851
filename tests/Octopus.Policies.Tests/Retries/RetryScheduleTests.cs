using Octopus.Policies.Retries;

namespace Octopus.Policies.Tests.Retries;

public class RetryScheduleTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    // delay = 30 s × 2^(n−1), capped at 1 h (no jitter)
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(7, 1920)]   // 30 × 64
    [InlineData(8, 3600)]   // 30 × 128 = 3,840 → capped at 3,600
    [InlineData(19, 3600)]
    public void After_Failures_BacksOffExponentiallyWithCap(int failures, int seconds)
    {
        var schedule = new RetrySchedule(new RetryOptions { Jitter = 0, MaxAttempts = 20 });
        var d = schedule.After(failures, T, "op");
        d.GiveUp.Should().BeFalse();
        d.Delay.Should().Be(TimeSpan.FromSeconds(seconds));
        d.RetryAt.Should().Be(T.AddSeconds(seconds));
    }

    [Fact]
    public void After_LastAttempt_GivesUp()
    {
        var schedule = new RetrySchedule(new RetryOptions { MaxAttempts = 3 });
        schedule.After(2, T, "op").GiveUp.Should().BeFalse();
        var last = schedule.After(3, T, "op");
        last.GiveUp.Should().BeTrue();
        last.RetryAt.Should().BeNull();
        last.Explanation.Should().Be("gave up after 3 attempt(s)");
    }

    [Fact]
    public void Delay_Jitter_IsDeterministicBoundedAndSpreadsKeys()
    {
        var schedule = new RetrySchedule(new RetryOptions { Jitter = 0.5 });
        var delays = Enumerable.Range(0, 50).Select(i => schedule.Delay(2, $"vm-{i}")).ToList();
        // base 60 s; jitter adds up to 50 %: every delay in [60, 90) s
        delays.Should().OnlyContain(d => d >= TimeSpan.FromSeconds(60) && d < TimeSpan.FromSeconds(90));
        delays.Distinct().Count().Should().BeGreaterThan(10);
        schedule.Delay(2, "vm-7").Should().Be(schedule.Delay(2, "vm-7"));
    }

    [Theory]
    [InlineData(0, 2, 60, 8, 0.1)]
    [InlineData(30, 0.5, 60, 8, 0.1)]
    [InlineData(30, 2, 10, 8, 0.1)]
    [InlineData(30, 2, 60, 0, 0.1)]
    [InlineData(30, 2, 60, 8, 1.5)]
    public void Constructor_InvalidOptions_Refused(int initial, double factor, int max, int attempts, double jitter)
    {
        var act = () => new RetrySchedule(new RetryOptions
        {
            InitialDelay = TimeSpan.FromSeconds(initial), Factor = factor, MaxDelay = TimeSpan.FromSeconds(max), MaxAttempts = attempts, Jitter = jitter,
        });
        act.Should().Throw<ArgumentException>();
    }
}
