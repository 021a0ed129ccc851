using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Octopus.Domain.Operations;
using Octopus.Persistence;

namespace Octopus.Application.Commands;

/// <summary>Lets a request wait, for a bounded time, for a journaled operation that the runner carries out (possibly
/// on another replica): it reads the operation's status from the store until it has finished. The request itself
/// never calls a driver.</summary>
public sealed class OperationWaiter(OctopusDbContext db)
{
    /// <summary>How long a request waits for a quick operation (suspend, resume) before answering 202 with the VM as it is.</summary>
    public static readonly TimeSpan QuickOperationBound = TimeSpan.FromSeconds(30);

    // Real time on purpose: this paces reads of the store while a driver works; it decides nothing.
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(20);

    /// <summary>The finished operation, or null when <paramref name="bound"/> passed first.</summary>
    public async Task<Operation?> WaitAsync(OperationId id, TimeSpan bound, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var op = await db.Operations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
            if (op is null || op.IsFinished) return op;
            if (Stopwatch.GetElapsedTime(started) >= bound) return null;
            await Task.Delay(PollEvery, ct);
        }
    }
}
