using Octopus.Persistence.Providers;
using Octopus.TestKit;

namespace Octopus.Server.Tests.Cluster;

/// <summary>The PostgreSQL leadership lock: one holder per database; a holder that goes silent (a frozen process sends no
/// statement) loses it after the session idle timeout, and finds out at its next check.</summary>
public sealed class PostgresLeadershipLockTests
{
    private static readonly LeadershipTimeouts Fast = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    [Fact]
    public async Task TryTake_WhileAnotherHoldsIt_IsRefusedUntilTheHolderLetsGo()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        await using var db = await store.Contexts.CreateDbContextAsync();

        var first = await db.Provider.TryTakeLeadershipAsync(db, LeadershipTimeouts.Default, CancellationToken.None);
        first.Should().NotBeNull();
        (await db.Provider.TryTakeLeadershipAsync(db, LeadershipTimeouts.Default, CancellationToken.None)).Should().BeNull();
        (await first!.StillHeldAsync(CancellationToken.None)).Should().BeTrue();

        await first.DisposeAsync();
        await using var second = await db.Provider.TryTakeLeadershipAsync(db, LeadershipTimeouts.Default, CancellationToken.None);
        second.Should().NotBeNull();
    }

    [Fact]
    public async Task Holder_SilentPastTheIdleTimeout_LosesTheLockToAnother()
    {
        using var store = TestStore.Create(TestStoreKind.Postgres);
        await using var db = await store.Contexts.CreateDbContextAsync();
        await using var frozen = await db.Provider.TryTakeLeadershipAsync(db, Fast, CancellationToken.None);
        frozen.Should().NotBeNull();

        // The holder sends nothing (as a SIGSTOPped process): the server ends its session after 1 s of idleness.
        ILeadershipLock? next = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (next is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            next = await db.Provider.TryTakeLeadershipAsync(db, Fast, CancellationToken.None);
        }
        next.Should().NotBeNull("the silent holder's session should have been ended by idle_session_timeout");
        await using (next)
        {
            (await frozen!.StillHeldAsync(CancellationToken.None)).Should().BeFalse("the old holder must see it lost the lock");
            (await next!.StillHeldAsync(CancellationToken.None)).Should().BeTrue();
        }
    }
}
