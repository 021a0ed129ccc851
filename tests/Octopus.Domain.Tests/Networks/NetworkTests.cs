using Octopus.Domain.Networks;
using Octopus.Domain.Users;

namespace Octopus.Domain.Tests.Networks;

public class NetworkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static Network Make(string subnet = "10.77.0.0/24", string gateway = "10.77.0.1", string range = "10.77.0.10-10.77.0.250",
        string name = "lab", string bridge = "br-lab", int? vlan = null, params Network[] others) =>
        Network.Create(NetworkName.Parse(name), BridgeName.Parse(bridge), Ipv4Subnet.Parse(subnet), Ipv4Address.Parse(gateway, "gateway"),
            Ipv4Range.Parse(range), DnsDomain.Parse("lab.octopus"), vlan, [], Now, others);

    [Theory]
    [InlineData("10.77.0.0/24", "10.77.0.0", 24, "10.77.0.255", 254)]
    [InlineData("192.168.4.0/30", "192.168.4.0", 30, "192.168.4.3", 2)]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8, "10.255.255.255", 16777214)]
    public void Subnet_Parse_GivesNetworkBroadcastAndHosts(string text, string network, int prefix, string broadcast, long usable)
    {
        var s = Ipv4Subnet.Parse(text);
        s.Network.ToString().Should().Be(network);
        s.PrefixLength.Should().Be(prefix);
        s.Broadcast.ToString().Should().Be(broadcast);
        s.UsableCount.Should().Be(usable); // 2^(32-prefix) - network - broadcast
        s.ToString().Should().Be(text);
    }

    [Theory]
    [InlineData("10.77.0.0", "CIDR form")]
    [InlineData("10.77.0/24", "CIDR form")]
    [InlineData("10.77.0.0/33", "out of range")]
    [InlineData("10.77.0.0/31", "out of range")]
    [InlineData("10.77.0.0/4", "out of range")]
    [InlineData("10.77.0.1/24", "host bits set; the subnet containing 10.77.0.1 is 10.77.0.0/24")]
    [InlineData("10.077.0.0/24", "CIDR form")]
    [InlineData("300.1.1.0/24", "CIDR form")]
    [InlineData("10.77.0.0/+8", "CIDR form")]
    [InlineData("", "CIDR form")]
    public void Subnet_Parse_BadCidr_NamesTheFieldAndTheFix(string text, string message)
    {
        var e = FluentActions.Invoking(() => Ipv4Subnet.Parse(text)).Should().Throw<DomainException>().Which;
        e.Field.Should().Be("subnet");
        e.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("10.77.0.0/24", "10.77.0.128/25", true)]  // the /25 is inside the /24
    [InlineData("10.77.0.0/24", "10.0.0.0/8", true)]      // the /8 contains the /24
    [InlineData("10.77.0.0/24", "10.77.1.0/24", false)]   // neighbours
    [InlineData("10.77.0.0/23", "10.77.1.0/24", true)]    // 10.77.0.0-10.77.1.255 holds 10.77.1.0
    public void Subnet_Overlaps_IsSymmetric(string a, string b, bool overlaps)
    {
        Ipv4Subnet.Parse(a).Overlaps(Ipv4Subnet.Parse(b)).Should().Be(overlaps);
        Ipv4Subnet.Parse(b).Overlaps(Ipv4Subnet.Parse(a)).Should().Be(overlaps);
    }

    [Fact]
    public void Create_OverlappingSubnet_IsRefusedNamingTheOtherNetwork()
    {
        var lab = Make();
        var e = FluentActions.Invoking(() => Make("10.77.0.128/25", "10.77.0.129", "10.77.0.140-10.77.0.150", "other", "br-other", null, lab))
            .Should().Throw<DomainException>().Which;
        e.Field.Should().Be("subnet");
        e.Code.Should().Be("network.overlap");
        e.Message.Should().Contain("overlaps network 'lab' (10.77.0.0/24)");
    }

    [Theory]
    [InlineData("10.77.0.10-10.77.1.5", "range", "not inside 10.77.0.0/24's host addresses (10.77.0.1-10.77.0.254)")]
    [InlineData("10.77.0.0-10.77.0.20", "range", "not inside")]        // the network address is no host's
    [InlineData("10.77.0.10-10.77.0.255", "range", "not inside")]      // nor is the broadcast address
    [InlineData("10.77.0.1-10.77.0.20", "range", "contains the gateway 10.77.0.1")]
    public void Create_BadRange_NamesTheField(string range, string field, string message)
    {
        var e = FluentActions.Invoking(() => Make(range: range)).Should().Throw<DomainException>().Which;
        e.Field.Should().Be(field);
        e.Message.Should().Contain(message);
    }

    [Theory]
    [InlineData("10.78.0.1")]
    [InlineData("10.77.0.0")]
    [InlineData("10.77.0.255")]
    public void Create_GatewayOutsideSubnet_IsRefused(string gateway) =>
        FluentActions.Invoking(() => Make(gateway: gateway)).Should().Throw<DomainException>().Which.Field.Should().Be("gateway");

    [Fact]
    public void Range_Parse_Backwards_IsRefused() =>
        FluentActions.Invoking(() => Ipv4Range.Parse("10.77.0.250-10.77.0.10")).Should().Throw<DomainException>()
            .Which.Message.Should().Contain("ends before it starts");

    [Theory]
    [InlineData(0)]
    [InlineData(4095)]
    public void Create_VlanOutOfRange_IsRefused(int vlan) =>
        FluentActions.Invoking(() => Make(vlan: vlan)).Should().Throw<DomainException>().Which.Field.Should().Be("vlan");

    [Fact]
    public void Create_SameBridgeOrName_IsRefused()
    {
        var lab = Make();
        FluentActions.Invoking(() => Make("10.78.0.0/24", "10.78.0.1", "10.78.0.10-10.78.0.20", "two", "br-lab", null, lab))
            .Should().Throw<DomainException>().Which.Field.Should().Be("bridge");
        FluentActions.Invoking(() => Make("10.78.0.0/24", "10.78.0.1", "10.78.0.10-10.78.0.20", "lab", "br-two", null, lab))
            .Should().Throw<DomainException>().Which.Code.Should().Be("network.duplicate-name");
    }

    [Fact]
    public void AllocateAddress_TakesLowestFree_ThenRefusesWhenExhausted()
    {
        var n = Make(range: "10.77.0.10-10.77.0.12"); // three addresses
        var used = new HashSet<Ipv4Address> { Ipv4Address.Parse("10.77.0.10", "x") };
        var versions = n.Version;
        var a = n.AllocateAddress(used);
        a.ToString().Should().Be("10.77.0.11");
        n.Version.Should().Be(versions + 1, "every allocation bumps the concurrency token");
        used.Add(a);
        used.Add(n.AllocateAddress(used));
        var e = FluentActions.Invoking(() => n.AllocateAddress(used)).Should().Throw<DomainException>().Which;
        e.Code.Should().Be("network.exhausted");
        e.Message.Should().Contain("Network 'lab'").And.Contain("all 3 addresses of 10.77.0.10-10.77.0.12");
    }

    [Fact]
    public void AllocateAddress_RangeEndingAtTopOfAddressSpace_Terminates()
    {
        var n = Make("255.255.255.0/24", "255.255.255.1", "255.255.255.253-255.255.255.254");
        var used = new HashSet<Ipv4Address>();
        used.Add(n.AllocateAddress(used));
        used.Add(n.AllocateAddress(used));
        FluentActions.Invoking(() => n.AllocateAddress(used)).Should().Throw<DomainException>();
    }

    [Fact]
    public void Mac_ForAddress_IsPoolPrefixThenAddressBytes()
    {
        // 10.77.0.11 = 0x0a4d000b; prefix 0a:0c (locally administered, unicast)
        MacAddress.ForAddress(Ipv4Address.Parse("10.77.0.11", "x")).ToString().Should().Be("0a:0c:0a:4d:00:0b");
        MacAddress.TryParse("0A:0c:0a:4d:00:0b", out var m).Should().BeTrue();
        m.Should().Be(MacAddress.ForAddress(Ipv4Address.Parse("10.77.0.11", "x")));
        MacAddress.TryParse("0a:0c:0a:4d:00", out _).Should().BeFalse();
    }

    [Fact]
    public void MayBeUsedBy_RestrictedNetwork_AdmitsListedUsersAndAdmins()
    {
        var alice = UserId.New();
        var n = Network.Create(NetworkName.Parse("lab"), BridgeName.Parse("br-lab"), Ipv4Subnet.Parse("10.77.0.0/24"),
            Ipv4Address.Parse("10.77.0.1", "gateway"), Ipv4Range.Parse("10.77.0.10-10.77.0.20"), DnsDomain.Parse("lab.octopus"), null, [alice], Now, []);
        n.MayBeUsedBy(alice, false).Should().BeTrue();
        n.MayBeUsedBy(UserId.New(), false).Should().BeFalse();
        n.MayBeUsedBy(UserId.New(), true).Should().BeTrue();
    }

    [Theory]
    [InlineData("br-lab", true)]
    [InlineData("bridge-too-long-x", false)] // 17 > 15 (IFNAMSIZ - 1)
    [InlineData("br lab", false)]
    [InlineData("br/lab", false)]
    public void BridgeName_Parse_FollowsKernelRules(string text, bool ok)
    {
        var parse = FluentActions.Invoking(() => BridgeName.Parse(text));
        if (ok) parse.Should().NotThrow();
        else parse.Should().Throw<DomainException>().Which.Field.Should().Be("bridge");
    }

    [Theory]
    [InlineData("lab.octopus", "lab.octopus")]
    [InlineData("Lab.Octopus.", "lab.octopus")]
    public void DnsDomain_Parse_Normalises(string text, string expected) => DnsDomain.Parse(text).Value.Should().Be(expected);

    [Theory]
    [InlineData("-lab.octopus")]
    [InlineData("lab..octopus")]
    [InlineData("lab_x.octopus")]
    public void DnsDomain_Parse_BadDomain_IsRefused(string text) =>
        FluentActions.Invoking(() => DnsDomain.Parse(text)).Should().Throw<DomainException>().Which.Field.Should().Be("domain");
}
