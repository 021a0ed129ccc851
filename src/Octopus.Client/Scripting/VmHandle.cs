using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>A VM that can act on itself, for scripts: the last <see cref="VmDto"/> seen of it plus the client that
/// fetched it. Each command (<see cref="Stop"/>, <see cref="StopAsync"/>…) sends the single API call and then holds the
/// VM as the server answered, so <see cref="State"/> shows the transitional state at once. Nothing is cached beyond
/// that one snapshot: <see cref="Refresh"/> reads it again. The synchronous methods block on the async ones and
/// return nothing, so they fit F#'s <c>Seq.iter (fun v -> v.Stop())</c>; programs should prefer the async ones.</summary>
/// <example>
/// <code>
/// // F#:  octopus.Vms.All() |> Seq.filter (fun v -> v.Owner = "lab42") |> Seq.iter (fun v -> v.Stop())
/// foreach (var v in octopus.Vms.All(new VmQuery(Tag: "lab"))) await v.StopAsync();
/// </code>
/// </example>
public sealed class VmHandle
{
    private readonly VmOperations _vms;
    private readonly DiskOperations _disks;

    internal VmHandle(VmOperations vms, DiskOperations disks, VmDto dto)
    {
        _vms = vms;
        _disks = disks;
        Dto = dto ?? throw new ArgumentNullException(nameof(dto));
    }

    /// <summary>The VM as last seen (after the last command or <see cref="Refresh"/>).</summary>
    public VmDto Dto { get; private set; }

    /// <summary>False once a command or <see cref="Refresh"/> found the VM deleted.</summary>
    public bool Exists { get; private set; } = true;

    /// <summary>The VM's id (stable across renames; what every command sends).</summary>
    public string Id => Dto.Id;

    /// <summary>The VM's name, unique per owner.</summary>
    public string Name => Dto.Name;

    /// <summary>The owning user's name.</summary>
    public string Owner => Dto.Owner;

    /// <summary>Observed state (see <see cref="VmStates"/>).</summary>
    public string State => Dto.State;

    /// <summary>Desired state: Running, Stopped or Deleted.</summary>
    public string Spec => Dto.Spec;

    /// <summary>The host it is on, or null.</summary>
    public string? Host => Dto.Host;

    /// <summary>Its tags.</summary>
    public IReadOnlyList<string> Tags => Dto.Tags;

    /// <summary>vCPUs.</summary>
    public int Cores => Dto.Cores;

    /// <summary>Memory in bytes.</summary>
    public long MemoryBytes => Dto.MemoryBytes;

    /// <summary>Disk size in bytes.</summary>
    public long DiskBytes => Dto.DiskBytes;

    /// <summary>The image it was created from.</summary>
    public string Image => Dto.Image;

    /// <summary>Observed CPU load, 0–1 of its cores.</summary>
    public double CpuLoad => Dto.CpuLoad;

    /// <summary>When it last changed state (an idle report's "since when").</summary>
    public DateTimeOffset StateChangedAt => Dto.StateChangedAt;

    /// <summary>When its lease ends, if it has one.</summary>
    public DateTimeOffset? LeaseExpiresAt => Dto.LeaseExpiresAt;

    /// <summary>Why it waits or failed, when it does.</summary>
    public string? StatusReason => Dto.StatusReason;

    /// <summary>True when it carries <paramref name="tag"/>.</summary>
    public bool HasTag(string tag) => Dto.Tags.Contains(tag, StringComparer.Ordinal);

    /// <summary>True when its observed state is <paramref name="state"/> (case-insensitive).</summary>
    public bool Is(string state) => Dto.Is(state);

    /// <summary>Starts the VM and holds the answer.</summary>
    public async Task StartAsync(CancellationToken ct = default) => Dto = await _vms.StartAsync(Id, ct).ConfigureAwait(false);

    /// <summary>Stops the VM and holds the answer.</summary>
    public async Task StopAsync(CancellationToken ct = default) => Dto = await _vms.StopAsync(Id, ct).ConfigureAwait(false);

