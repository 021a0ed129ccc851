using Microsoft.Extensions.Configuration;
using Octopus.Application.Configuration;
using Octopus.Server.Identity;
using Octopus.Application.Identity;

namespace Octopus.Server.Tests.Identity;

public class LoginSettingsTests
{
    [Theory]
    // MaxFailures 5, base 30 s, max 15 min: lockout = 30 s × 2^(failures − 5), capped at 900 s.
    [InlineData(4, 0)]     // below the limit: no lockout
    [InlineData(5, 30)]    // 30 × 2^0
    [InlineData(6, 60)]    // 30 × 2^1
    [InlineData(9, 480)]   // 30 × 2^4
    [InlineData(10, 900)]  // 30 × 2^5 = 960 → capped at 900
    [InlineData(500, 900)] // no overflow far past the cap
    public void LockoutAfter_Failures_DoublesFromBaseUpToMax(int failures, int seconds) =>
        LoginSettings.Default.LockoutAfter(failures).Should().Be(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("MaxFailures", "0")]
    [InlineData("LockoutBase", "00:00:00")]
    [InlineData("LockoutMax", "00:00:10")]  // below LockoutBase (30 s)
    [InlineData("PerAddressPermits", "0")]
    [InlineData("HashConcurrency", "65")]
    [InlineData("HashQueue", "-1")]
    public void From_OutOfRange_ConfigurationErrorNamingTheKey(string key, string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Octopus:Login:{key}"] = value }).Build();
        var act = () => LoginSettings.From(config);
        act.Should().Throw<ConfigurationException>().WithMessage($"*Octopus:Login:{key}*");
    }

    [Fact]
    public void From_NotANumber_ConfigurationErrorNamingTheSection()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Octopus:Login:MaxFailures"] = "many" }).Build();
        var act = () => LoginSettings.From(config);
        act.Should().Throw<ConfigurationException>().WithMessage("*Octopus:Login*");
    }
}
