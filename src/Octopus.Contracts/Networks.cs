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

/// <summary>One used address of a network (<c>GET /api/v1/networks/{id}/addresses</c>): the NIC Octopus gave it and the VM
/// that holds it. Admins see every address; a user sees only their own VMs' addresses.</summary>
/// <param name="Ip">The address.</param>
/// <param name="Mac">The NIC's MAC.</param>
/// <param name="DnsName">The name the VM answers to on this network (<c>HOST.DOMAIN</c>).</param>
/// <param name="VmId">The VM's id.</param>
/// <param name="VmName">The VM's name.</param>
/// <param name="Owner">The VM owner's user name.</param>
/// <param name="AllocatedAt">When the address was given to the VM.</param>
public sealed record NetworkAddressDto(string Ip, string Mac, string DnsName, string VmId, string VmName, string Owner, DateTimeOffset AllocatedAt);

/// <summary>One of a VM's network interfaces: the network, the MAC and address Octopus gave it, and the name it answers
/// to (<c>HOST.DOMAIN</c>).</summary>
public sealed record NicDto(string Network, string Mac, string Ip, string DnsName);

/// <summary>Body of <c>POST /api/v1/vms/{vm}/security-rules</c>: admit new connections of <see cref="Protocol"/> (tcp,
/// udp, icmp or any) to <see cref="Port"/> (tcp and udp only, where it is required: <c>22</c> or <c>8000-8100</c>) from
/// <see cref="Source"/> (CIDR or a single address; null: anywhere, 0.0.0.0/0).</summary>
public sealed record SecurityRuleRequest(string Protocol, string? Port = null, string? Source = null);

/// <summary>One ingress rule of a VM's security group.</summary>
/// <param name="Id">The rule's id (what removing it names).</param>
/// <param name="Protocol">tcp, udp, icmp or any.</param>
/// <param name="Source">The CIDR block new connections may come from.</param>
/// <param name="CreatedAt">When it was added.</param>
/// <param name="Port">The port or LOW-HIGH range; null for icmp and any.</param>
public sealed record SecurityRuleDto(string Id, string Protocol, string? Port, string Source, DateTimeOffset CreatedAt);

/// <summary>A VM's security group: its ingress rules, oldest first (none: no new connection reaches it; egress is open
/// and replies to its own connections always pass).</summary>
/// <param name="Vm">The VM's id.</param>
/// <param name="Rules">Its rules, oldest first.</param>
/// <param name="Operation">The journaled operation applying the rules on the VM's running host (follow it under
/// <c>/api/v1/operations/{id}</c>); null when none is under way (a stopped VM takes its rules when it starts).</param>
public sealed record SecurityGroupDto(string Vm, IReadOnlyList<SecurityRuleDto> Rules, string? Operation);
