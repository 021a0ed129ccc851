using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts.Agents;
using Octopus.Disks.Catalog;
using Octopus.Domain;
using Octopus.Persistence;
using Octopus.Persistence.Agents;
using Octopus.Persistence.Disks;
using Octopus.Persistence.Records;
using Octopus.Drivers.Agent;
using Octopus.Application.Agents;
using Octopus.Application.Configuration;
using Octopus.Application.Consolidation;

namespace Octopus.Application.Upgrade;

/// <summary>Upgrades a data folder written before all state moved into the store (up to commit 0c1667b): the disk
/// catalog (<c>DATA/disks.json</c>), the registered agents (<c>DATA/agents.json</c>) and the consolidation mode
/// (<c>DATA/consolidation.json</c>) are imported into the store once, in one transaction, and the originals are moved to
/// <c>DATA/imported-legacy/</c> as a backup, with one log line per file. The simulated cluster's own state moves into its
/// sub-folder. A second start finds nothing to do. A file that cannot be read stops the start with an error naming it;
/// nothing is imported and every file stays where it was.</summary>
public static partial class LegacyDataFolder
{
    public const string BackupFolderName = "imported-legacy";
    public const string DisksFile = "disks.json";
    public const string AgentsFile = "agents.json";
    public const string ConsolidationFile = "consolidation.json";
    private const string SimulatedClusterFile = "simulated-cluster.json";

    /// <summary>Moves <c>DATA/simulated-cluster.json</c> (and its console folder) into <c>DATA/simulated-cluster/</c>.
    /// Runs before the simulated cluster is first used, which reads its state from there.</summary>
    public static void MoveSimulatedClusterState(DataFolder settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var old = Path.Combine(settings.Root, SimulatedClusterFile);
        var oldConsole = Path.Combine(settings.Root, "simulated-console");
        if (!File.Exists(old) && !Directory.Exists(oldConsole)) return;
        Directory.CreateDirectory(settings.SimulatedClusterFolder);
        if (File.Exists(old) && !File.Exists(settings.SimulatedClusterFile)) File.Move(old, settings.SimulatedClusterFile);
        var newConsole = Path.Combine(settings.SimulatedClusterFolder, "simulated-console");
        if (Directory.Exists(oldConsole) && !Directory.Exists(newConsole)) Directory.Move(oldConsole, newConsole);
    }

