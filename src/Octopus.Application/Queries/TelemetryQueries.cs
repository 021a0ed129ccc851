using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Control;
using Octopus.Contracts;
using Octopus.Persistence;

namespace Octopus.Application.Queries;

/// <summary>The <see cref="TelemetryHistory"/> as the API shows it: a VM's to its owner and to admins (another user's
/// VM is "not found", as everywhere), a host's to admins.</summary>
public sealed class TelemetryQueries(OctopusDbContext db, VmLookup lookup, TelemetryHistory history)
{
    public async Task<VmHistoryDto> VmAsync(Caller caller, string idOrName, string? range, CancellationToken ct)
    {
        var vm = await lookup.FindAsync(caller, idOrName, ct, track: false);
        var tier = TelemetryHistory.TierFor(range);
        var series = await history.VmAsync(db, vm.Id, tier, ct);
        return new VmHistoryDto(vm.Id.ToString(), tier.Range, series.From, series.To, (int)tier.Length.TotalSeconds, vm.Geometry.Memory.Bytes,
            [.. series.Points.Select(p => new VmHistoryPointDto(p.At, Math.Round(p.Cpu, 4), Round(p.MemoryBytes), Round(p.DiskReadBytesPerSecond),
                Round(p.DiskWriteBytesPerSecond), Round(p.NetReceiveBytesPerSecond), Round(p.NetTransmitBytesPerSecond)))]);
    }

    public async Task<HostHistoryDto> HostAsync(Caller caller, string idOrName, string? range, CancellationToken ct)
    {
        Permissions.HostHistoryView.Authorize(caller);
        var host = await HostCommands.FindAsync(db, idOrName, ct);
        var tier = TelemetryHistory.TierFor(range);
        var series = await history.HostAsync(db, host.Id, tier, ct);
        return new HostHistoryDto(host.Name, tier.Range, series.From, series.To, (int)tier.Length.TotalSeconds,
            [.. series.Points.Select(p => new HostHistoryPointDto(p.At, Math.Round(p.Load, 4), Math.Round(p.Watts, 1)))]);
    }

    private static double? Round(double? x) => x is { } v ? Math.Round(v) : null;
}
