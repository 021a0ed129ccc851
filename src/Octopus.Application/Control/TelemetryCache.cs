using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Control;

/// <summary>The latest CPU load seen for each VM, and a short per-VM history with one sample per consolidation interval
/// (what the consolidation engine's detectors and forecasts read). The leader's telemetry pass fills this working copy
/// every second and writes what changed to the store (<see cref="VmLoadRecord"/>) every <see cref="PersistEvery"/>
/// (<see cref="PersistAsync"/>); readers that may run on any replica (the API's VM views, the consolidation planner) read the
/// store (<see cref="ReadAsync"/>), and a replica that begins a leader term starts from it (<see cref="LoadAsync"/>), so
/// the history does not have to fill again after a change of leader.</summary>
public sealed class TelemetryCache
{
    public const int HistoryLength = 30;

    /// <summary>How often the loads are written to the store: a follower's answer is at most this much older than the
    /// leader's own reading.</summary>
    public static readonly TimeSpan PersistEvery = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<VmId, double> _vmLoad = new();
    private readonly ConcurrentDictionary<VmId, Queue<double>> _history = new();
    private DateTimeOffset _persistedAt = DateTimeOffset.MinValue;

    public double VmLoad(VmId vm) => _vmLoad.GetValueOrDefault(vm);

    public void Set(VmId vm, double load) => _vmLoad[vm] = load;

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<double> History(VmId vm)
    {
        if (!_history.TryGetValue(vm, out var q)) return [];
        lock (q) return [.. q];
    }

    /// <summary>Appends every VM's current load to its history (called once per consolidation interval).</summary>
    public void CloseInterval()
    {
        foreach (var (vm, load) in _vmLoad)
        {
            var q = _history.GetOrAdd(vm, _ => new Queue<double>(HistoryLength));
            lock (q)
            {
                if (q.Count == HistoryLength) q.Dequeue();
                q.Enqueue(load);
            }
        }
    }

    public void Forget(IEnumerable<VmId> keep)
    {
        var alive = keep.ToHashSet();
        foreach (var k in _vmLoad.Keys) if (!alive.Contains(k)) _vmLoad.TryRemove(k, out _);
        foreach (var k in _history.Keys) if (!alive.Contains(k)) _history.TryRemove(k, out _);
    }

    /// <summary>True when the store's copy is <see cref="PersistEvery"/> old at <paramref name="now"/>.</summary>
    public bool PersistDue(DateTimeOffset now) => now - _persistedAt >= PersistEvery;

    /// <summary>The step a stored load is kept to (one point of a percent): a VM's row is written again only when its
    /// load moved by a step or its history gained an interval, so the VMs whose load holds still cost no write.</summary>
    public const double LoadStep = 0.01;

    /// <summary>What the store holds, as this process last wrote or read it (null: not known, read it at the next write).</summary>
    private Dictionary<VmId, (double Load, string History)>? _stored;

    /// <summary>Writes this working copy to the store in one save: only the rows that differ from what the store holds
    /// (a load moved by <see cref="LoadStep"/> or more, a history that gained an interval, a VM newly observed), and the
    /// rows of VMs no longer observed removed. A row's <see cref="VmLoadRecord.ObservedAt"/> is when that load was
    /// written. A VM deleted meanwhile (or a row another process changed) makes the save fail; it is left for the next
    /// time, what the store holds is read again then, and false is returned.</summary>
    public async Task<bool> PersistAsync(OctopusDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        _stored ??= await db.VmLoads.AsNoTracking().ToDictionaryAsync(r => r.VmId, r => (r.Load, r.History), ct);
        var written = new Dictionary<VmId, (double Load, string History)>();
        foreach (var (vm, load) in _vmLoad)
        {
            var history = Format(History(vm));
            var known = _stored.TryGetValue(vm, out var stored);
            if (known && Math.Abs(stored.Load - load) < LoadStep && stored.History == history) continue;
            var row = new VmLoadRecord { VmId = vm, Load = load, ObservedAt = now, History = history };
            if (known) db.VmLoads.Update(row); else db.VmLoads.Add(row);
            written[vm] = (load, history);
        }
        var gone = _stored.Keys.Where(vm => !_vmLoad.ContainsKey(vm)).ToList();
        foreach (var vm in gone) db.VmLoads.Remove(new VmLoadRecord { VmId = vm });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            _stored = null;
            return false;
        }
        db.ChangeTracker.Clear();
        foreach (var (vm, row) in written) _stored[vm] = row;
        foreach (var vm in gone) _stored.Remove(vm);
        _persistedAt = now;
        return true;
    }

    /// <summary>Replaces this working copy with the store's (a replica beginning a leader term).</summary>
    public async Task LoadAsync(OctopusDbContext db, CancellationToken ct)
    {
        var stored = await ReadAsync(db, null, ct);
        _vmLoad.Clear();
        _history.Clear();
        _stored = null;
        foreach (var (vm, reading) in stored)
        {
            _vmLoad[vm] = reading.Load;
            _history[vm] = new Queue<double>(reading.History.TakeLast(HistoryLength));
        }
    }

    /// <summary>The loads and histories the store holds for <paramref name="vms"/> (every VM when null).</summary>
    public static async Task<IReadOnlyDictionary<VmId, VmLoadReading>> ReadAsync(OctopusDbContext db, IReadOnlyCollection<VmId>? vms, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var query = db.VmLoads.AsNoTracking();
        if (vms is not null)
        {
            var ids = vms.ToList();
            query = query.Where(r => ids.Contains(r.VmId));
        }
        return (await query.ToListAsync(ct)).ToDictionary(r => r.VmId, r => new VmLoadReading(r.Load, r.ObservedAt, Parse(r.History)));
    }

    /// <summary>Only the latest loads the store holds for <paramref name="vms"/> (what a VM list shows), without reading or
    /// parsing their histories.</summary>
    public static async Task<IReadOnlyDictionary<VmId, double>> LoadsAsync(OctopusDbContext db, IReadOnlyCollection<VmId> vms, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = vms.ToList();
        return await db.VmLoads.AsNoTracking().Where(r => ids.Contains(r.VmId)).ToDictionaryAsync(r => r.VmId, r => r.Load, ct);
    }

    private static string Format(IReadOnlyList<double> history) =>
        string.Join(' ', history.Select(h => h.ToString("0.####", CultureInfo.InvariantCulture)));

    private static double[] Parse(string history) =>
        [.. history.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => double.Parse(h, CultureInfo.InvariantCulture))];
}

/// <summary>A VM's load as the store last recorded it (0–1), when, and its per-interval history, oldest first.</summary>
public sealed record VmLoadReading(double Load, DateTimeOffset ObservedAt, IReadOnlyList<double> History);

/// <summary>Starts the telemetry working copy from the store when this replica begins a leader term.</summary>
internal sealed class TelemetryTakeover(TelemetryCache cache, IDbContextFactory<OctopusDbContext> contexts) : Cluster.ILeaderTermListener
{
    public async Task OnTermBeginningAsync(long term, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await cache.LoadAsync(db, ct);
    }
}
