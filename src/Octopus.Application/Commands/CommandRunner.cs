using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Auditing;
using Octopus.Domain.Hosts;
using Octopus.Persistence;
using Octopus.Persistence.Records;
using Octopus.Application.Auth;

namespace Octopus.Application.Commands;

/// <summary>Runs one command as a unit: its changes and its audit entry are saved together; a rejected command
/// saves nothing but its audit entry; a concurrent change (optimistic-concurrency conflict, or two first claims of an
/// owner's <see cref="OwnerQuotaLockRecord"/>) re-runs it from fresh state. The body must therefore be free of side
/// effects outside the context: it may run several times.</summary>
public sealed class CommandRunner(OctopusDbContext db, TimeProvider time, ILogger<CommandRunner> log)
{
    /// <summary>Each conflict means another decision committed, so a command over one owner's quota needs at most as many
    /// attempts as the quota has room plus one; 20 covers bursts well beyond the default quota of 20 VMs.</summary>
    private const int MaxAttempts = 20;

    /// <summary>Checks that <paramref name="caller"/> may run <paramref name="command"/> (its declared
    /// <see cref="Permission"/>), runs <paramref name="body"/> and saves its changes with an audit entry (<paramref name="caller"/>,
    /// the command's action, <paramref name="target"/>, and <paramref name="describe"/>'s words for the result); a refusal
    /// is audited like any other failure;
    /// <paramref name="duplicate"/> is the error for a unique-index violation (a race the body's own checks could not
    /// see), by default "TARGET already exists".</summary>
    public async Task<T> RunAsync<T>(Caller caller, Permission command, string target, Func<CancellationToken, Task<T>> body, CancellationToken ct,
        Func<T, string>? describe = null, Func<DomainException>? duplicate = null)
    {
        var action = command.Action;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                command.Authorize(caller);
                var result = await body(ct);
                await AuditAsync(caller, action, target, true, "ok", describe?.Invoke(result), ct);
                await db.SaveChangesAsync(ct);
                if (db.Database.CurrentTransaction is { } tx) await tx.CommitAsync(ct);
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts && (e is DbUpdateException u && IsRetryable(u) || IsTransient(e)))
            {
                log.LogDebug("concurrent change during {Action} on {Target}; retrying ({Attempt})", action, target, attempt);
                await AbandonAsync();
            }
            catch (DbUpdateConcurrencyException)
            {
                await AbandonAsync();
                var busy = DomainException.Conflict("conflict.busy",
                    $"{target} was changed concurrently {MaxAttempts} times while this request was decided; nothing was changed. Retry.",
                    new Dictionary<string, object> { ["target"] = target });
                await RecordFailureAsync(caller, action, target, busy.Message, ct);
                throw busy;
            }
            catch (DbUpdateException e) when (IsUniqueViolation(e))
            {
                await AbandonAsync();
                var conflict = duplicate?.Invoke() ?? DomainException.Conflict("conflict.duplicate", $"{target} already exists; choose another name.",
                    new Dictionary<string, object> { ["target"] = target });
                await RecordFailureAsync(caller, action, target, conflict.Message, ct);
                throw conflict;
            }
            catch (DomainException e)
            {
                await AbandonAsync();
                await RecordFailureAsync(caller, action, target, e.Message, ct);
                throw;
            }
            catch when (db.Database.CurrentTransaction is not null)
            {
                await AbandonAsync();
                throw;
            }
        }
    }

    /// <summary>The most targets <see cref="RunEachAsync"/> decides in one unit of work.</summary>
    public const int EachChunk = 100;

    /// <summary>Runs <paramref name="body"/> for each of <paramref name="targets"/>, <see cref="EachChunk"/> targets to a
    /// unit of work: each target is authorised and audited as <see cref="RunAsync"/> would do it alone (its own entry,
    /// accepted or refused, naming <paramref name="auditTarget"/>'s words for it), a refusal is that target's outcome and
    /// does not stop the others, and what a chunk's accepted targets changed, with <paramref name="finish"/>'s work over
    /// them (e.g. journaling their operations with one query), commits in one save instead of one save per target. When
    /// that save loses a race (a VM changed meanwhile) or the store is busy, the chunk's unit is dropped and each of its
    /// targets runs as its own command through <paramref name="alone"/> (<see cref="RunAsync"/>, with its retries), so
    /// the outcome is what one call per target gives.</summary>
    public async Task<IReadOnlyList<(string Target, T? Result, DomainException? Error)>> RunEachAsync<T>(Caller caller, Permission command,
        IReadOnlyList<string> targets, Func<string, string> auditTarget, Func<string, CancellationToken, Task<T>> body,
        Func<IReadOnlyList<T>, CancellationToken, Task> finish, Func<string, CancellationToken, Task<T>> alone, CancellationToken ct,
        Func<T, string>? describe = null) where T : class
    {
        var outcomes = new List<(string Target, T? Result, DomainException? Error)>(targets.Count);
        foreach (var chunk in targets.Chunk(EachChunk))
        {
            outcomes.AddRange(await RunChunkAsync(caller, command, chunk, auditTarget, body, finish, describe, ct)
                ?? await RunAloneAsync(chunk, alone, ct));
            db.ChangeTracker.Clear();
        }
        return outcomes;
    }

    /// <summary>One chunk of <see cref="RunEachAsync"/> in one save; null when the save lost a race or the store was busy
    /// (nothing of the chunk was saved).</summary>
    private async Task<List<(string Target, T? Result, DomainException? Error)>?> RunChunkAsync<T>(Caller caller, Permission command,
        IReadOnlyList<string> chunk, Func<string, string> auditTarget, Func<string, CancellationToken, Task<T>> body,
        Func<IReadOnlyList<T>, CancellationToken, Task> finish, Func<T, string>? describe, CancellationToken ct) where T : class
    {
        var outcomes = new List<(string Target, T? Result, DomainException? Error)>(chunk.Count);
        var accepted = new List<T>(chunk.Count);
        try
        {
            foreach (var target in chunk)
            {
                var before = db.ChangeTracker.Entries().Where(e => e.State != EntityState.Unchanged).Select(e => e.Entity)
                    .ToHashSet(ReferenceEqualityComparer.Instance);
                try
                {
                    command.Authorize(caller);
                    var result = await body(target, ct);
                    await AuditAsync(caller, command.Action, auditTarget(target), true, "ok", describe?.Invoke(result), ct);
                    outcomes.Add((target, result, null));
                    accepted.Add(result);
                }
                catch (DomainException e)
                {
                    // What this target's body changed before it was refused is not saved with the others.
                    foreach (var entry in db.ChangeTracker.Entries().Where(x => x.State != EntityState.Unchanged && !before.Contains(x.Entity)).ToList())
                    {
                        if (entry.State == EntityState.Added) { entry.State = EntityState.Detached; continue; }
                        entry.CurrentValues.SetValues(entry.OriginalValues); // later targets of the chunk see it as stored
                        entry.State = EntityState.Unchanged;
                    }
                    await AuditAsync(caller, command.Action, auditTarget(target), false, e.Message, null, ct);
                    outcomes.Add((target, null, e));
                }
            }
            await finish(accepted, ct);
            await db.SaveChangesAsync(ct);
            return outcomes;
        }
        catch (Exception e) when (e is DbUpdateException || IsTransient(e))
        {
            log.LogDebug("concurrent change during {Action} over {Count} targets; running each alone", command.Action, chunk.Count);
            await AbandonAsync();
            return null;
        }
    }

    private async Task<List<(string Target, T? Result, DomainException? Error)>> RunAloneAsync<T>(IReadOnlyList<string> chunk,
        Func<string, CancellationToken, Task<T>> alone, CancellationToken ct) where T : class
    {
        var outcomes = new List<(string Target, T? Result, DomainException? Error)>(chunk.Count);
        foreach (var target in chunk)
        {
            try { outcomes.Add((target, await alone(target, ct), null)); }
            catch (DomainException e) { outcomes.Add((target, null, e)); }
            db.ChangeTracker.Clear();
        }
        return outcomes;
    }

    /// <summary>Records the outcome of <paramref name="command"/> decided outside one unit of work (a fork's or a
    /// snapshot's operation that ended after the request, a bulk action's summary, a console session).</summary>
    public async Task RecordAsync(Caller caller, Permission command, string target, bool ok, string result, CancellationToken ct)
    {
        await AuditAsync(caller, command.Action, target, ok, result, null, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Adds one audit entry for <paramref name="target"/> as a person reads it (<see cref="NamedAsync"/>).</summary>
    private async Task AuditAsync(Caller caller, string action, string target, bool ok, string result, string? detail, CancellationToken ct) =>
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), caller.Name, action, await NamedAsync(caller, target, ct), ok, result, detail));

    /// <summary>The audit names what was acted on as a person reads it: a VM addressed by id (as the web UI and
    /// scripts do) or by a name is recorded as <c>vm/NAME</c> when it is the caller's, <c>vm/OWNER/NAME</c> when it is
    /// someone else's (an address the API takes, so the entry can link to it); a host addressed by id as
    /// <c>host/NAME</c>. A target that names nothing the caller can see is recorded as it was given.</summary>
    private async Task<string> NamedAsync(Caller caller, string target, CancellationToken ct)
    {
        try
        {
            if (target.StartsWith("vm/", StringComparison.Ordinal) && target.Length > 3)
            {
                var vm = await new VmLookup(db).FindAsync(caller, target[3..], ct, track: false);
                if (vm.OwnerId == caller.Id) return $"vm/{vm.Name}";
                var owner = await db.Users.AsNoTracking().Where(u => u.Id == vm.OwnerId).Select(u => (Domain.Users.UserName?)u.Name).FirstOrDefaultAsync(ct);
                return owner is null ? $"vm/{vm.Name}" : $"vm/{owner}/{vm.Name}";
            }
            if (target.StartsWith("host/", StringComparison.Ordinal) && HostId.TryParse(target[5..], out var id))
                return await db.Hosts.AsNoTracking().Where(h => h.Id == id).Select(h => "host/" + h.Name).FirstOrDefaultAsync(ct) ?? target;
        }
        catch (DomainException)
        {
            // not found, or a name several users' VMs share: the command said so; the entry keeps the words it was given
        }
        return target;
    }

    /// <summary>Forgets the attempt: rolls back a transaction it left open (an owner's lock,
    /// <see cref="OwnerQuota.ClaimAsync"/>) so the lock is released and a failure's audit entry saves on its own.</summary>
    private async Task AbandonAsync()
    {
        if (db.Database.CurrentTransaction is { } tx)
        {
            await tx.RollbackAsync(CancellationToken.None);
            await tx.DisposeAsync();
        }
        db.ChangeTracker.Clear();
    }

    private async Task RecordFailureAsync(Caller caller, string action, string target, string message, CancellationToken ct)
    {
        await AuditAsync(caller, action, target, false, message, null, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A lost optimistic-concurrency race, or a unique violation in a save that claimed an owner's quota lock:
    /// re-running decides again on fresh state (the first claim that lost now finds the row; a name taken meanwhile is
    /// then reported by the body's own check, with its own message).</summary>
    private bool IsRetryable(DbUpdateException e) =>
        e is DbUpdateConcurrencyException || (IsUniqueViolation(e) && e.Entries.Any(x => x.Entity is OwnerQuotaLockRecord));

    /// <summary>The store was momentarily busy (the provider knows its engine's words for it: SQLite busy or locked,
    /// PostgreSQL serialization failure or deadlock). Nothing was saved; running again is safe.</summary>
    private bool IsTransient(Exception e) => db.Provider.IsTransient(e);

    private bool IsUniqueViolation(DbUpdateException e) => db.Provider.IsUniqueViolation(e);
}
