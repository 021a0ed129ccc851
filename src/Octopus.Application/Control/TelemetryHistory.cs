using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Persistence.Records;

namespace Octopus.Application.Control;

/// <summary>The retained, downsampled history of every running VM's CPU, memory, disk and network I/O and of every
/// host's load and power draw, in the store (tables <c>VmHistory</c> and <c>HostHistory</c>). The telemetry pass adds
/// its readings (one a second) to the minute being filled, which is this class's only working state; once a reading
/// falls in a later minute, the closed minute is written in one save: its own row (kept an hour), and its sums added
/// to the five-minute row (kept a day) and the hour row (kept a week) it falls in, so each coarser point is the mean
/// of every reading it covers rather than a mean of means. Rows past their retention are deleted in the same
/// transaction, so each VM or host has at most 61 + 289 + 169 rows (see <see cref="Tiers"/>). Readers (any replica)
/// read the store only. The minute being filled is written too, every <see cref="FlushEvery"/>: the readings since the
/// last write are added to its minute row, so a new leader adds its own readings to the same row and the 1h graph has
/// no gap after a takeover; it loses at most the readings of the last <see cref="FlushEvery"/> (and the five-minute
/// and hour points, which are written once the minute closes, are then means over the new leader's readings of that
/// minute only).</summary>
public sealed class TelemetryHistory(TimeProvider time)
{
    /// <summary>The resolutions, finest first: a range is answered from the first one whose retention covers it.</summary>
    public static readonly IReadOnlyList<TelemetryTier> Tiers =
    [
        new(TelemetryResolution.Minute, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), "1h"),
        new(TelemetryResolution.FiveMinutes, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), "24h"),
        new(TelemetryResolution.Hour, TimeSpan.FromHours(1), TimeSpan.FromDays(7), "7d"),
    ];

    /// <summary>Closed minutes kept while the store refuses them (a busy SQLite file): older ones are dropped.</summary>
    public const int MaxPendingMinutes = 5;

    /// <summary>How often the readings of the minute being filled are added to its minute row: what a takeover can lose.
    /// One row per VM and host every 15 s, where closing a minute writes three.</summary>
    public static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(15);

    private readonly Lock _gate = new();
    private Minute? _filling;
    /// <summary>The readings of the minute being filled that its minute row does not hold yet.</summary>
    private Minute? _fresh;
    private DateTimeOffset _flushedAt = DateTimeOffset.MinValue;
    private readonly List<(Minute Whole, Minute Fresh)> _closed = [];

    /// <summary>The tier a range names ("1h", "24h", "7d"); a bad range is a 400 that lists the good ones.</summary>
    public static TelemetryTier TierFor(string? range)
    {
        var key = string.IsNullOrWhiteSpace(range) ? "1h" : range.Trim().ToLowerInvariant();
        return Tiers.FirstOrDefault(t => t.Range == key)
            ?? throw DomainException.Invalid("range", $"'{range}' is not a history range; use 1h, 24h or 7d.");
    }

    /// <summary>Adds one telemetry pass's readings, taken now. Only running VMs are given, suspended ones included (a
    /// stopped VM's graph shows a gap, not zeros).</summary>
    public void Add(IEnumerable<VmReading> vms, IEnumerable<HostReading> hosts)
    {
        var start = Floor(time.GetUtcNow(), Tiers[0].Length);
        lock (_gate)
        {
            if (_filling is { } f && f.Start != start)
            {
                _closed.Add((f, _fresh!));
                if (_closed.Count > MaxPendingMinutes) _closed.RemoveAt(0);
                _filling = null;
            }
            if (_filling is null)
            {
                _filling = new Minute(start);
                _fresh = new Minute(start);
                _flushedAt = time.GetUtcNow(); // the first write of a minute comes FlushEvery after its first reading
            }
            var readings = vms.ToList();
            var hostReadings = hosts.ToList();
            AddTo(_filling, readings, hostReadings);
            AddTo(_fresh!, readings, hostReadings);
        }
    }

    private static void AddTo(Minute minute, List<VmReading> vms, List<HostReading> hosts)
    {
        var start = minute.Start;
        {
            foreach (var v in vms)
            {
                var b = minute.Vms.TryGetValue(v.Vm, out var row) ? row : minute.Vms[v.Vm] = new VmHistoryBucketRecord { VmId = v.Vm, Start = start };
                b.Samples++;
                b.CpuSum += v.Cpu;
                if (v.Figures is not { } fig) continue;
                b.MeasuredSamples++;
                b.MemorySum += fig.MemoryBytes;
                b.DiskReadSum += fig.DiskReadBytesPerSecond;
                b.DiskWriteSum += fig.DiskWriteBytesPerSecond;
                b.NetReceiveSum += fig.NetReceiveBytesPerSecond;
                b.NetTransmitSum += fig.NetTransmitBytesPerSecond;
            }
            foreach (var h in hosts)
            {
                var b = minute.Hosts.TryGetValue(h.Host, out var row) ? row : minute.Hosts[h.Host] = new HostHistoryBucketRecord { HostId = h.Host, Start = start };
                b.Samples++;
                b.LoadSum += h.Load;
                b.WattsSum += h.Watts;
            }
        }
    }

    /// <summary>True when a closed minute waits to be written, or the readings of the minute being filled are
    /// <see cref="FlushEvery"/> old.</summary>
    public bool WriteDue
    {
        get { lock (_gate) return _closed.Count > 0 || FlushDue; }
    }

    private bool FlushDue => _fresh is { } f && (f.Vms.Count > 0 || f.Hosts.Count > 0) && time.GetUtcNow() - _flushedAt >= FlushEvery;

    /// <summary>Writes the closed minutes and prunes what fell out of the retention, in one transaction. A VM or host
    /// deleted meanwhile is left out. When the save fails the minutes stay pending for the next pass (at most
    /// <see cref="MaxPendingMinutes"/>) and false is returned.</summary>
    public async Task<bool> WriteAsync(OctopusDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        List<(Minute Whole, Minute Fresh)> minutes;
        Minute? flush = null;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (FlushDue)
            {
                flush = _fresh;
                _fresh = new Minute(flush!.Start);
                _flushedAt = now;
            }
            if (_closed.Count == 0 && flush is null) return true;
            minutes = [.. _closed];
        }
        try
        {
            await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            foreach (var (whole, fresh) in minutes) await MergeAsync(db, whole, fresh, ct);
            if (flush is not null) await MergeAsync(db, null, flush, ct);
            foreach (var tier in Tiers)
            {
                var cutoff = now - tier.Retention;
                await db.VmHistory.Where(r => r.Resolution == tier.Resolution && r.Start < cutoff).ExecuteDeleteAsync(ct);
                await db.HostHistory.Where(r => r.Resolution == tier.Resolution && r.Start < cutoff).ExecuteDeleteAsync(ct);
            }
            await db.SaveChangesAsync(ct);
            if (tx is not null) await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (flush is not null) lock (_gate) Unflushed(flush);
            return false;
        }
        lock (_gate) _closed.RemoveAll(minutes.Contains);
        return true;
    }

    /// <summary>Puts back readings whose write failed: into the minute being filled when it is still theirs, else into the
    /// closed minute they belong to (written with it).</summary>
    private void Unflushed(Minute flush)
    {
        var into = _fresh is { } f && f.Start == flush.Start ? f : _closed.FirstOrDefault(c => c.Fresh.Start == flush.Start).Fresh;
        if (into is null) return; // dropped meanwhile (more than MaxPendingMinutes closed)
        foreach (var (vm, sums) in flush.Vms)
        {
            AddSums(into.Vms.TryGetValue(vm, out var row) ? row : into.Vms[vm] = new VmHistoryBucketRecord { VmId = vm, Start = into.Start }, sums);
        }
        foreach (var (host, sums) in flush.Hosts)
        {
            AddSums(into.Hosts.TryGetValue(host, out var row) ? row : into.Hosts[host] = new HostHistoryBucketRecord { HostId = host, Start = into.Start }, sums);
        }
    }

    /// <summary>Adds one bucket's sums to another's (a row, or readings put back after a failed write).</summary>
    private static void AddSums(VmHistoryBucketRecord into, VmHistoryBucketRecord sums)
    {
        into.Samples += sums.Samples;
        into.MeasuredSamples += sums.MeasuredSamples;
        into.CpuSum += sums.CpuSum;
        into.MemorySum += sums.MemorySum;
        into.DiskReadSum += sums.DiskReadSum;
        into.DiskWriteSum += sums.DiskWriteSum;
        into.NetReceiveSum += sums.NetReceiveSum;
        into.NetTransmitSum += sums.NetTransmitSum;
    }

    private static void AddSums(HostHistoryBucketRecord into, HostHistoryBucketRecord sums)
    {
        into.Samples += sums.Samples;
        into.LoadSum += sums.LoadSum;
        into.WattsSum += sums.WattsSum;
    }

    /// <summary>Adds <paramref name="fresh"/> (readings its minute row does not hold yet) to the minute rows and, for a
    /// closed minute, <paramref name="whole"/> (all its readings this process took) to the five-minute and hour rows.</summary>
    private static async Task MergeAsync(OctopusDbContext db, Minute? whole, Minute fresh, CancellationToken ct)
    {
        var starts = Tiers.Select(t => Floor(fresh.Start, t.Length)).ToList();
        var (s0, s1, s2) = (starts[0], starts[1], starts[2]);
        VmHistoryBucketRecord? VmSums(VmId vm, int tier) => (tier == 0 ? fresh : whole)?.Vms.GetValueOrDefault(vm);
        HostHistoryBucketRecord? HostSums(HostId host, int tier) => (tier == 0 ? fresh : whole)?.Hosts.GetValueOrDefault(host);
        var vmIds = fresh.Vms.Keys.Union(whole?.Vms.Keys ?? Enumerable.Empty<VmId>()).ToList();
        var liveVms = (await db.Vms.AsNoTracking().Where(v => vmIds.Contains(v.Id)).Select(v => v.Id).ToListAsync(ct)).ToHashSet();
        var vmRows = (await db.VmHistory.Where(r => vmIds.Contains(r.VmId) && (
                (r.Resolution == TelemetryResolution.Minute && r.Start == s0) ||
                (r.Resolution == TelemetryResolution.FiveMinutes && r.Start == s1) ||
                (r.Resolution == TelemetryResolution.Hour && r.Start == s2))).ToListAsync(ct))
            .ToDictionary(r => (r.VmId, r.Resolution));
        foreach (var vm in vmIds)
        {
            if (!liveVms.Contains(vm)) continue;
            for (var i = 0; i < Tiers.Count; i++)
            {
                if (VmSums(vm, i) is not { } sums) continue;
                if (!vmRows.TryGetValue((vm, Tiers[i].Resolution), out var row))
                    db.VmHistory.Add(vmRows[(vm, Tiers[i].Resolution)] = row = new VmHistoryBucketRecord { VmId = vm, Resolution = Tiers[i].Resolution, Start = starts[i] });
                AddSums(row, sums);
            }
        }

        var hostIds = fresh.Hosts.Keys.Union(whole?.Hosts.Keys ?? Enumerable.Empty<HostId>()).ToList();
        var liveHosts = (await db.Hosts.AsNoTracking().Where(h => hostIds.Contains(h.Id)).Select(h => h.Id).ToListAsync(ct)).ToHashSet();
        var hostRows = (await db.HostHistory.Where(r => hostIds.Contains(r.HostId) && (
                (r.Resolution == TelemetryResolution.Minute && r.Start == s0) ||
                (r.Resolution == TelemetryResolution.FiveMinutes && r.Start == s1) ||
                (r.Resolution == TelemetryResolution.Hour && r.Start == s2))).ToListAsync(ct))
            .ToDictionary(r => (r.HostId, r.Resolution));
        foreach (var host in hostIds)
        {
            if (!liveHosts.Contains(host)) continue;
            for (var i = 0; i < Tiers.Count; i++)
            {
                if (HostSums(host, i) is not { } sums) continue;
                if (!hostRows.TryGetValue((host, Tiers[i].Resolution), out var row))
                    db.HostHistory.Add(hostRows[(host, Tiers[i].Resolution)] = row = new HostHistoryBucketRecord { HostId = host, Resolution = Tiers[i].Resolution, Start = starts[i] });
                AddSums(row, sums);
            }
        }
    }

    /// <summary>The VM's history over the tier's range, oldest first: one point per stored bucket (a bucket with no
    /// reading, the VM stopped, is absent and the graph shows a gap).</summary>
    public async Task<TelemetrySeries<VmHistoryPoint>> VmAsync(OctopusDbContext db, VmId vm, TelemetryTier tier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tier);
        var (from, to) = Window(tier);
        var rows = await db.VmHistory.AsNoTracking()
            .Where(r => r.VmId == vm && r.Resolution == tier.Resolution && r.Start >= from).ToListAsync(ct);
        return new(tier, from, to, [.. rows.Where(r => r.Samples > 0).OrderBy(r => r.Start).Select(VmHistoryPoint.From)]);
    }

    /// <summary>The host's load and power over the tier's range, oldest first.</summary>
    public async Task<TelemetrySeries<HostHistoryPoint>> HostAsync(OctopusDbContext db, HostId host, TelemetryTier tier, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(tier);
        var (from, to) = Window(tier);
        var rows = await db.HostHistory.AsNoTracking()
            .Where(r => r.HostId == host && r.Resolution == tier.Resolution && r.Start >= from).ToListAsync(ct);
        return new(tier, from, to, [.. rows.Where(r => r.Samples > 0).OrderBy(r => r.Start)
            .Select(r => new HostHistoryPoint(r.Start, r.LoadSum / r.Samples, r.WattsSum / r.Samples))]);
    }

    /// <summary>The range back from now: the buckets that start in it are those the retention keeps.</summary>
    private (DateTimeOffset From, DateTimeOffset To) Window(TelemetryTier tier)
    {
        var now = time.GetUtcNow();
        return (now - tier.Retention, now);
    }

    internal static DateTimeOffset Floor(DateTimeOffset at, TimeSpan length) => new(at.UtcTicks - at.UtcTicks % length.Ticks, TimeSpan.Zero);

    private sealed class Minute(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public Dictionary<VmId, VmHistoryBucketRecord> Vms { get; } = [];
        public Dictionary<HostId, HostHistoryBucketRecord> Hosts { get; } = [];
    }
}

