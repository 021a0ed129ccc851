using AwesomeAssertions;
using Microsoft.Extensions.Configuration;
using Octopus.Application.Configuration;
using Octopus.Application.Policies;

namespace Octopus.Server.Tests.Policies;

public sealed class PolicySettingsTests
{
    private static PolicySettings From(params (string Key, string Value)[] values) => PolicySettings.From(new ConfigurationBuilder()
        .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Octopus:Policies:" + v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_and_both_duration_notations()
    {
        From().Should().Be(PolicySettings.Default);
        From(("MaxLease", "30d")).MaxLease.Should().Be(TimeSpan.FromDays(30));
        From(("Interval", "00:00:05")).Interval.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("MaxLease", "forever", "not a duration")]
    [InlineData("MaxLease", "10m", "out of range")]
    [InlineData("Interval", "0s", "out of range")]
    [InlineData("ScriptTimeout", "1h", "out of range")]
    public void Bad_values_name_the_key(string key, string value, string problem) =>
        FluentActions.Invoking(() => From((key, value))).Should().Throw<ConfigurationException>()
            .Where(e => e.Message.Contains("Octopus:Policies:" + key) && e.Message.Contains(problem));
}