    /// <summary>Imports the legacy files found in <paramref name="dataDirectory"/> (none: nothing happens). Call after
    /// the store is migrated. Throws a <see cref="DomainException"/> naming the file when one cannot be imported.</summary>
    public static async Task ImportAsync(string dataDirectory, OctopusDbContext db, ILogger log, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var files = new[] { DisksFile, AgentsFile, ConsolidationFile }
            .Select(f => Path.Combine(dataDirectory, f)).Where(File.Exists).ToList();
        if (files.Count == 0) return;

        if (await db.Settings.AnyAsync(s => s.Key == SettingKeys.LegacyImport, ct))
        {
            // Imported by an earlier start that stopped before it moved the files away: only the move is left to do.
            foreach (var f in files) LogAlreadyImported(log, f, Backup(dataDirectory, f));
            return;
        }

        // Read and check everything first: a bad file stops the start before anything is written.
        var disks = File.Exists(Path.Combine(dataDirectory, DisksFile)) ? await ReadDisksAsync(Path.Combine(dataDirectory, DisksFile), ct) : null;
        var agents = File.Exists(Path.Combine(dataDirectory, AgentsFile)) ? ReadAgents(Path.Combine(dataDirectory, AgentsFile)) : null;
        var mode = File.Exists(Path.Combine(dataDirectory, ConsolidationFile)) ? ReadMode(Path.Combine(dataDirectory, ConsolidationFile)) : (ConsolidationMode?)null;

        if (disks is { Disks.Count: > 0 } && await db.Disks.AnyAsync(ct))
            throw Refused(Path.Combine(dataDirectory, DisksFile), "the store already holds a disk catalog, so this file is not this store's");
        if (agents is { Count: > 0 } && await db.Agents.AnyAsync(ct))
            throw Refused(Path.Combine(dataDirectory, AgentsFile), "the store already holds registered agents, so this file is not this store's");

        var now = time.GetUtcNow();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (disks is not null) StoreDiskCatalog.StageImport(db, disks);
            if (agents is not null)
                AgentRegistrationStore.StageImport(db, agents.Select(a => new AgentRegistrationRecord
                {
                    Id = a.Id, Name = a.Name, Url = a.Url, Secret = a.Secret, RegisteredAt = a.RegisteredAt, LastHeardAt = now,
                }));
            if (mode is { } m)
            {
                db.Settings.RemoveRange(db.Settings.Where(s => s.Key == SettingKeys.ConsolidationMode));
                db.Settings.Add(new SettingRecord { Key = SettingKeys.ConsolidationMode, Value = m.ToString().ToLowerInvariant(), UpdatedAt = now, Version = 1 });
            }
            db.Settings.Add(new SettingRecord
            {
                Key = SettingKeys.LegacyImport, Value = string.Join(", ", files.Select(Path.GetFileName)), UpdatedAt = now, Version = 1,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();

        if (disks is not null)
            LogImported(log, Path.Combine(dataDirectory, DisksFile), $"{disks.Disks.Count} disks, {disks.Intents.Count} pending intents",
                Backup(dataDirectory, Path.Combine(dataDirectory, DisksFile)));
        if (agents is not null)
            LogImported(log, Path.Combine(dataDirectory, AgentsFile), $"{agents.Count} agents", Backup(dataDirectory, Path.Combine(dataDirectory, AgentsFile)));
        if (mode is { } mm)
            LogImported(log, Path.Combine(dataDirectory, ConsolidationFile), $"consolidation mode {mm.ToString().ToLowerInvariant()}",
                Backup(dataDirectory, Path.Combine(dataDirectory, ConsolidationFile)));
    }

    private static async Task<CatalogSnapshot> ReadDisksAsync(string file, CancellationToken ct)
    {
        try
        {
            var snapshot = await new JsonFileDiskCatalog(file).LoadAsync(ct);
            return snapshot.Tree().Violations() is { Count: > 0 } broken
                ? throw Unreadable(file, "its disk tree is inconsistent: " + string.Join("; ", broken.Take(3)), "the disk catalog")
                : snapshot;
        }
        catch (Exception e) when (e is not OperationCanceledException && !(e is DomainException { Code: "legacy.unreadable" }))
        {
            throw Unreadable(file, e.Message, "the disk catalog");
        }
    }

    private static List<AgentRecord> ReadAgents(string file)
    {
        try
        {
            var agents = JsonSerializer.Deserialize<List<AgentRecord>>(File.ReadAllText(file), SignedRequests.Json)
                ?? throw new JsonException("the file holds null instead of a list of agents");
            foreach (var a in agents)
            {
                if (a is null || a.Id == Guid.Empty || string.IsNullOrWhiteSpace(a.Secret) || !Uri.TryCreate(a.Url, UriKind.Absolute, out _))
                    throw new JsonException("an entry lacks its id, secret or address");
            }
            return agents;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or IOException or ArgumentException)
        {
            throw Unreadable(file, e.Message, "the registered agents");
        }
    }

    private static ConsolidationMode ReadMode(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var text = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("Mode", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString() : throw new JsonException("it has no \"Mode\" text");
            return ConsolidationModeStore.Parse(text);
        }
        catch (Exception e) when (e is JsonException or IOException or DomainException)
        {
            throw Unreadable(file, e.Message, "the consolidation mode");
        }
    }

    private static DomainException Unreadable(string file, string problem, string what) =>
        new(ErrorKind.Validation, "legacy.unreadable",
            $"the legacy file {file} cannot be imported into the store ({problem}). Nothing was imported and no file was moved. " +
            $"Restore the file from a backup, or move it out of the data folder to start without {what} it held, then start again.");

    private static DomainException Refused(string file, string problem) =>
        new(ErrorKind.Conflict, "legacy.unreadable",
            $"the legacy file {file} was not imported: {problem}. Nothing was imported and no file was moved. Move the file out of the data folder, then start again.");

    /// <summary>Moves <paramref name="file"/> into the backup folder (never over an earlier backup); returns where it went.</summary>
    private static string Backup(string dataDirectory, string file)
    {
        var folder = Path.Combine(dataDirectory, BackupFolderName);
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, Path.GetFileName(file));
        for (var n = 2; File.Exists(target); n++) target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(file)}.{n}{Path.GetExtension(file)}");
        File.Move(file, target);
        return target;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "upgrade: imported {File} into the store ({What}); the original is kept at {Backup}")]
    private static partial void LogImported(ILogger logger, string file, string what, string backup);

    [LoggerMessage(Level = LogLevel.Information, Message = "upgrade: {File} was already imported into the store by an earlier start; the original is kept at {Backup}")]
    private static partial void LogAlreadyImported(ILogger logger, string file, string backup);
}
