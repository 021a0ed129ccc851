using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>Differencing-disk operations: forks, snapshots and reverts of a VM (<c>/api/v1/vms/{vm}/…</c>), the disk
/// tree and garbage collection (<c>/api/v1/disks</c>). Every VM argument takes the VM's id or its name.</summary>
public sealed class DiskOperations
{
    private const string Disks = ApiRoutes.Base + "/disks";
    private readonly ApiConnection _api;
    private readonly JournalOperations _operations;

    internal DiskOperations(ApiConnection api, JournalOperations operations) => (_api, _operations) = (api, operations);

    /// <summary>Creates a new VM whose disk is a new child of <paramref name="source"/>'s current state (quota and
    /// placement as for a create). It comes back Pending, like a created VM.</summary>
    public Task<VmDto> ForkAsync(string source, VmForkRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDto>(HttpMethod.Post, ApiRoutes.Vm(source) + "/fork", request, ct);

    /// <summary>Freezes the VM's current disk as snapshot <paramref name="name"/>; the VM continues on a new child. The
    /// server answers once its snapshot operation is done, or 202 when that outlasts its wait: then this follows the
    /// operation to its end (a failure is thrown as the server would have answered it, 409 with the operation's code).</summary>
    public async Task<SnapshotDto> SnapshotAsync(string vm, string name, CancellationToken ct = default)
    {
        var (snapshot, operation) = await _api.SendJsonOrOperationAsync<SnapshotDto>(HttpMethod.Post, ApiRoutes.Vm(vm) + "/snapshots",
            new SnapshotRequest(name), ct).ConfigureAwait(false);
        if (snapshot is not null) return snapshot;
        if (operation is not null)
        {
            var done = await _operations.WaitAsync(operation, ct: ct).ConfigureAwait(false);
            if (done.Status == "Failed")
                throw new OctopusApiException(System.Net.HttpStatusCode.Conflict, done.ErrorCode ?? "vm.snapshot-failed", null, "Snapshot failed",
                    done.Error ?? $"The snapshot '{name}' of VM {vm} failed.");
        }
        return (await SnapshotsAsync(vm, ct).ConfigureAwait(false)).Snapshots.FirstOrDefault(s => s.Name == name)
            ?? throw new OctopusApiException(System.Net.HttpStatusCode.NotFound, "not-found", null, "Snapshot not found",
                $"The server accepted snapshot '{name}' of VM {vm}, but it is not among the VM's snapshots; see octopus vm snapshots {vm}.");
    }

    /// <summary>The VM's snapshots as a tree, and which one its current state descends from.</summary>
    public Task<SnapshotTreeDto> SnapshotsAsync(string vm, CancellationToken ct = default) =>
        _api.GetAsync<SnapshotTreeDto>(ApiRoutes.Vm(vm) + "/snapshots", ct);

    /// <summary>Continues a stopped VM from snapshot <paramref name="name"/>; refused (409) while the VM is not stopped.</summary>
    public Task<VmDiskDto> RevertAsync(string vm, string name, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmDiskDto>(HttpMethod.Post, $"{ApiRoutes.Vm(vm)}/snapshots/{Uri.EscapeDataString(name)}/revert", null, ct);

    /// <summary>Continues the VM from snapshot <paramref name="name"/>; with <paramref name="restart"/> a running VM is
    /// stopped, reverted and started again by one server operation. Returns the VM's disk once done, or null when the
    /// server answered that the operation goes on (202; follow it with <c>Operations</c> or the VM's state).</summary>
    public Task<VmDiskDto?> RevertAsync(string vm, string name, bool restart, CancellationToken ct = default) =>
        _api.SendJsonOrAcceptedAsync<VmDiskDto>(HttpMethod.Post, $"{ApiRoutes.Vm(vm)}/snapshots/{Uri.EscapeDataString(name)}/revert",
            new RevertRequest(restart), ct);

    /// <summary>Deletes snapshot <paramref name="name"/> of the VM; its disk is collected once nothing else reaches it.</summary>
    public Task DeleteSnapshotAsync(string vm, string name, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, $"{ApiRoutes.Vm(vm)}/snapshots/{Uri.EscapeDataString(name)}", null, ct);

    /// <summary>The VM's active disk and the depth of its backing chain.</summary>
    public Task<VmDiskDto> GetVmDiskAsync(string vm, CancellationToken ct = default) =>
        _api.GetAsync<VmDiskDto>(ApiRoutes.Vm(vm) + "/disk", ct);

    /// <summary>The disk tree: all of it for admins, the chains of the caller's VMs for users, or one VM's.</summary>
    public Task<DiskTreeDto> TreeAsync(string? vm = null, CancellationToken ct = default) =>
        _api.GetAsync<DiskTreeDto>(vm is null ? Disks + "/tree" : $"{Disks}/tree?vm={Uri.EscapeDataString(vm)}", ct);

    /// <summary>Collects unreachable disks past their grace period (admin); with <paramref name="dryRun"/> only lists them.</summary>
    public Task<GcReportDto> CollectAsync(bool dryRun, CancellationToken ct = default) =>
        _api.SendJsonAsync<GcReportDto>(HttpMethod.Post, $"{Disks}/gc?dryRun={(dryRun ? "true" : "false")}", null, ct);
}
