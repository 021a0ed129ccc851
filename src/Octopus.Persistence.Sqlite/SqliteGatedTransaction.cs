using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Octopus.Persistence.Sqlite;

/// <summary>Builds EF's transactions on SQLite; one whose start took its file's write slot
/// (<see cref="SqliteWriteGateInterceptor"/>) becomes a <see cref="SqliteGatedTransaction"/> that gives the slot back.</summary>
internal sealed class SqliteGatedTransactionFactory(RelationalTransactionFactoryDependencies dependencies) : RelationalTransactionFactory(dependencies)
{
    public override RelationalTransaction Create(IRelationalConnection connection, DbTransaction transaction, Guid transactionId,
        IDiagnosticsLogger<DbLoggerCategory.Database.Transaction> logger, bool transactionOwned) =>
        SqliteWriteGate.Claim(connection.DbConnection) is { } lease
            ? new SqliteGatedTransaction(connection, transaction, transactionId, logger, transactionOwned, Dependencies.SqlGenerationHelper, lease)
            : base.Create(connection, transaction, transactionId, logger, transactionOwned);
}

/// <summary>A transaction holding its file's write slot: released once EF lets go of the transaction — after its commit
/// or rollback, or when it is disposed without either (an exception in a <c>using</c> block, a context disposed with
/// it open) — and also when disposing fails.</summary>
internal sealed class SqliteGatedTransaction(IRelationalConnection connection, DbTransaction transaction, Guid transactionId,
    IDiagnosticsLogger<DbLoggerCategory.Database.Transaction> logger, bool transactionOwned, ISqlGenerationHelper sqlGenerationHelper,
    SqliteWriteGate.Lease lease)
    : RelationalTransaction(connection, transaction, transactionId, logger, transactionOwned, sqlGenerationHelper)
{
    // Called by Commit and Rollback after SQLite has ended the transaction (the file's lock is free by then), and by Dispose.
    protected override void ClearTransaction()
    {
        try { base.ClearTransaction(); }
        finally { lease.Release(); }
    }

    protected override async Task ClearTransactionAsync(CancellationToken cancellationToken = default)
    {
        try { await base.ClearTransactionAsync(cancellationToken); }
        finally { lease.Release(); }
    }

    public override void Dispose()
    {
        try { base.Dispose(); }
        finally { lease.Release(); }
    }

    public override async ValueTask DisposeAsync()
    {
        try { await base.DisposeAsync(); }
        finally { lease.Release(); }
    }
}
