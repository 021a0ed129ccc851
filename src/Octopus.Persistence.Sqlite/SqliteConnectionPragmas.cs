using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Octopus.Persistence.Sqlite;

/// <summary>Sets each connection's per-connection pragmas when it opens: <c>synchronous=NORMAL</c>, which under the
/// write-ahead log (set once per file, <see cref="SqliteStoreProvider.PrepareAsync"/>) syncs at checkpoints instead of
/// at every commit. A process crash loses nothing committed; a power cut may lose the last commits, never corrupt the
/// file (SQLite's documented guarantee for WAL + NORMAL).</summary>
internal sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPragmas Instance = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
