using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Octopus.Persistence.Sqlite;

/// <summary>Puts every write to a SQLite store through its file's <see cref="SqliteWriteGate"/>:
/// <list type="bullet">
/// <item>a transaction (EF's are <c>BEGIN IMMEDIATE</c>: they take the file's write lock at once) takes the slot before
/// it begins and keeps it until it is committed, rolled back or disposed (<see cref="SqliteGatedTransaction"/>);</item>
/// <item>every <c>SaveChanges</c> opens a transaction (<see cref="AutoTransactionBehavior.Always"/>), so a save of one
/// statement, which EF would otherwise run without one, cannot write around the gate;</item>
/// <item>a statement run outside a transaction (<c>ExecuteUpdate</c>, <c>ExecuteDelete</c>, raw SQL) holds the slot
/// while it runs.</item>
/// </list>
/// Each wait is for the connection's Default Timeout and can be cancelled; a slot taken is released on every path,
/// failures included, before the call that took it returns or when its transaction ends.</summary>
internal sealed class SqliteWriteGateInterceptor : IDbTransactionInterceptor, IDbCommandInterceptor, ISaveChangesInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriteGateInterceptor Instance = new();

    private SqliteWriteGateInterceptor() { }

    // ---- transactions: the slot is taken here and handed to the transaction EF builds next -------------------------

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        if (result.HasResult || SqliteWriteGate.For(connection) is not { } gate) return result;
        var lease = gate.Enter(SqliteWriteGate.TimeoutOf(connection));
        try
        {
            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            SqliteWriteGate.Hand(connection, lease);
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            lease.Release();
            throw;
        }
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult || SqliteWriteGate.For(connection) is not { } gate) return result;
        var lease = await gate.EnterAsync(SqliteWriteGate.TimeoutOf(connection), cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            SqliteWriteGate.Hand(connection, lease);
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            lease.Release();
            throw;
        }
    }

    // ---- saves: always in a transaction, so the rule above covers them ---------------------------------------------

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        AlwaysInTransaction(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        AlwaysInTransaction(eventData.Context);
        return ValueTask.FromResult(result);
    }

    // A context told never to use one (AutoTransactionBehavior.Never) is left as it was told.
    private static void AlwaysInTransaction(DbContext? context)
    {
        if (context?.Database is { AutoTransactionBehavior: AutoTransactionBehavior.WhenNeeded } database)
            database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
    }

    // ---- statements outside a transaction hold the slot while they run ---------------------------------------------

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (result.HasResult || command.Transaction is not null || command.Connection is not { } connection
            || SqliteWriteGate.For(connection) is not { } gate) return result;
        using var lease = gate.Enter(SqliteWriteGate.TimeoutOf(connection));
        return InterceptionResult<int>.SuppressWithResult(command.ExecuteNonQuery());
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult || command.Transaction is not null || command.Connection is not { } connection
            || SqliteWriteGate.For(connection) is not { } gate) return result;
        using var lease = await gate.EnterAsync(SqliteWriteGate.TimeoutOf(connection), cancellationToken);
        return InterceptionResult<int>.SuppressWithResult(await command.ExecuteNonQueryAsync(cancellationToken));
    }

    // ---- a connection closing releases a slot its transaction took but never claimed --------------------------------

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        SqliteWriteGate.ReleaseHanded(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        SqliteWriteGate.ReleaseHanded(connection);
        return ValueTask.FromResult(result);
    }
}
