using Microsoft.EntityFrameworkCore;
using Octopus.Domain;
using Octopus.Domain.Auditing;
using Octopus.Persistence;
using Octopus.Server.Auth;

namespace Octopus.Server.Commands;

/// <summary>Runs one command as a unit: its changes and its audit entry are saved together; a rejected command
/// saves nothing but its audit entry; a concurrent change (optimistic-concurrency conflict) re-runs it from fresh state.</summary>
public sealed class CommandRunner(OctopusDbContext db, TimeProvider time, ILogger<CommandRunner> log)
{
    private const int MaxAttempts = 5;

    public async Task<T> RunAsync<T>(Caller caller, string action, string target, Func<CancellationToken, Task<T>> body, CancellationToken ct,
        Func<T, string>? describe = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await body(ct);
                db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), caller.Name, action, target, true, "ok", describe?.Invoke(result)));
                await db.SaveChangesAsync(ct);
                return result;
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
            {
                log.LogDebug("concurrent change during {Action} on {Target}; retrying ({Attempt})", action, target, attempt);
                db.ChangeTracker.Clear();
            }
            catch (DbUpdateException e) when (IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
                var conflict = DomainException.Conflict("conflict.duplicate", $"{target} already exists; choose another name.");
                await RecordFailureAsync(caller, action, target, conflict.Message, ct);
                throw conflict;
            }
            catch (DomainException e)
            {
                db.ChangeTracker.Clear();
                await RecordFailureAsync(caller, action, target, e.Message, ct);
                throw;
            }
        }
    }

    /// <summary>Records something that happened without a command (e.g. a control loop's own decision).</summary>
    public async Task RecordAsync(Caller caller, string action, string target, bool ok, string result, CancellationToken ct)
    {
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), caller.Name, action, target, ok, result));
        await db.SaveChangesAsync(ct);
    }

    private async Task RecordFailureAsync(Caller caller, string action, string target, string message, CancellationToken ct)
    {
        db.Audit.Add(AuditEntry.Record(time.GetUtcNow(), caller.Name, action, target, false, message));
        await db.SaveChangesAsync(ct);
    }

    private static bool IsUniqueViolation(DbUpdateException e) =>
        e.InnerException?.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase) == true ||
        e.InnerException?.GetType().GetProperty("SqlState")?.GetValue(e.InnerException) as string == "23505";
}
