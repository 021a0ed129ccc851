using Microsoft.EntityFrameworkCore;
using Octopus.Persistence.Leadership;
using Octopus.Persistence.Records;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary>A write made under a leader term commits only while the store's term is still that term: a deposed leader's
/// save is refused, whole, in its own transaction.</summary>
public class LeaderFenceTests
{
    /// <summary>null: the default store; <see cref="LeaderFenceTestsOnPostgres"/> runs them on PostgreSQL.</summary>
    protected TestStoreKind? Store { get; }

    public LeaderFenceTests() : this(null) { }

    protected LeaderFenceTests(TestStoreKind? store) => Store = store;

    [Fact]
    public async Task SaveChanges_UnderAnOlderTerm_IsRefusedAndNothingIsWritten()
    {
        using var store = TestStore.Create(Store);
        await using (var db = await store.Contexts.CreateDbContextAsync())
        {
            db.ControlPlaneLeadership.Add(new ControlPlaneLeadershipRecord { Term = 2, LeaderId = Guid.NewGuid(), Since = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync();
        }

        using (LeaderFence.Enter(1))
        {
            await using var stale = await store.Contexts.CreateDbContextAsync();
            stale.FencingTerm.Should().Be(1);
            stale.Settings.Add(new SettingRecord { Key = "stale", Value = "from term 1" });
            var refused = await FluentActions.Awaiting(() => stale.SaveChangesAsync()).Should().ThrowAsync<StaleLeaderException>();
            refused.Which.CurrentTerm.Should().Be(2);
            refused.Which.Message.Should().Contain("term 1").And.Contain("term is 2");
        }
        using (LeaderFence.Enter(2))
        {
            await using var current = await store.Contexts.CreateDbContextAsync();
            current.Settings.Add(new SettingRecord { Key = "current", Value = "from term 2" });
            await current.SaveChangesAsync();
            // The synchronous save is fenced the same way.
            current.Settings.Add(new SettingRecord { Key = "current-sync", Value = "from term 2" });
            current.SaveChanges();
        }

        await using var check = await store.Contexts.CreateDbContextAsync();
        check.FencingTerm.Should().BeNull("a context made outside a leader flow is not fenced");
        (await check.Settings.Select(s => s.Key).OrderBy(k => k).ToListAsync()).Should().Equal("current", "current-sync");
    }

    [Fact]
    public async Task SaveChanges_UnderATermBeforeAnyLeader_IsRefused()
    {
        using var store = TestStore.Create(Store);
        using var _ = LeaderFence.Enter(1);
        await using var db = await store.Contexts.CreateDbContextAsync();
        db.Settings.Add(new SettingRecord { Key = "k", Value = "v" });
        (await FluentActions.Awaiting(() => db.SaveChangesAsync()).Should().ThrowAsync<StaleLeaderException>()).Which.CurrentTerm.Should().BeNull();
    }
}

public sealed class LeaderFenceTestsOnPostgres() : LeaderFenceTests(TestStoreKind.Postgres);
