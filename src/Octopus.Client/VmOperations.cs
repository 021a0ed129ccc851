using System.Net;
using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>VM operations: <c>/api/v1/vms</c>. Every VM argument takes the VM's id or its name.
/// Commands (start, stop, reboot, delete) return at once with the VM in a transitional state;
/// <see cref="WaitForStateAsync(string, Func{VmDto, bool}, TimeSpan, IProgress{VmDto}?, CancellationToken)"/> follows it to the end.</summary>
public sealed partial class VmOperations
{
    private readonly ApiConnection _api;

    internal VmOperations(ApiConnection api) => _api = api;

    /// <summary>Every VM the caller may see (admins: all), following pages as the stream is read.</summary>
    public IAsyncEnumerable<VmDto> ListAsync(VmQuery? query = null, int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<VmDto>(_api, ApiRoutes.Vms, (query ?? new VmQuery()).ToQueryString(), pageSize, ct);

    /// <summary>One page of VMs; pass the previous page's <see cref="Page{T}.NextCursor"/> for the next one.</summary>
    public Task<Page<VmDto>> ListPageAsync(VmQuery? query = null, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        _api.GetAsync<Page<VmDto>>(Paging.PageUrl(ApiRoutes.Vms, (query ?? new VmQuery()).ToQueryString(), cursor, limit), ct);

    /// <summary>The VM with this id or name; <see cref="OctopusApiException"/> with 404 when there is none the caller may see.</summary>
    public Task<VmDto> GetAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<VmDto>(ApiRoutes.Vm(idOrName), ct);

    /// <summary>Asks for a new VM. It comes back Pending; the scheduler places it and it moves on to Running.</summary>
    public Task<VmDto> CreateAsync(VmCreateRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, ApiRoutes.Vms, request, ct);

    /// <summary>Starts a stopped (or failed) VM; answers in Starting, or Pending while no host has room.</summary>
    public Task<VmDto> StartAsync(string idOrName, CancellationToken ct = default) => ActionAsync(idOrName, "start", ct);

    /// <summary>Stops a running VM; answers in Stopping. Stopping a stopped VM is accepted and changes nothing.</summary>
    public Task<VmDto> StopAsync(string idOrName, CancellationToken ct = default) => ActionAsync(idOrName, "stop", ct);

    /// <summary>Reboots a running VM; answers in Rebooting.</summary>
    public Task<VmDto> RebootAsync(string idOrName, CancellationToken ct = default) => ActionAsync(idOrName, "reboot", ct);

    /// <summary>Live-migrates a running VM to <paramref name="host"/> (admin). Answers in Migrating; the VM is Running on
    /// the destination when the operation ends.</summary>
    public Task<VmDto> MigrateAsync(string idOrName, string host, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, ApiRoutes.VmMigrate(idOrName), new MigrateRequest(host), ct);

    /// <summary>Asks for the VM to be deleted; it answers in Deleting, and its GET becomes 404 once it is gone.</summary>
    public Task<VmDto> DeleteAsync(string idOrName, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Delete, ApiRoutes.Vm(idOrName), null, ct);

    /// <summary>The last placement decision for the VM: each host rejected (and why) or scored.</summary>
    public Task<PlacementDto> GetPlacementAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<PlacementDto>(ApiRoutes.VmPlacement(idOrName), ct);

    /// <summary>Polls the VM until <paramref name="until"/> holds, reporting every poll to <paramref name="progress"/>.
    /// Returns the VM as last seen, or null when it has disappeared (404 after it was seen once: deleted, which is how
    /// a delete ends). Throws <see cref="VmWaitTimeoutException"/> when <paramref name="timeout"/> passes first.</summary>
    public Task<VmDto?> WaitForStateAsync(string idOrName, Func<VmDto, bool> until, TimeSpan timeout,
        IProgress<VmDto>? progress = null, CancellationToken ct = default) =>
        PollAsync(idOrName, knownToExist: false, until, timeout, progress, ct);

    /// <summary>As <see cref="WaitForStateAsync(string, Func{VmDto, bool}, TimeSpan, IProgress{VmDto}?, CancellationToken)"/>
    /// for a VM the caller has already seen (e.g. the answer to a command), so a 404 even at the first poll means it is
    /// gone: a fast delete can finish before the first poll.</summary>
    public Task<VmDto?> WaitForStateAsync(VmDto vm, Func<VmDto, bool> until, TimeSpan timeout,
        IProgress<VmDto>? progress = null, CancellationToken ct = default) =>
        PollAsync(vm.Id, knownToExist: true, until, timeout, progress, ct);

    private async Task<VmDto?> PollAsync(string idOrName, bool knownToExist, Func<VmDto, bool> until, TimeSpan timeout,
        IProgress<VmDto>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(until);
        var clock = _api.Options.TimeProvider;
        var started = clock.GetTimestamp();
        VmDto? last = null;
        while (true)
        {
            try
            {
                last = await GetAsync(idOrName, ct).ConfigureAwait(false);
            }
            catch (OctopusApiException e) when (e.Status == HttpStatusCode.NotFound && (knownToExist || last is not null))
            {
                return null;
            }
            progress?.Report(last);
            if (until(last)) return last;
            if (clock.GetElapsedTime(started) >= timeout) throw new VmWaitTimeoutException(idOrName, timeout, last);
            await Task.Delay(_api.Options.PollInterval, clock, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until the VM is in one of <paramref name="targetStates"/> (or gone).</summary>
    public Task<VmDto?> WaitForStateAsync(string idOrName, IReadOnlyCollection<string> targetStates, TimeSpan timeout,
        IProgress<VmDto>? progress = null, CancellationToken ct = default) =>
        WaitForStateAsync(idOrName, vm => targetStates.Contains(vm.State, StringComparer.OrdinalIgnoreCase), timeout, progress, ct);

    /// <summary>Polls until the VM leaves the transitional states (<see cref="VmStates.IsTransitional"/>), or is gone.</summary>
    public Task<VmDto?> WaitUntilSettledAsync(VmDto vm, TimeSpan timeout, IProgress<VmDto>? progress = null, CancellationToken ct = default) =>
        WaitForStateAsync(vm, v => !VmStates.IsTransitional(v.State), timeout, progress, ct);

    private Task<VmDto> ActionAsync(string idOrName, string action, CancellationToken ct) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, ApiRoutes.VmAction(idOrName, action), null, ct);

    /// <summary>The last <paramref name="bytes"/> bytes of the VM's serial console (server default 16 KiB, at most 1 MiB).
    /// 409 when the driver has no console or the VM has never run.</summary>
    public Task<VmConsoleDto> GetConsoleAsync(string idOrName, int? bytes = null, CancellationToken ct = default) =>
        _api.GetAsync<VmConsoleDto>(ApiRoutes.VmConsole(idOrName, bytes), ct);

    /// <summary>The VM's latest operation: kind, status, progress (0–1) and, for a finished migration, total time and downtime.</summary>
    public Task<VmOperationDto> GetOperationAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<VmOperationDto>(ApiRoutes.VmOperation(idOrName), ct);

    /// <summary>Polls the VM's latest operation until it has finished (Succeeded or Failed), reporting each reading.</summary>
    public async Task<VmOperationDto> WaitForOperationAsync(string idOrName, TimeSpan timeout, IProgress<VmOperationDto>? progress = null,
        CancellationToken ct = default)
    {
        var clock = _api.Options.TimeProvider;
        var started = clock.GetTimestamp();
        while (true)
        {
            var op = await GetOperationAsync(idOrName, ct).ConfigureAwait(false);
            progress?.Report(op);
            if (op.Status is "Succeeded" or "Failed") return op;
            if (clock.GetElapsedTime(started) >= timeout)
                throw new TimeoutException($"{op.Kind} of VM {op.Vm} did not finish within {timeout.TotalSeconds:0} s (it is {op.Status}).");
            await Task.Delay(_api.Options.PollInterval, clock, ct).ConfigureAwait(false);
        }
    }
}
