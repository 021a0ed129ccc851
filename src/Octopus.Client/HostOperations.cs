using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Compute nodes: <c>/api/v1/hosts</c>. Hosts are named by id or name.</summary>
public sealed class HostOperations
{
    private readonly ApiConnection _api;

    internal HostOperations(ApiConnection api) => _api = api;

    /// <summary>Every host, following pages as the stream is read.</summary>
    public IAsyncEnumerable<HostDto> ListAsync(int? pageSize = null, CancellationToken ct = default) =>
        Paging.FollowAsync<HostDto>(_api, ApiRoutes.Hosts, QueryString.Empty, pageSize, ct);

    /// <summary>The host with this id or name; <see cref="OctopusApiException"/> with 404 when there is none.</summary>
    public Task<HostDto> GetAsync(string idOrName, CancellationToken ct = default) =>
        _api.GetAsync<HostDto>(ApiRoutes.Host(idOrName), ct);

    /// <summary>Puts a host into maintenance (no new VMs are placed on it) or takes it out (admin).</summary>
    public Task<HostDto> SetMaintenanceAsync(string idOrName, bool enabled, CancellationToken ct = default) =>
        _api.SendJsonAsync<HostDto>(HttpMethod.Post, ApiRoutes.HostMaintenance(idOrName), new MaintenanceRequest(enabled), ct);

    /// <summary>Powers a host on (admin). Answers in PoweringOn (or On when it already was).</summary>
    public Task<HostDto> PowerOnAsync(string idOrName, CancellationToken ct = default) =>
        _api.SendJsonAsync<HostDto>(HttpMethod.Post, ApiRoutes.HostPowerOn(idOrName), null, ct);

    /// <summary>Powers an empty host off (admin); refused while any VM is on it.</summary>
    public Task<HostDto> PowerOffAsync(string idOrName, CancellationToken ct = default) =>
        _api.SendJsonAsync<HostDto>(HttpMethod.Post, ApiRoutes.HostPowerOff(idOrName), null, ct);

    /// <summary>Sets how a host is switched (admin): method, BMC address/port/user/password, MAC, fallback order. The
    /// password is stored sealed and never returned; the answer shows the host with its <see cref="HostDto.PowerConfig"/>.</summary>
    public Task<HostDto> SetPowerConfigAsync(string idOrName, HostPowerConfigRequest config, CancellationToken ct = default) =>
        _api.SendJsonAsync<HostDto>(HttpMethod.Put, ApiRoutes.HostPowerConfig(idOrName), config, ct);

    /// <summary>Polls the host until <paramref name="until"/> holds, reporting every poll; throws
    /// <see cref="TimeoutException"/> when <paramref name="timeout"/> passes first.</summary>
    public async Task<HostDto> WaitForAsync(string idOrName, Func<HostDto, bool> until, TimeSpan timeout,
        IProgress<HostDto>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(until);
        var clock = _api.Options.TimeProvider;
        var started = clock.GetTimestamp();
        while (true)
        {
            var host = await GetAsync(idOrName, ct).ConfigureAwait(false);
            progress?.Report(host);
            if (until(host)) return host;
            if (clock.GetElapsedTime(started) >= timeout)
                throw new TimeoutException($"Host '{idOrName}' did not settle within {timeout.TotalSeconds:0} s; it is still {host.PowerState}.");
            await Task.Delay(_api.Options.PollInterval, clock, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True while the host is powering on or off.</summary>
    public static bool IsTransitional(HostDto host) =>
        host.PowerState is "PoweringOn" or "PoweringOff";
}
