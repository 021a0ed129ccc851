using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Octopus.Application.Control;
using Octopus.Application.Queries;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary>What the placement pass and the health check read of the whole cluster is summed in SQL: the per-host
/// allocations (<see cref="PlacementPass.SnapshotAsync"/>) read one row per host in use, not one per placed VM, and the
/// health counts (<see cref="ClusterCounts"/>) one row, not one per host; the figures are the same as summing the rows
/// by hand, on both stores.</summary>
public sealed class ClusterAggregatesTests
{
    public static TheoryData<TestStoreKind> Kinds => [TestStoreKind.Sqlite, TestStoreKind.Postgres];

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Counts the reads of SELECTs from one table: EF's <c>ReadCount</c> is the reader's <c>Read()</c> calls, the
    /// rows plus the last call that finds none, so n rows count n + 1.</summary>
    private sealed class RowCounter(string table) : DbCommandInterceptor
    {
        public int Rows;
        private bool Counts(DbCommand command) =>
            command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            && command.CommandText.Contains($"FROM \"{table}\"", StringComparison.Ordinal);

        public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (Counts(command)) Rows += eventData.ReadCount;
            return ValueTask.FromResult(result);
        }
    }

    private static OctopusDbContext Counted(OctopusDbContext db, RowCounter counter) =>
        new(new DbContextOptionsBuilder<OctopusDbContext>((DbContextOptions<OctopusDbContext>)db.GetService<IDbContextOptions>())
            .AddInterceptors(counter).Options);

    private static Host NewHost(string name) =>
        Host.Create(name, new HostCapacity(64, new Mips(1000), ByteSize.FromGiB(256), ByteSize.FromGiB(1000)),
            Octopus.Application.Configuration.ClusterOptions.DefaultPowerModel, T0);

    private static Vm NewVm(UserId owner, int i, int cores, int memoryGiB, int diskGiB) =>
        Vm.Create(VmName.Parse($"vm-{i:D3}"), owner, Geometry.Create(cores, ByteSize.FromGiB(memoryGiB), ByteSize.FromGiB(diskGiB), ImageName.Parse("debian-12")), T0.AddSeconds(i));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Snapshot_SumsEachHostsVmsInSql_OneRowPerHostInUse(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        var owner = User.Create(UserName.Parse("ann"), UserRole.User, "x", Quota.Unlimited, T0);
        var a = NewHost("sim-a");
        var b = NewHost("sim-b");
        var idle = NewHost("sim-idle");
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
        {
            db.Users.Add(owner);
            db.Hosts.AddRange(a, b, idle);
            // 30 VMs on a: 1, 2, 3 cores in turn (sum 60), 1 GiB memory, 10 GiB disk each; 2 VMs on b: 4 cores, 8 GiB, 20 GiB
            // each; 5 VMs pending, which hold nothing.
            for (var i = 0; i < 30; i++)
            {
                var vm = NewVm(owner.Id, i, 1 + i % 3, 1, 10);
                vm.Place(a.Id, T0);
                db.Vms.Add(vm);
            }
            for (var i = 30; i < 32; i++)
            {
                var vm = NewVm(owner.Id, i, 4, 8, 20);
                vm.Place(b.Id, T0);
                db.Vms.Add(vm);
            }
            for (var i = 32; i < 37; i++) db.Vms.Add(NewVm(owner.Id, i, 8, 8, 8));
            await db.SaveChangesAsync(Ct);
        }

        var counter = new RowCounter("Vms");
        await using var plain = await store.Contexts.CreateDbContextAsync(Ct);
        await using var counted = Counted(plain, counter);
        var views = (await PlacementPass.SnapshotAsync(counted, Ct)).ToDictionary(h => h.Name);

        views.Should().HaveCount(3);
        views["sim-a"].Allocated.Should().Be(new HostAllocation(60, ByteSize.FromGiB(30), ByteSize.FromGiB(300), 30));
        views["sim-b"].Allocated.Should().Be(new HostAllocation(8, ByteSize.FromGiB(16), ByteSize.FromGiB(40), 2));
        views["sim-idle"].Allocated.Should().Be(HostAllocation.None);
        counter.Rows.Should().Be(2 + 1, "one aggregate row per host holding VMs (a and b), not one per placed VM (32 + 1)");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ClusterCounts_CountsHostsOnAndVmsInSql_OneHostRow(TestStoreKind kind)
    {
        using var store = TestStore.Create(kind);
        await using (var empty = await store.Contexts.CreateDbContextAsync(Ct))
            (await ClusterCounts.ReadAsync(empty, Ct)).Should().Be(new ClusterCounts(0, 0, 0), "no hosts: no aggregate row, all zero");

        var owner = User.Create(UserName.Parse("ann"), UserRole.User, "x", Quota.Unlimited, T0);
        await using (var db = await store.Contexts.CreateDbContextAsync(Ct))
        {
            db.Users.Add(owner);
            // 40 hosts: every fourth off (10), one failed; 7 VMs.
            for (var i = 0; i < 40; i++)
            {
                var host = NewHost($"sim-{i:D2}");
                if (i % 4 == 0)
                {
                    host.MovePower(HostPowerState.PoweringOff, T0);
                    host.MovePower(HostPowerState.Off, T0);
                }
                else if (i == 1) host.MovePower(HostPowerState.Failed, T0);
                db.Hosts.Add(host);
            }
            for (var i = 0; i < 7; i++) db.Vms.Add(NewVm(owner.Id, i, 1, 1, 1));
            await db.SaveChangesAsync(Ct);
        }

        var counter = new RowCounter("Hosts");
        await using var plain = await store.Contexts.CreateDbContextAsync(Ct);
        await using var counted = Counted(plain, counter);
        (await ClusterCounts.ReadAsync(counted, Ct)).Should().Be(new ClusterCounts(40, 29, 7), "40 hosts, 10 off and 1 failed: 29 on");
        counter.Rows.Should().Be(1 + 1, "the hosts are counted in SQL (one row), not read (40 + 1)");
    }
}
