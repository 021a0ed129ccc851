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
        text.Should().Contain("ether type 0x8035 @nh,64,48 0x0a0c0a4d000a accept", "RARP announcements of its own MAC pass (live migration)");
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

    [Fact]
    public void Render_RangesAndAnyProtocol_GoToTheirSets()
    {
        var ip = Ipv4Address.Parse("10.77.0.10", "ip");
        var text = NftRuleset.Render([new NicFirewallSpec("tap-web0", MacAddress.ForAddress(ip), ip,
            [IngressRule.Parse("tcp 8000-8100 10.0.0.0/8"), IngressRule.Parse("any - 192.168.0.0/16")])]);
        text.Should().Contain("elements = { 10.0.0.0/8 . tcp . 8000-8100 }");
        text.Should().Contain("set all-tap-web0 { type ipv4_addr; flags interval; elements = { 192.168.0.0/16 }; }");
        text.Should().Contain("ether type ip ip saddr @all-tap-web0 accept");
    }

    [Theory]
    [InlineData("tcp 22 10.0.0.0/8")]
    [InlineData("udp 5000-5100 0.0.0.0/0")]
    [InlineData("icmp - 192.168.1.7/32")]
    [InlineData("any - 0.0.0.0/0")]
    public void Rule_TextForm_RoundTrips(string text) => IngressRule.Parse(text).ToString().Should().Be(text);

    [Theory]
    [InlineData("tcp - 0.0.0.0/0", "port")]
    [InlineData("icmp 22 0.0.0.0/0", "port")]
    [InlineData("sctp 22 0.0.0.0/0", "protocol")]
    [InlineData("tcp 22", "rule")]
    public void Rule_Parse_Bad_IsRefusedNamingTheField(string text, string field) =>
        FluentActions.Invoking(() => IngressRule.Parse(text)).Should().Throw<DomainException>().Which.Field.Should().Be(field);
}
