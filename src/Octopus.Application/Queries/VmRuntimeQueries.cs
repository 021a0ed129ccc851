using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Drivers;
using Octopus.Persistence;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Control;

namespace Octopus.Application.Queries;

/// <summary>What a running VM shows beyond its record: its serial console (through its node's
/// <see cref="INodeDriver.ReadConsoleAsync"/>) and its latest operation with the progress the driver reports. Only the VM's owner
/// and admins see them (another user's VM is a 404, as everywhere).</summary>
public sealed class VmRuntimeQueries(OctopusDbContext db, VmLookup lookup, OperationProgressStore figures, INodeDriverResolver nodes)
{
    /// <summary>Default and largest console tail a caller can ask for.</summary>
    public const int DefaultConsoleBytes = 16 * 1024, MaxConsoleBytes = 1024 * 1024;

    public async Task<VmConsoleDto> ConsoleAsync(Caller caller, string idOrName, int? bytes, CancellationToken ct)
    {
        var size = bytes ?? DefaultConsoleBytes;
        if (size is < 1 or > MaxConsoleBytes)
            throw DomainException.Invalid("bytes", $"bytes must be between 1 and {MaxConsoleBytes} (1 MiB); got {size}.");
        var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
        if (vm.HostId is not { } host)
            throw DomainException.Conflict("console.never-ran", $"VM '{vm.Name}' has never run (it is {vm.State}), so it has no console output yet; start it first.");
        string text;
        try { text = await nodes.For(host).ReadConsoleAsync(vm.Id, size, ct); }
        catch (DriverException e)
        {
            throw DomainException.Conflict("console.never-ran", $"VM '{vm.Name}' has never run on its host, so it has no console output yet ({e.Message}); it is {vm.State}.");
        }
        return new VmConsoleDto(vm.Name.Value, text, System.Text.Encoding.UTF8.GetByteCount(text));
    }

    /// <summary>The VM's most recent operation, with its progress as the leader running it last recorded it.</summary>
    public async Task<VmOperationDto> OperationAsync(Caller caller, string idOrName, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
        // Few per VM; ordered here because SQLite cannot order by a date with an offset.
        var ops = await db.Operations.AsNoTracking().Where(o => o.VmId == vm.Id).ToListAsync(ct);
        var op = ops.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id.Value).FirstOrDefault()
            ?? throw DomainException.NotFound("operation of VM", vm.Name.Value);
        string? target = null;
        if (op.TargetHostId is { } t)
            target = await db.Hosts.AsNoTracking().Where(h => h.Id == t).Select(h => h.Name).FirstOrDefaultAsync(ct);
        var f = await figures.GetAsync(op.Id, ct);
        var progress = op.Status == Domain.Operations.OperationStatus.Succeeded ? 1 : f?.Progress;
        if (op.Status == Domain.Operations.OperationStatus.Pending) progress = 0;
        return new VmOperationDto(op.Id.ToString(), vm.Name.Value, op.Kind.ToString(), op.Status.ToString(), progress, op.Error, target,
            op.CreatedAt, op.CompletedAt, op.IsFinished ? f?.Total?.TotalSeconds : null, op.IsFinished ? f?.Downtime?.TotalMilliseconds : null);
    }
}
