using Microsoft.EntityFrameworkCore;
using Octopus.Persistence.Records;

namespace Octopus.Persistence.Settings;

/// <summary>Cluster-wide settings changed at run time (table <c>Settings</c>): read through on every call, so a change
/// made by one server process is seen by the next read of any other. Writes check the row's version and retry on a
/// concurrent change, so a write is never lost to a racing one (the last to commit wins, and wins whole).</summary>
public sealed class SettingsStore(IDbContextFactory<OctopusDbContext> contexts, TimeProvider time)
{
    public string? Get(string key)
    {
        using var db = contexts.CreateDbContext();
        return db.Settings.AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).FirstOrDefault();
    }

    public void Set(string key, string value)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var db = contexts.CreateDbContext();
            var row = db.Settings.FirstOrDefault(s => s.Key == key);
            if (row is null) db.Settings.Add(new SettingRecord { Key = key, Value = value, UpdatedAt = time.GetUtcNow(), Version = 1 });
            else
            {
                row.Value = value;
                row.UpdatedAt = time.GetUtcNow();
                row.Version++;
            }
            try
            {
                db.SaveChanges();
                return;
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // Another process inserted or changed the row between our read and write: read it again.
            }
        }
    }

    /// <summary>Removes the setting when its value is still <paramref name="expected"/>; true when removed. Fenced when
    /// a leader calls it (the consolidation pass forgetting a dismissed plan).</summary>
    public bool RemoveIf(string key, string expected)
    {
        using var db = contexts.CreateDbContext();
        return db.Fenced(() => db.Settings.Where(s => s.Key == key && s.Value == expected).ExecuteDelete()) == 1;
    }
}
