using System.Buffers.Binary;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Policies.Snapshots;

namespace Octopus.Application.Policies;

/// <summary>The policy runtime's state in the store (tables <c>PolicyObservations</c>, <c>PolicyCpuHistory</c> and
/// <c>PolicyCpuPasses</c>): the
/// leader's pass writes what it changed (<see cref="SaveAsync"/>), a replica beginning a leader term starts from it
/// (<see cref="LoadAsync"/>), and a follower's preview reads the histories from it (<see cref="ReadHistoriesAsync"/>).
/// CPU samples are kept to the second and to a hundredth of a percent (at most 655.35 %).</summary>
public static class PolicyRuntimeStore
{
    private const int SampleBytes = 4;

    /// <summary>The whole UTC hour <paramref name="at"/> falls in: the key of a <see cref="PolicyCpuChunkRecord"/>.</summary>
    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    /// <summary>Writes, in one save of <paramref name="db"/> (a leader's pass: fenced by its term), the observation rows
    /// that differ from the store's (states seen, lease events published; rows of VMs and hosts gone are removed), the
    /// CPU samples recorded since the last write (one pass row per sample time while their hour is open; once it has
    /// closed, one row per VM or host and hour, replacing that hour's pass rows), and removes hours older than
    /// <see cref="PolicyRuntimeState.Retention"/>. Call under <see cref="PolicyRuntimeState.RunLock"/>. A failed
    /// save (a row changed under it) re-reads which rows the store holds and leaves the samples for the next pass.</summary>
    public static async Task SaveAsync(OctopusDbContext db, PolicyRuntimeState state, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(state);
        var current = Observations(state);
        var changed = new List<((PolicySubjectKind, Guid) Key, (int, DateTimeOffset?) Value)>();
        foreach (var (key, value) in current)
        {
            var exists = state.StoredObservations.TryGetValue(key, out var stored);
            if (exists && stored == value) continue;
            var row = new PolicyObservationRecord { Kind = key.Kind, SubjectId = key.Subject, State = value.State, LeaseEventFor = value.LeaseEventFor };
            if (exists) db.PolicyObservations.Update(row); else db.PolicyObservations.Add(row);
            changed.Add((key, value));
        }
        var gone = state.StoredObservations.Keys.Where(k => !current.ContainsKey(k)).ToList();
        foreach (var (kind, subject) in gone) db.PolicyObservations.Remove(new PolicyObservationRecord { Kind = kind, SubjectId = subject });

        // The samples since the last write go to one row per sample time (a pass row), as long as their hour is open; a
        // closed hour is written once, as one row per VM or host with every sample of the hour, and its pass rows are
        // removed in the same save. So a pass that took 11,000 samples writes one row of 209 kB, not 11,000 hour rows
        // of up to 480 bytes each (bench/Octopus.Bench.StoreWrites), and the store always holds every sample taken.
        var oldest = HourOf(now - PolicyRuntimeState.Retention);
        var open = HourOf(now);
        var passes = new List<DateTimeOffset>();
        // Keyed to the microsecond, as both stores keep a time (a removal by key then finds the row).
        foreach (var pass in state.PendingSamples.Where(p => p.At >= open).GroupBy(p => new DateTimeOffset(p.At.UtcTicks - p.At.UtcTicks % 10, TimeSpan.Zero)))
        {
            db.PolicyCpuPasses.Add(new PolicyCpuPassRecord { At = pass.Key, Samples = EncodePass([.. pass.Select(p => (p.Kind, p.Subject, p.Percent))]) });
            passes.Add(pass.Key);
        }
        var written = new List<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour)>();
        foreach (var hour in state.DirtyHours)
        {
            if (hour.Hour >= open) continue;
            written.Add(hour);
            if (hour.Hour < oldest) continue;
            var samples = SamplesOf(state, hour).ToList();
            if (samples.Count == 0) continue; // a VM or host forgotten since (deleted): its stored hours age out
            var row = new PolicyCpuChunkRecord { Kind = hour.Kind, SubjectId = hour.Subject, Start = hour.Hour, Samples = Encode(samples, hour.Hour) };
            if (state.StoredHours.Contains(hour)) db.PolicyCpuHistory.Update(row); else db.PolicyCpuHistory.Add(row);
        }
        var folded = state.StoredPasses.Where(at => at < open).ToList();
        foreach (var at in folded) db.PolicyCpuPasses.Remove(new PolicyCpuPassRecord { At = at });
        var expired = state.StoredHours.Where(h => h.Hour < oldest).ToList();
        foreach (var h in expired) db.PolicyCpuHistory.Remove(new PolicyCpuChunkRecord { Kind = h.Kind, SubjectId = h.Subject, Start = h.Hour });
        if (!db.ChangeTracker.HasChanges())
        {
            Written(state, written, []);
            return;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            await ReadStoredKeysAsync(db, state, ct);
            return;
        }
        db.ChangeTracker.Clear();
        foreach (var (key, value) in changed) state.StoredObservations[key] = value;
        foreach (var key in gone) state.StoredObservations.Remove(key);
        foreach (var h in expired) state.StoredHours.Remove(h);
        foreach (var at in folded) state.StoredPasses.Remove(at);
        foreach (var at in passes) state.StoredPasses.Add(at);
        Written(state, written, written.Where(h => h.Hour >= oldest && SamplesOf(state, h).Any()));
    }

    /// <summary>After a write: the closed hours written are clean (those with samples stored), and every sample taken is
    /// in the store (in a pass row or an hour row).</summary>
    private static void Written(PolicyRuntimeState state, List<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour)> written,
        IEnumerable<(PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour)> stored)
    {
        foreach (var h in stored) state.StoredHours.Add(h);
        foreach (var h in written) state.DirtyHours.Remove(h);
        state.PendingSamples.Clear();
    }

    /// <summary>Replaces the working copy in <paramref name="state"/> with the store's: CPU histories, states seen and
    /// lease events published (none stored: the first pass derives no events, as on a new store).</summary>
    public static async Task LoadAsync(OctopusDbContext db, PolicyRuntimeState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(state);
        var observations = await db.PolicyObservations.AsNoTracking().ToListAsync(ct);
        var chunks = await db.PolicyCpuHistory.AsNoTracking().ToListAsync(ct);
        var passes = await db.PolicyCpuPasses.AsNoTracking().ToListAsync(ct);
        await state.RunLock.WaitAsync(ct);
        try
        {
            state.VmCpu.Forget([]);
            state.HostCpu.Forget([]);
            state.DirtyHours.Clear();
            state.PendingSamples.Clear();
            state.StoredHours.Clear();
            state.StoredPasses.Clear();
            state.StoredObservations.Clear();
            state.LeaseEventsSent.Clear();
            var vms = new Dictionary<VmId, VmState>();
            var hosts = new Dictionary<HostId, HostPowerState>();
            foreach (var o in observations)
            {
                state.StoredObservations[(o.Kind, o.SubjectId)] = (o.State, o.LeaseEventFor);
                if (o.Kind == PolicySubjectKind.Host)
                {
                    hosts[new HostId(o.SubjectId)] = (HostPowerState)o.State;
                    continue;
                }
                vms[new VmId(o.SubjectId)] = (VmState)o.State;
                if (o.LeaseEventFor is { } lease) state.LeaseEventsSent.Add((new VmId(o.SubjectId), lease));
            }
            state.VmStates = observations.Count == 0 ? null : vms;
            state.HostStates = observations.Count == 0 ? null : hosts;
            var last = DateTimeOffset.MinValue;
            foreach (var c in chunks.OrderBy(c => c.Start))
            {
                state.StoredHours.Add((c.Kind, c.SubjectId, c.Start));
                foreach (var s in Decode(c.Samples, c.Start))
                {
                    if (c.Kind == PolicySubjectKind.Host) state.HostCpu.Record(new HostId(c.SubjectId), s.At, s.Percent);
                    else state.VmCpu.Record(new VmId(c.SubjectId), s.At, s.Percent);
                    if (s.At > last) last = s.At;
                }
            }
            // The pass rows hold the hours the previous leader had not closed: their samples come after every hour row's,
            // and their hours are still to be written as hour rows (by this leader, once they close).
            foreach (var p in passes.OrderBy(p => p.At))
            {
                state.StoredPasses.Add(p.At);
                foreach (var (kind, subject, percent) in DecodePass(p.Samples))
                {
                    if (kind == PolicySubjectKind.Host) state.HostCpu.Record(new HostId(subject), p.At, percent);
                    else state.VmCpu.Record(new VmId(subject), p.At, percent);
                    state.DirtyHours.Add((kind, subject, HourOf(p.At)));
                }
                if (p.At > last) last = p.At;
            }
            state.LastSample = last;
        }
        finally
        {
            state.RunLock.Release();
        }
    }

    /// <summary>The CPU histories the store holds (what a follower's preview evaluates against).</summary>
    public static async Task<(CpuHistoryBuffer<VmId> Vms, CpuHistoryBuffer<HostId> Hosts)> ReadHistoriesAsync(OctopusDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var vms = new CpuHistoryBuffer<VmId>(PolicyRuntimeState.Retention);
        var hosts = new CpuHistoryBuffer<HostId>(PolicyRuntimeState.Retention);
        foreach (var c in (await db.PolicyCpuHistory.AsNoTracking().ToListAsync(ct)).OrderBy(c => c.Start))
            foreach (var s in Decode(c.Samples, c.Start))
                if (c.Kind == PolicySubjectKind.Host) hosts.Record(new HostId(c.SubjectId), s.At, s.Percent);
                else vms.Record(new VmId(c.SubjectId), s.At, s.Percent);
        foreach (var p in (await db.PolicyCpuPasses.AsNoTracking().ToListAsync(ct)).OrderBy(p => p.At))
            foreach (var (kind, subject, percent) in DecodePass(p.Samples))
                if (kind == PolicySubjectKind.Host) hosts.Record(new HostId(subject), p.At, percent);
                else vms.Record(new VmId(subject), p.At, percent);
        return (vms, hosts);
    }

    private static Dictionary<(PolicySubjectKind Kind, Guid Subject), (int State, DateTimeOffset? LeaseEventFor)> Observations(PolicyRuntimeState state)
    {
        var result = new Dictionary<(PolicySubjectKind, Guid), (int, DateTimeOffset?)>();
        var leases = state.LeaseEventsSent.GroupBy(e => e.Item1).ToDictionary(g => g.Key, g => g.Max(e => e.Item2));
        if (state.VmStates is { } vms)
            foreach (var (id, s) in vms)
                result[(PolicySubjectKind.Vm, id.Value)] = ((int)s, leases.TryGetValue(id, out var lease) ? lease : (DateTimeOffset?)null);
        if (state.HostStates is { } hosts)
            foreach (var (id, s) in hosts) result[(PolicySubjectKind.Host, id.Value)] = ((int)s, (DateTimeOffset?)null);
        return result;
    }

    private static IEnumerable<CpuSample> SamplesOf(PolicyRuntimeState state, (PolicySubjectKind Kind, Guid Subject, DateTimeOffset Hour) hour)
    {
        var history = hour.Kind == PolicySubjectKind.Host ? state.HostCpu.History(new HostId(hour.Subject)) : state.VmCpu.History(new VmId(hour.Subject));
        var end = hour.Hour.AddHours(1);
        return history.Samples.Where(s => s.At >= hour.Hour && s.At < end);
    }

    internal static byte[] Encode(IReadOnlyList<CpuSample> samples, DateTimeOffset hour)
    {
        var bytes = new byte[samples.Count * SampleBytes];
        for (var i = 0; i < samples.Count; i++)
        {
            var seconds = (ushort)Math.Clamp((samples[i].At - hour).TotalSeconds, 0, 3599);
            var hundredths = (ushort)Math.Clamp(Math.Round(samples[i].Percent * 100), 0, ushort.MaxValue);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * SampleBytes), seconds);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * SampleBytes + 2), hundredths);
        }
        return bytes;
    }

    internal static List<CpuSample> Decode(byte[] bytes, DateTimeOffset hour)
    {
        var samples = new List<CpuSample>(bytes.Length / SampleBytes);
        for (var i = 0; i + SampleBytes <= bytes.Length; i += SampleBytes)
            samples.Add(new CpuSample(hour.AddSeconds(BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i))),
                BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 2)) / 100.0));
        return samples;
    }

    private const int PassSampleBytes = 19;

    /// <summary>A pass row's samples: per sample the subject's kind (1 byte), its id (16 bytes) and the percentage in
    /// hundredths (16 bits, little-endian; at most 655.35 %).</summary>
    internal static byte[] EncodePass(IReadOnlyList<(PolicySubjectKind Kind, Guid Subject, double Percent)> samples)
    {
        var bytes = new byte[samples.Count * PassSampleBytes];
        for (var i = 0; i < samples.Count; i++)
        {
            var at = bytes.AsSpan(i * PassSampleBytes, PassSampleBytes);
            at[0] = (byte)samples[i].Kind;
            samples[i].Subject.TryWriteBytes(at[1..17]);
            BinaryPrimitives.WriteUInt16LittleEndian(at[17..], (ushort)Math.Clamp(Math.Round(samples[i].Percent * 100), 0, ushort.MaxValue));
        }
        return bytes;
    }

    internal static List<(PolicySubjectKind Kind, Guid Subject, double Percent)> DecodePass(byte[] bytes)
    {
        var samples = new List<(PolicySubjectKind, Guid, double)>(bytes.Length / PassSampleBytes);
        for (var i = 0; i + PassSampleBytes <= bytes.Length; i += PassSampleBytes)
            samples.Add(((PolicySubjectKind)bytes[i], new Guid(bytes.AsSpan(i + 1, 16)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 17)) / 100.0));
        return samples;
    }

    /// <summary>Re-reads which rows the store holds (after a save that failed on a row changed under it).</summary>
    private static async Task ReadStoredKeysAsync(OctopusDbContext db, PolicyRuntimeState state, CancellationToken ct)
    {
        var hours = await db.PolicyCpuHistory.AsNoTracking().Select(c => new { c.Kind, c.SubjectId, c.Start }).ToListAsync(ct);
        var observations = await db.PolicyObservations.AsNoTracking().ToListAsync(ct);
        var passes = await db.PolicyCpuPasses.AsNoTracking().Select(p => p.At).ToListAsync(ct);
        state.StoredHours.Clear();
        foreach (var h in hours) state.StoredHours.Add((h.Kind, h.SubjectId, h.Start));
        state.StoredPasses.Clear();
        foreach (var at in passes) state.StoredPasses.Add(at);
        state.StoredObservations.Clear();
        foreach (var o in observations) state.StoredObservations[(o.Kind, o.SubjectId)] = (o.State, o.LeaseEventFor);
    }
}

/// <summary>Starts the policy runtime's working copy from the store when this replica begins a leader term, and drops
/// the events left in its queue from an earlier term (derived by a pass that lost its term before draining them): the
/// states it loads are what the events are derived from again, so a leftover would be a second, stale copy (a host
/// failure another leader already reacted to).</summary>
internal sealed class PolicyRuntimeTakeover(PolicyRuntimeState state, PolicyEventQueue events, IDbContextFactory<OctopusDbContext> contexts) : Cluster.ILeaderTermListener
{
    public async Task OnTermBeginningAsync(long term, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await PolicyRuntimeStore.LoadAsync(db, state, ct);
        events.Drain();
    }
}
