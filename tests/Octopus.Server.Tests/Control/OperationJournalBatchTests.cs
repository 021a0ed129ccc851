using Microsoft.EntityFrameworkCore;
using Octopus.Application.Commands;
using Octopus.Domain.Hosts;
using Octopus.Domain.Operations;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Control;

/// <summary><see cref="OperationJournal.EnsureAllAsync"/> (the placement pass's batch) journals exactly what
/// <see cref="OperationJournal.EnsureAsync"/> called once per VM would: one operation per VM that needs one, none where one
/// of that kind already waits in the store or in the unsaved unit of work, none for stable states or migrations.</summary>
public class OperationJournalBatchTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TestStore _store = TestStore.Create(TestStoreKind.Sqlite);

    public void Dispose()
    {
        _store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Vm Placed(string name, HostId host)
    {
        var vm = Vm.Create(VmName.Parse(name), UserId.New(), Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(10), ImageName.Parse("debian-12")), T0);
        vm.Place(host, T0);
        return vm;
    }

    [Fact]
    public async Task EnsureAllAsync_JournalsOneOperationPerVm_SkippingThoseAlreadyWaiting_AsEnsureAsyncPerVmWould()
    {
        var host = HostId.New();
        var fresh = Placed("fresh", host);                         // needs a create
        var inStore = Placed("in-store", host);                    // a create already waits in the store
        var unsaved = Placed("unsaved", host);                     // a create already waits in this unit of work
        var otherKind = Placed("other-kind", host);                // a pending stop waits, which is not a create
        var stable = Vm.Create(VmName.Parse("stable"), UserId.New(),
            Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(10), ImageName.Parse("debian-12")), T0); // Pending: nothing to journal
        await using (var seed = await _store.Contexts.CreateDbContextAsync())
        {
            seed.Operations.Add(Operation.Begin(OperationKind.CreateVm, inStore.Id, host, "earlier", T0));
            seed.Operations.Add(Operation.Begin(OperationKind.StopVm, otherKind.Id, host, "earlier", T0));
            await seed.SaveChangesAsync();
        }

        await using (var db = await _store.Contexts.CreateDbContextAsync())
        {
            db.Operations.Add(Operation.Begin(OperationKind.CreateVm, unsaved.Id, host, "earlier", T0));
            await OperationJournal.EnsureAllAsync(db, [fresh, inStore, unsaved, otherKind, stable], "scheduler", T0, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        await using var check = await _store.Contexts.CreateDbContextAsync();
        var ops = await check.Operations.AsNoTracking().ToListAsync();
        ops.Where(o => o.Actor == "scheduler").Select(o => (o.VmId, o.Kind)).Should().BeEquivalentTo(
            [((VmId?)fresh.Id, OperationKind.CreateVm), ((VmId?)otherKind.Id, OperationKind.CreateVm)]);
        ops.Where(o => o.Kind == OperationKind.CreateVm).Should().HaveCount(4, "one create each for fresh, in-store, unsaved and other-kind");
    }

    [Fact]
    public async Task EnsureAllAsync_NoVmNeedsAnOperation_AddsNothing()
    {
        var pending = Vm.Create(VmName.Parse("waits"), UserId.New(),
            Geometry.Create(1, ByteSize.FromGiB(1), ByteSize.FromGiB(10), ImageName.Parse("debian-12")), T0);
        await using var db = await _store.Contexts.CreateDbContextAsync();
        await OperationJournal.EnsureAllAsync(db, [pending], "scheduler", T0, CancellationToken.None);
        db.ChangeTracker.Entries<Operation>().Should().BeEmpty();
    }
}