/// <summary>One resolution of the <see cref="TelemetryHistory"/>: its bucket length, how long it is kept, and the range
/// name the API answers from it.</summary>
public sealed record TelemetryTier(TelemetryResolution Resolution, TimeSpan Length, TimeSpan Retention, string Range);

/// <summary>One VM's reading in a telemetry pass: its CPU load (0–1) and, when the driver measures them, its figures.</summary>
public readonly record struct VmReading(VmId Vm, double Cpu, VmFigures? Figures);

/// <summary>One host's reading in a telemetry pass: its CPU load (0–1) and its draw in watts.</summary>
public readonly record struct HostReading(HostId Host, double Load, double Watts);

/// <summary>A history answer: the tier it came from, the window, and its points oldest first.</summary>
public sealed record TelemetrySeries<T>(TelemetryTier Tier, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<T> Points);

/// <summary>Means over one bucket of a VM's history; memory and I/O are null when no reading in it carried figures.</summary>
public sealed record VmHistoryPoint(DateTimeOffset At, double Cpu, double? MemoryBytes, double? DiskReadBytesPerSecond,
    double? DiskWriteBytesPerSecond, double? NetReceiveBytesPerSecond, double? NetTransmitBytesPerSecond)
{
    internal static VmHistoryPoint From(VmHistoryBucketRecord r)
    {
        double? Mean(double sum) => r.MeasuredSamples > 0 ? sum / r.MeasuredSamples : null;
        return new(r.Start, r.CpuSum / r.Samples, Mean(r.MemorySum), Mean(r.DiskReadSum), Mean(r.DiskWriteSum), Mean(r.NetReceiveSum),
            Mean(r.NetTransmitSum));
    }
}

/// <summary>Means over one bucket of a host's history.</summary>
public sealed record HostHistoryPoint(DateTimeOffset At, double Load, double Watts);
