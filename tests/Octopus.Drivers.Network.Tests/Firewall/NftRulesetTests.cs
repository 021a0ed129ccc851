using Octopus.Domain;
using Octopus.Domain.Networks;
using Octopus.Drivers.Network.Firewall;

namespace Octopus.Drivers.Network.Tests.Firewall;

public class NftRulesetTests
{
    [Fact]
    public void Render_OneNic_HasItsChainsSetsAndJumps()
    {
        var ip = Ipv4Address.Parse("10.77.0.10", "ip");
        var text = NftRuleset.Render([new NicFirewallSpec("tap-web0", MacAddress.ForAddress(ip), ip,
            [IngressRule.Tcp(22), IngressRule.Udp(53, Ipv4Prefix.Parse("10.0.0.0/8")), IngressRule.Icmp()])]);
        text.Should().StartWith("table bridge octopus {}\ndelete table bridge octopus\n");
        text.Should().Contain("set in-tap-web0 { type ipv4_addr . inet_proto . inet_service; flags interval; elements = { 0.0.0.0/0 . tcp . 22, 10.0.0.0/8 . udp . 53 }; }");
        text.Should().Contain("set icmp-tap-web0 { type ipv4_addr; flags interval; elements = { 0.0.0.0/0 }; }");
        text.Should().Contain("ether saddr != 0a:0c:0a:4d:00:0a drop").And.Contain("ether type ip ip saddr != 10.77.0.10 drop");
        text.Should().Contain("iifname \"tap-web0\" jump from-tap-web0").And.Contain("oifname \"tap-web0\" jump to-tap-web0");
    }

    [Fact]
    public void Render_OpenIngress_AcceptsWhatTheNicReceives_ButStillFiltersWhatItSends()
    {
        var ip = Ipv4Address.Parse("10.77.0.10", "ip");
        var text = NftRuleset.Render([new NicFirewallSpec("tap-web0", MacAddress.ForAddress(ip), ip, [], OpenIngress: true)]);
        text.Should().Contain("chain to-tap-web0 {\n    accept\n  }");
        text.Should().Contain("ether type ip ip saddr != 10.77.0.10 drop", "anti-spoofing applies with or without a security group");
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("ten")]
    public void Prefix_Parse_Bad_IsRefused(string text) =>
        FluentActions.Invoking(() => Ipv4Prefix.Parse(text)).Should().Throw<DomainException>().Which.Field.Should().Be("cidr");

    [Fact]
    public void TcpRule_PortOutOfRange_IsRefused() =>
        FluentActions.Invoking(() => IngressRule.Tcp(70000)).Should().Throw<DomainException>().Which.Field.Should().Be("port");
}
