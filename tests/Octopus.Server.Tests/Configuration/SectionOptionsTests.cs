using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Octopus.Application.Agents;
using Octopus.Application.Configuration;

namespace Octopus.Server.Tests.Configuration;

/// <summary>The sections that replaced the one settings record (<c>Octopus</c>'s own keys, <c>Cluster</c>, <c>Images</c>,
/// <c>Scheduler</c>, <c>Agents</c>), each bound and checked the way the server does at start-up
/// (<see cref="OctopusSections.Read{TOptions, TValidator}"/>): a wrong value names its full key.</summary>
public class SectionOptionsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static T Read<T, TValidator>(string section, params (string Key, string? Value)[] values)
        where T : class, new() where TValidator : IValidateOptions<T>, new() =>
        OctopusSections.Read<T, TValidator>(Config(values), section, hasSubsections: section == ServerOptions.Section);

    [Fact]
    public void Defaults_GiveEightHostsThreeImagesAndPort5080()
    {
        var hosts = Read<ClusterOptions, ClusterOptionsValidator>(ClusterOptions.Section).HostSpecs();
        hosts.Should().HaveCount(8);
        hosts[0].Name.Should().Be("sim-01");
        Read<ImageOptions, ImageOptionsValidator>(ImageOptions.Section).ImageSpecs().Select(i => i.Name.Value)
            .Should().Equal("debian-12", "ubuntu-24.04", "windows-server-2022");
        var server = Read<ServerOptions, ServerOptionsValidator>(ServerOptions.Section, ("Octopus:Cluster:Hosts:0:Count", "2"));
        server.Port.Should().Be(5080);
        server.AgentsRunVms.Should().BeFalse();
        var scheduler = Read<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.Section);
        (scheduler.Interval, scheduler.Mode(), scheduler.PolicyName).Should().Be((TimeSpan.FromSeconds(1), Application.Consolidation.ConsolidationMode.Manual, "octopus"));
    }

    [Fact]
    public void Images_AreBoundFromTheList_AndADuplicateIsRefused()
    {
        Read<ImageOptions, ImageOptionsValidator>(ImageOptions.Section, ("Octopus:Images:0:Name", "alpine"), ("Octopus:Images:0:Size", "1GiB"))
            .ImageSpecs().Should().ContainSingle().Which.Size.Bytes.Should().Be(1L << 30);
        FluentActions.Invoking(() => Read<ImageOptions, ImageOptionsValidator>(ImageOptions.Section,
                ("Octopus:Images:0:Name", "alpine"), ("Octopus:Images:1:Name", "alpine")))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Images: the image 'alpine' is listed twice*");
        FluentActions.Invoking(() => Read<ImageOptions, ImageOptionsValidator>(ImageOptions.Section, ("Octopus:Images:0:Name", "alpine"), ("Octopus:Images:0:Sise", "1GiB")))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Images:0:Sise: is not a setting*Name, Size*");
    }

    [Theory]
    [InlineData("Octopus:Port", "70000", "Octopus:Port", "not a TCP port")]
    [InlineData("Octopus:Port", "many", "Octopus:Port", "is not a whole number")]
    [InlineData("Octopus:Bind", "localhost", "Octopus:Bind", "not an IP address")]
    [InlineData("Octopus:Driver", "xen", "Octopus:Driver", "use simulated or qemu")]
    [InlineData("Octopus:Cluster:Hosts:0:Memory", "lots", "Octopus:Cluster:Hosts:0:Memory", "'lots' is not a size")]
    [InlineData("Octopus:Cluster:Hosts:0:PowerModel:0", "1", "Octopus:Cluster:Hosts:0:PowerModel", "11 values")]
    [InlineData("Octopus:Cluster:Hosts:0:Cpus", "4", "Octopus:Cluster:Hosts:0:Cpus", "is not a setting")]
    [InlineData("Octopus:Scheduler:Strategy", "diagonal", "Octopus:Scheduler:Strategy", "pack or spread")]
    [InlineData("Octopus:Scheduler:Strategy", "", "Octopus:Scheduler:Strategy", "pack or spread")]
    [InlineData("Octopus:Scheduler:Interval", "00:05:00", "Octopus:Scheduler:Interval", "out of range")]
    [InlineData("Octopus:Scheduler:Consolidation", "sometimes", "Octopus:Scheduler:Consolidation", "sometimes")]
    [InlineData("Octopus:Scheduler:ConsolidationPolicy", "greedy", "Octopus:Scheduler:ConsolidationPolicy", "greedy")]
    [InlineData("Octopus:Scheduler:PolicyOptions:octopus.fill", "1.5", "Octopus:Scheduler:PolicyOptions:octopus.fill", "from 0.5 to 1*got 1.5")]
    [InlineData("Octopus:Scheduler:PolicyOptions:octopus.speed", "2", "Octopus:Scheduler:PolicyOptions:octopus.speed", "unknown option 'octopus.speed'*octopus.fill")]
    [InlineData("Octopus:Scheduler:OctopusPolicy:HorizonSteps", "300", "Octopus:Scheduler:OctopusPolicy:HorizonSteps", "octopus.horizon*whole number from 1 to 288*got 300")]
    [InlineData("Octopus:Scheduler:PowerReadingInterval", "00:00:01", "Octopus:Scheduler:PowerReadingInterval", "out of range")]
    public void WrongValue_NamesItsKey(string key, string value, string reported, string problem)
    {
        var section = key.Split(':') is [_, "Cluster", ..] ? "cluster" : key.Split(':') is [_, "Scheduler", ..] ? "scheduler" : "server";
        Action read = section switch
        {
            "cluster" => () => Read<ClusterOptions, ClusterOptionsValidator>(ClusterOptions.Section, (key, value)).HostSpecs(),
            "scheduler" => () => Read<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.Section, (key, value)),
            _ => () => Read<ServerOptions, ServerOptionsValidator>(ServerOptions.Section, (key, value)),
        };
        read.Should().Throw<ConfigurationException>().Where(e => e.Key == reported).WithMessage($"*{problem}*");
    }

    [Fact]
    public void DuplicateHostNames_AreRefused()
    {
        FluentActions.Invoking(() => Read<ClusterOptions, ClusterOptionsValidator>(ClusterOptions.Section,
                ("Octopus:Cluster:Hosts:0:NamePrefix", "a"), ("Octopus:Cluster:Hosts:0:Count", "2"),
                ("Octopus:Cluster:Hosts:1:NamePrefix", "a"), ("Octopus:Cluster:Hosts:1:Count", "1")))
            .Should().Throw<ConfigurationException>().WithMessage("configuration error at Octopus:Cluster:Hosts: *'a-01'*NamePrefix*");
    }

    [Fact]
    public void PolicyOptions_AreCheckedAgainstTheirRange_AndWinOverTheLegacyKeys()
    {
        var ok = Read<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.Section,
            ("Octopus:Scheduler:PolicyOptions:octopus.fill", "0.95"), ("Octopus:Scheduler:PolicyOptions:lr.safety", "1.5"),
            ("Octopus:Scheduler:OctopusPolicy:MinimumDwellSteps", "2"));
        ok.Policy().Values.Should().Contain(new KeyValuePair<string, double>("octopus.fill", 0.95)).And.Contain(new KeyValuePair<string, double>("octopus.dwell", 2));
    }

    [Fact]
    public void AgentJoinToken_IsRequiredOnlyWithTheQemuDriver()
    {
        var validator = (bool qemu) => new AgentOptionsValidator(Options.Create(new ServerOptions { Driver = qemu ? "qemu" : "simulated" }));
        validator(false).Validate(null, new AgentOptions()).Succeeded.Should().BeTrue();
        var refused = validator(true).Validate(null, new AgentOptions { JoinToken = "short" });
        refused.Failed.Should().BeTrue();
        refused.FailureMessage.Should().StartWith("Octopus:Agents:JoinToken: the qemu driver needs a cluster join token of at least 16 characters");
        validator(true).Validate(null, new AgentOptions { JoinToken = "0123456789abcdef", HeartbeatTimeout = TimeSpan.FromSeconds(1) })
            .FailureMessage.Should().StartWith("Octopus:Agents:HeartbeatTimeout:").And.Contain("out of range");
    }
}
