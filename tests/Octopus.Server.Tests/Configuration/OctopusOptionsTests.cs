using Octopus.Application.Configuration;

namespace Octopus.Server.Tests.Configuration;

public class OctopusOptionsTests
{
    [Fact]
    public void Validate_Defaults_GiveEightHostsAndThreeImages()
    {
        var s = new OctopusOptions().Validate();
        s.Hosts.Should().HaveCount(8);
        s.Hosts[0].Name.Should().Be("sim-01");
        s.Images.Select(i => i.Name.Value).Should().Equal("debian-12", "ubuntu-24.04", "windows-server-2022");
        s.Port.Should().Be(5080);
    }

    [Fact]
    public void Validate_BadSize_NamesTheKey()
    {
        var o = new OctopusOptions();
        o.Cluster.Hosts = [new OctopusOptions.HostGroupSection { Memory = "lots" }];
        FluentActions.Invoking(() => o.Validate()).Should().Throw<ConfigurationException>()
            .WithMessage("configuration error at Octopus:Cluster:Hosts:0:Memory: 'lots' is not a size*");
    }

    [Fact]
    public void Validate_BadPowerModel_NamesTheKey()
    {
        var o = new OctopusOptions();
        o.Cluster.Hosts = [new OctopusOptions.HostGroupSection { PowerModel = [1, 2, 3] }];
        FluentActions.Invoking(() => o.Validate()).Should().Throw<ConfigurationException>().WithMessage("*Hosts:0:PowerModel*11 values*");
    }

    [Theory]
    [InlineData("diagonal")]
    [InlineData("")]
    public void Validate_UnknownStrategy_IsRejected(string strategy)
    {
        var o = new OctopusOptions { Scheduler = { Strategy = strategy } };
        FluentActions.Invoking(() => o.Validate()).Should().Throw<ConfigurationException>().WithMessage("*Strategy*pack or spread*");
    }

    [Fact]
    public void Validate_DuplicateHostNames_AreRejected()
    {
        var o = new OctopusOptions();
        o.Cluster.Hosts = [new() { NamePrefix = "a", Count = 2 }, new() { NamePrefix = "a", Count = 1 }];
        FluentActions.Invoking(() => o.Validate()).Should().Throw<ConfigurationException>().WithMessage("*'a-01'*NamePrefix*");
    }

    [Fact]
    public void Validate_PolicyOptions_AreCheckedAgainstTheirRange()
    {
        var ok = new OctopusOptions { Scheduler = { PolicyOptions = new() { ["octopus.fill"] = "0.95", ["lr.safety"] = "1.5" } } }.Validate();
        ok.PolicyOptions.Values.Should().Contain(new KeyValuePair<string, double>("octopus.fill", 0.95));

        var bad = new OctopusOptions { Scheduler = { PolicyOptions = new() { ["octopus.fill"] = "1.5" } } };
        FluentActions.Invoking(() => bad.Validate()).Should().Throw<ConfigurationException>()
            .WithMessage("*Octopus:Scheduler:PolicyOptions:octopus.fill*from 0.5 to 1*got 1.5*");
        var unknown = new OctopusOptions { Scheduler = { PolicyOptions = new() { ["octopus.speed"] = "2" } } };
        FluentActions.Invoking(() => unknown.Validate()).Should().Throw<ConfigurationException>().WithMessage("*unknown option 'octopus.speed'*octopus.fill*");
    }

    [Fact]
    public void Validate_LegacyOctopusPolicyKeys_MapToOptionsAndNameTheKey()
    {
        var o = new OctopusOptions { Scheduler = { OctopusPolicy = { HorizonSteps = 300 } } };
        FluentActions.Invoking(() => o.Validate()).Should().Throw<ConfigurationException>()
            .WithMessage("*OctopusPolicy:HorizonSteps*octopus.horizon*whole number from 1 to 288*got 300*");
        new OctopusOptions { Scheduler = { OctopusPolicy = { MinimumDwellSteps = 2 } } }.Validate()
            .PolicyOptions.Values["octopus.dwell"].Should().Be(2);
    }
}
