using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Scheduling.Placement;

namespace Octopus.Bench.Placement;

/// <summary>Seeded synthetic clusters and workloads: mixed host geometries, a few hosts off or in maintenance, some
/// already partly used, and VM sizes skewed towards small ones as in real clouds.</summary>
internal static class Cluster
{
    private static readonly (int Cores, int MemGiB, int DiskGiB, int Weight)[] HostShapes =
    [
        (16, 64, 1024, 3),
        (32, 128, 2048, 4),
        (48, 256, 4096, 2),
        (64, 512, 4096, 1),
    ];

    private static readonly (int Cores, int MemGiB, int DiskGiB, int Weight)[] VmShapes =
    [
        (1, 1, 10, 20),
        (1, 2, 20, 20),
        (2, 4, 40, 20),
        (2, 8, 50, 12),
        (4, 8, 80, 12),
        (4, 16, 100, 8),
        (8, 32, 200, 6),
        (16, 64, 400, 2),
    ];

    public static List<HostView> Hosts(int count, int seed)
    {
        var random = new Random(seed);
        var hosts = new List<HostView>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = Pick(HostShapes, random);
            var capacity = new HostCapacity(shape.Cores, new Mips(2500), ByteSize.FromGiB(shape.MemGiB), ByteSize.FromGiB(shape.DiskGiB));
            var used = random.Next(3) == 0 ? random.NextDouble() * 0.5 : 0; // a third already hold some VMs
            var allocation = used == 0
                ? HostAllocation.None
                : new HostAllocation((int)(shape.Cores * used), ByteSize.FromGiB(Math.Floor(shape.MemGiB * used)),
                    ByteSize.FromGiB(Math.Floor(shape.DiskGiB * used)), 1 + (int)(shape.Cores * used / 2));
            var roll = random.Next(100);
            var power = roll < 3 ? HostPowerState.Off : HostPowerState.On;
            hosts.Add(new HostView(HostId.New(), $"sim-{i:000000}", capacity, allocation, power, roll == 99, CpuLoad.FromPercent(random.Next(100))));
        }
        return hosts;
    }

    public static List<PlacementRequest> Requests(int count, int seed)
    {
        var random = new Random(seed);
        var requests = new List<PlacementRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var shape = Pick(VmShapes, random);
            requests.Add(new PlacementRequest($"vm-{i}", shape.Cores, ByteSize.FromGiB(shape.MemGiB), ByteSize.FromGiB(shape.DiskGiB)));
        }
        return requests;
    }

    private static (int Cores, int MemGiB, int DiskGiB, int Weight) Pick((int Cores, int MemGiB, int DiskGiB, int Weight)[] shapes, Random random)
    {
        var roll = random.Next(shapes.Sum(s => s.Weight));
        foreach (var shape in shapes)
        {
            if (roll < shape.Weight) return shape;
            roll -= shape.Weight;
        }
        return shapes[^1];
    }
}
