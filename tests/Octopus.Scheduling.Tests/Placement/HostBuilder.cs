using System.Security.Cryptography;
using System.Text;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Scheduling.Placement;

namespace Octopus.Scheduling.Tests.Placement;

/// <summary>Fluent fixture for a <see cref="HostView"/>: an empty, powered-on 8-core, 16 GiB, 100 GiB host unless told
/// otherwise. Ids derive from the name so fixtures are stable across runs.</summary>
internal sealed class HostBuilder
{
    private readonly string name;
    private HostId? id;
    private int cores = 8;
    private ByteSize memory = ByteSize.Parse("16GiB");
    private ByteSize disk = ByteSize.Parse("100GiB");
    private HostAllocation allocated = HostAllocation.None;
    private HostPowerState power = HostPowerState.On;
    private bool maintenance;
    private CpuLoad load = CpuLoad.Idle;

    private HostBuilder(string name) => this.name = name;

    public static HostBuilder MakeHost(string name) => new(name);

    public HostBuilder Id(HostId value) { id = value; return this; }
    public HostBuilder Cores(int value) { cores = value; return this; }
    public HostBuilder Memory(string value) { memory = ByteSize.Parse(value); return this; }
    public HostBuilder Disk(string value) { disk = ByteSize.Parse(value); return this; }
    public HostBuilder Allocated(int cores = 0, string memory = "0", string disk = "0", int vms = 1)
    {
        allocated = new HostAllocation(cores, ByteSize.Parse(memory), ByteSize.Parse(disk), vms);
        return this;
    }
    public HostBuilder Power(HostPowerState value) { power = value; return this; }
    public HostBuilder Off() => Power(HostPowerState.Off);
    public HostBuilder InMaintenance() { maintenance = true; return this; }
    public HostBuilder LoadPercent(double percent) { load = CpuLoad.FromPercent(percent); return this; }

    public HostView Build() => new(id ?? IdFor(name),
        name, new HostCapacity(cores, new Mips(1000), memory, disk), allocated, power, maintenance, load);

    public static implicit operator HostView(HostBuilder builder) => builder.Build();

    public static HostId IdFor(string name) => new(new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(name)).AsSpan(0, 16)));
}

/// <summary>Shorthands for requests in tests.</summary>
internal static class Requests
{
    public static PlacementRequest Request(int cores, string memory, string disk = "10GiB", string name = "vm") =>
        new(name, cores, ByteSize.Parse(memory), ByteSize.Parse(disk));
}
