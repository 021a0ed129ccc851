namespace Octopus.Contracts;

/// <summary>Body of <c>POST /api/v1/networks</c> (admin). <see cref="Subnet"/> in CIDR form, <see cref="Range"/> as
/// FIRST-LAST inside it, <see cref="Gateway"/> inside the subnet and outside the range. <see cref="Users"/> restricts the
/// network to those users (null or empty: everyone may use it).</summary>
public sealed record NetworkCreateRequest(
    string Name,
    string Bridge,
    string Subnet,
    string Gateway,
    string Range,
    string Domain,
    int? Vlan = null,
    IReadOnlyList<string>? Users = null);

/// <summary>A network as the API shows it, with how many of its addresses are used and free.</summary>
public sealed record NetworkDto(
    string Id,
    string Name,
    string Bridge,
    int? Vlan,
    string Subnet,
    string Gateway,
    string Range,
    string Domain,
    IReadOnlyList<string> Users,
    long Size,
    long Used,
    long Free,
    DateTimeOffset CreatedAt);

/// <summary>One of a VM's network interfaces: the network, the MAC and address Octopus gave it, and the name it answers
/// to (<c>HOST.DOMAIN</c>).</summary>
public sealed record NicDto(string Network, string Mac, string Ip, string DnsName);
