using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Octopus.Application.Agents;
using Octopus.Application.Cluster;
using Octopus.Contracts.Agents;
using Octopus.Disks.Catalog;
using Octopus.Disks.Model;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Units;
using Octopus.Domain.Users;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Agents;
using Octopus.Persistence.Disks;
using Octopus.Persistence.Leadership;
using Octopus.Persistence.Records;
using Octopus.Persistence.Settings;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary>A leader's set-based writes (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>) are fenced by its term as its saves
/// are: under a superseded term each one throws <see cref="StaleLeaderException"/> and changes nothing, under the current
/// term it applies. The store's term is 2 in every test; term 1 is the deposed leader.</summary>
public class LeaderFenceSetBasedWriteTests : IDisposable
{
    /// <summary>null: the default store; <see cref="LeaderFenceSetBasedWriteTestsOnPostgres"/> runs them on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public LeaderFenceSetBasedWriteTests() : this(null) { }

    protected LeaderFenceSetBasedWriteTests(TestStoreKind? store)
    {
        Store = store;
        _store = TestStore.Create(store);
        using var db = _store.Contexts.CreateDbContext();
        db.ControlPlaneLeadership.Add(new ControlPlaneLeadershipRecord { Term = 2, LeaderId = Guid.NewGuid(), Since = DateTimeOffset.UnixEpoch });
        db.SaveChanges();
    }

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestStore _store;
    private readonly FakeTimeProvider _time = new(T0);
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _store.Dispose();
    }

    [Fact]
    public async Task HealthMonitor_UnderASupersededTerm_MarksNoAgentFailed()
    {
        var registry = new AgentRegistry(new AgentRegistrationStore(_store.Contexts), _time);
        var agent = registry.Register(HostId.New(), "node-1", "http://127.0.0.1:9");
        _time.Advance(TimeSpan.FromMinutes(1)); // silent past the 15 s timeout
        var services = new ServiceCollection().AddScoped(_ => _store.Contexts.CreateDbContext()).BuildServiceProvider();
        var monitor = new AgentHealthMonitor(registry, Microsoft.Extensions.Options.Options.Create(new AgentOptions()),
            services.GetRequiredService<IServiceScopeFactory>(), [], _time, new ReplicaLeadership(), NullLogger<AgentHealthMonitor>.Instance);

        using (LeaderFence.Enter(1))
            await FluentActions.Awaiting(() => monitor.CheckAsync(Ct)).Should().ThrowAsync<StaleLeaderException>();
        registry.Liveness().Single().Failed.Should().BeFalse("the deposed leader's SetFailed changed nothing");

        using (LeaderFence.Enter(2)) await monitor.CheckAsync(Ct);
        registry.Liveness().Single(a => a.Record.Id == agent.Id).Failed.Should().BeTrue("the current leader's does");
    }

    [Fact]
    public void AgentStore_SetFailedAndApplyFresh_UnderASupersededTerm_ChangeNothing()
    {
        var store = new AgentRegistrationStore(_store.Contexts);
        var id = Guid.NewGuid();
        store.Register(new AgentRegistrationRecord { Id = id, Name = "node-1", Url = "http://127.0.0.1:9", Secret = "s", RegisteredAt = T0, LastHeardAt = T0 });
        var before = store.Find(id)!;

        using (LeaderFence.Enter(1))
        {
            FluentActions.Invoking(() => store.SetFailed(id, true)).Should().Throw<StaleLeaderException>();
            FluentActions.Invoking(() => store.ApplyFresh(id, T0.AddMinutes(1), 5, "{}")).Should().Throw<StaleLeaderException>();
        }
        store.Find(id).Should().BeEquivalentTo(before, "neither statement was applied");

        using (LeaderFence.Enter(2))
        {
            store.SetFailed(id, true).Should().BeTrue();
            store.ApplyFresh(id, T0.AddMinutes(1), 5, "{}");
        }
        var after = store.Find(id)!;
        (after.Failed, after.ReportGeneration, after.LastHeardAt).Should().Be((true, 5L, T0.AddMinutes(1)));
    }

    [Fact]
    public void SettingsRemoveIf_UnderASupersededTerm_RemovesNothing()
    {
        var settings = new SettingsStore(_store.Contexts, _time);
        settings.Set("dismissed-plan", "p1");

        using (LeaderFence.Enter(1))
            FluentActions.Invoking(() => settings.RemoveIf("dismissed-plan", "p1")).Should().Throw<StaleLeaderException>();
        settings.Get("dismissed-plan").Should().Be("p1");

        using (LeaderFence.Enter(2)) settings.RemoveIf("dismissed-plan", "p1").Should().BeTrue();
        settings.Get("dismissed-plan").Should().BeNull();
    }

    [Fact]
    public async Task DiskCatalogRemoval_UnderASupersededTerm_RemovesNothing()
    {
        var catalog = new StoreDiskCatalog(_store.Contexts);
        var image = Disk.NewImage(DiskId.New(), ImageName.Parse("debian-12"), UserId.New(), ByteSize.FromGiB(2), new ByteSize(4096), T0);
        await catalog.ApplyAsync(new CatalogChange { Upserts = [image] }, Ct);

        // Removals only: the save that follows the delete has nothing to write, so it checks no term of its own.
        using (LeaderFence.Enter(1))
            await FluentActions.Awaiting(async () => await catalog.ApplyAsync(new CatalogChange { Removals = [image.Id] }, Ct)).Should().ThrowAsync<StaleLeaderException>();
        (await catalog.LoadAsync(Ct)).Disks.Should().ContainSingle();

        using (LeaderFence.Enter(2)) await catalog.ApplyAsync(new CatalogChange { Removals = [image.Id] }, Ct);
        (await catalog.LoadAsync(Ct)).Disks.Should().BeEmpty();
    }

    [Fact]
    public async Task ExecuteUpdateAndDelete_UnderASupersededTerm_InAFencedCallOrATransaction_AreRefused()
    {
        await using (var seed = await _store.Contexts.CreateDbContextAsync(Ct))
        {
            seed.Settings.AddRange(new SettingRecord { Key = "a", Value = "1" }, new SettingRecord { Key = "b", Value = "1" });
            await seed.SaveChangesAsync(Ct);
        }

        using (LeaderFence.Enter(1))
        {
            await using var db = await _store.Contexts.CreateDbContextAsync(Ct);
            await FluentActions.Awaiting(() => db.FencedAsync(ct => db.Settings.Where(s => s.Key == "a").ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, "stale"), ct), Ct))
                .Should().ThrowAsync<StaleLeaderException>();
            await using (var tx = await db.Database.BeginTransactionAsync(Ct))
                await FluentActions.Awaiting(() => db.Settings.Where(s => s.Key == "b").ExecuteDeleteAsync(Ct)).Should().ThrowAsync<StaleLeaderException>();
            // Outside a transaction the check could not hold until the statement commits: refused before it runs.
            (await FluentActions.Awaiting(() => db.Settings.ExecuteDeleteAsync(Ct)).Should().ThrowAsync<InvalidOperationException>())
                .Which.Message.Should().Contain("outside a transaction").And.Contain("term 1");
        }

        using (LeaderFence.Enter(2))
        {
            await using var db = await _store.Contexts.CreateDbContextAsync(Ct);
            (await db.FencedAsync(ct => db.Settings.Where(s => s.Key == "a").ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, "2"), ct), Ct)).Should().Be(1);
        }
        await using var check = await _store.Contexts.CreateDbContextAsync(Ct);
        (await check.Settings.OrderBy(s => s.Key).Select(s => s.Key + "=" + s.Value).ToListAsync(Ct)).Should().Equal("a=2", "b=1");
        // Outside a leader flow nothing changes: a request's statement runs as it is.
        (await check.Settings.Where(s => s.Key == "b").ExecuteDeleteAsync(Ct)).Should().Be(1);
    }

    /// <summary>One leader context, two transactions: the first is checked under the current term and commits; the term
    /// then moves on; the second transaction's writes are checked again (PostgreSQL's driver hands out the same
    /// transaction object for every transaction of a connection, so the check must not be remembered by that object).</summary>
    [Fact]
    public async Task OneContext_TermMovesOnBetweenTwoTransactions_TheSecondIsRefused()
    {
        await using (var seed = await _store.Contexts.CreateDbContextAsync(Ct))
        {
            seed.Settings.Add(new SettingRecord { Key = "a", Value = "1" });
            await seed.SaveChangesAsync(Ct);
        }

        using (LeaderFence.Enter(2))
        {
            await using var db = await _store.Contexts.CreateDbContextAsync(Ct);
            await db.Database.OpenConnectionAsync(Ct); // one connection for both transactions, as a pass's context keeps it
            (await db.FencedAsync(ct => db.Settings.Where(s => s.Key == "a").ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, "2"), ct), Ct)).Should().Be(1);

            await using (var other = await _store.Contexts.CreateDbContextAsync(Ct))
            {
                other.FencingTerm = null; // the new leader's election, not this flow's write
                await other.ControlPlaneLeadership.ExecuteUpdateAsync(u => u.SetProperty(l => l.Term, 3L), Ct);
            }

            await FluentActions.Awaiting(() => db.FencedAsync(ct => db.Settings.Where(s => s.Key == "a").ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, "stale"), ct), Ct))
                .Should().ThrowAsync<StaleLeaderException>();
            db.Settings.Add(new SettingRecord { Key = "c", Value = "stale" });
            await FluentActions.Awaiting(() => db.SaveChangesAsync(Ct)).Should().ThrowAsync<StaleLeaderException>();
        }
        await using var check = await _store.Contexts.CreateDbContextAsync(Ct);
        (await check.Settings.OrderBy(s => s.Key).Select(s => s.Key + "=" + s.Value).ToListAsync(Ct)).Should().Equal(["a=2"], "the deposed term wrote nothing");
    }
}

public sealed class LeaderFenceSetBasedWriteTestsOnPostgres() : LeaderFenceSetBasedWriteTests(TestStoreKind.Postgres);