    /// <summary>Reboots the VM and holds the answer.</summary>
    public async Task RebootAsync(CancellationToken ct = default) => Dto = await _vms.RebootAsync(Id, ct).ConfigureAwait(false);

    /// <summary>Asks for the VM to be deleted and holds the answer (Deleting).</summary>
    public async Task DeleteAsync(CancellationToken ct = default) => Dto = await _vms.DeleteAsync(Id, ct).ConfigureAwait(false);

    /// <summary>Live-migrates the VM to <paramref name="host"/> (admin).</summary>
    public async Task MigrateAsync(string host, CancellationToken ct = default) => Dto = await _vms.MigrateAsync(Id, host, ct).ConfigureAwait(false);

    /// <summary>Forks the VM: a new VM named <paramref name="name"/> whose disk is a child of this one's current state.</summary>
    public async Task<VmHandle> ForkAsync(string name, CancellationToken ct = default) =>
        new(_vms, _disks, await _disks.ForkAsync(Id, new VmForkRequest(name), ct).ConfigureAwait(false));

    /// <summary>Takes snapshot <paramref name="name"/> of the VM's disk.</summary>
    public Task<SnapshotDto> SnapshotAsync(string name, CancellationToken ct = default) => _disks.SnapshotAsync(Id, name, ct);

    /// <summary>Reads the VM again; <see cref="Exists"/> turns false when it is gone.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        try
        {
            Dto = await _vms.GetAsync(Id, ct).ConfigureAwait(false);
        }
        catch (OctopusApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            Exists = false;
        }
    }

    /// <summary>Polls until the VM leaves the transitional states (or is gone); <see cref="VmWaitTimeoutException"/> after
    /// <paramref name="timeout"/> (default two minutes).</summary>
    public async Task WaitUntilSettledAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var settled = await _vms.WaitUntilSettledAsync(Dto, timeout ?? TimeSpan.FromMinutes(2), ct: ct).ConfigureAwait(false);
        if (settled is null) Exists = false;
        else Dto = settled;
    }

    /// <summary>Polls until the VM is in <paramref name="state"/> (e.g. <see cref="VmStates.Running"/>; a new VM is Pending
    /// first). Throws <see cref="InvalidOperationException"/> with the server's reason if it fails instead, and
    /// <see cref="VmWaitTimeoutException"/> after <paramref name="timeout"/> (default two minutes).</summary>
    public async Task WaitForAsync(string state, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var last = await _vms.WaitForStateAsync(Dto, v => v.Is(state) || v.Is(VmStates.Failed), timeout ?? TimeSpan.FromMinutes(2), ct: ct)
            .ConfigureAwait(false);
        if (last is null)
        {
            Exists = false;
            throw new InvalidOperationException($"VM '{Name}' was deleted while waiting for {state}.");
        }
        Dto = last;
        if (!last.Is(state)) throw new InvalidOperationException($"VM '{Name}' failed instead of reaching {state}: {last.StatusReason}");
    }

    /// <summary>Blocking <see cref="WaitForAsync"/>.</summary>
    public void WaitFor(string state, TimeSpan? timeout = null) => WaitForAsync(state, timeout).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="StartAsync"/>.</summary>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="StopAsync"/>.</summary>
    public void Stop() => StopAsync().GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="RebootAsync"/>.</summary>
    public void Reboot() => RebootAsync().GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="DeleteAsync"/>.</summary>
    public void Delete() => DeleteAsync().GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="MigrateAsync"/>.</summary>
    public void Migrate(string host) => MigrateAsync(host).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="ForkAsync"/>.</summary>
    public VmHandle Fork(string name) => ForkAsync(name).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="RefreshAsync"/>.</summary>
    public void Refresh() => RefreshAsync().GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="WaitUntilSettledAsync"/>.</summary>
    public void WaitUntilSettled(TimeSpan? timeout = null) => WaitUntilSettledAsync(timeout).GetAwaiter().GetResult();

    internal void Update(VmDto dto) => Dto = dto;

    /// <summary>"owner/name State on host", for REPL output.</summary>
    public override string ToString() => $"{Owner}/{Name} {State}{(Host is null ? "" : " on " + Host)}";
}
