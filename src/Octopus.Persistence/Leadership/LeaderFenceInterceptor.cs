using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Octopus.Persistence.Leadership;

/// <summary>Fences the set-based writes of a leader (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, raw SQL: every
/// non-query command) the way a fenced save is fenced. Before such a command runs in a context with a
/// <see cref="OctopusDbContext.FencingTerm"/>, the store's term is read in the command's transaction (PostgreSQL keeps a
/// shared lock on the leadership row until the transaction ends, so a new term waits for it) and the command is refused
/// with <see cref="StaleLeaderException"/> when the term moved on: the transaction then commits nothing. A fenced
/// statement outside a transaction could not hold the check until it commits, so it is refused as a programming error:
/// run it through <see cref="OctopusDbContext.FencedAsync{T}"/> (or <see cref="OctopusDbContext.Fenced{T}"/>), which
/// opens one when the flow is fenced. A transaction whose term was checked once (by a save or an earlier statement)
/// is not checked again. Contexts outside a leader flow are untouched.</summary>
internal sealed class LeaderFenceInterceptor : DbCommandInterceptor
{
    public static readonly LeaderFenceInterceptor Instance = new();

    private LeaderFenceInterceptor() { }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (Fenced(command, eventData) is { } db) db.CheckFence(command.Connection!, command.Transaction!);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (Fenced(command, eventData) is { } db) await db.CheckFenceAsync(command.Connection!, command.Transaction!, cancellationToken);
        return result;
    }

    private static OctopusDbContext? Fenced(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context is not OctopusDbContext { FencingTerm: { } term } db) return null;
        if (command.Transaction is null)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"a set-based write under leader term {term} ran outside a transaction, where the term cannot be checked until it commits; run it through OctopusDbContext.FencedAsync"));
        return db;
    }
}
