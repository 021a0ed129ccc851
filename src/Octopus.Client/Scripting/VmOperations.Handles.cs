using Octopus.Contracts;

namespace Octopus.Client;

// The scripting surface of VmOperations: VMs as VmHandle objects that act on themselves, and blocking variants for
// F# interactive and C# scripts, where a for-each over a list is the natural shape.
public sealed partial class VmOperations
{
    /// <summary>Wraps a VM already read (e.g. from <see cref="ListAsync"/>) as a <see cref="VmHandle"/>; sends nothing.</summary>
    public VmHandle Handle(VmDto vm) => new(this, new DiskOperations(_api, new JournalOperations(_api)), vm);

    /// <summary>Reads the VM with this id or name as a <see cref="VmHandle"/>.</summary>
    public async Task<VmHandle> HandleAsync(string idOrName, CancellationToken ct = default) =>
        Handle(await GetAsync(idOrName, ct).ConfigureAwait(false));

    /// <summary>Blocking <see cref="HandleAsync"/>.</summary>
    public VmHandle Handle(string idOrName) => HandleAsync(idOrName).GetAwaiter().GetResult();

    /// <summary>Every VM the caller may see that matches <paramref name="query"/>, read to the end (all pages), as handles.</summary>
    public async Task<IReadOnlyList<VmHandle>> AllAsync(VmQuery? query = null, CancellationToken ct = default)
    {
        var all = new List<VmHandle>();
        await foreach (var vm in ListAsync(query, pageSize: 500, ct).ConfigureAwait(false)) all.Add(Handle(vm));
        return all;
    }

    /// <summary>Blocking <see cref="AllAsync"/>: <c>octopus.Vms.All() |> Seq.filter (fun v -> v.Owner = "lab42")</c>.</summary>
    public IReadOnlyList<VmHandle> All(VmQuery? query = null) => AllAsync(query).GetAwaiter().GetResult();

    /// <summary>Stops every VM in <paramref name="vms"/> through the bulk endpoint and refreshes each handle from its result.</summary>
    public Task<VmBulkActionResponse> StopAllAsync(IEnumerable<VmHandle> vms, CancellationToken ct = default) => ApplyAsync("stop", vms, ct);

    /// <summary>Starts every VM in <paramref name="vms"/> through the bulk endpoint.</summary>
    public Task<VmBulkActionResponse> StartAllAsync(IEnumerable<VmHandle> vms, CancellationToken ct = default) => ApplyAsync("start", vms, ct);

    /// <summary>Deletes every VM in <paramref name="vms"/> through the bulk endpoint.</summary>
    public Task<VmBulkActionResponse> DeleteAllAsync(IEnumerable<VmHandle> vms, CancellationToken ct = default) => ApplyAsync("delete", vms, ct);

    /// <summary>Blocking <see cref="StopAllAsync"/>.</summary>
    public VmBulkActionResponse StopAll(IEnumerable<VmHandle> vms) => StopAllAsync(vms).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="StartAllAsync"/>.</summary>
    public VmBulkActionResponse StartAll(IEnumerable<VmHandle> vms) => StartAllAsync(vms).GetAwaiter().GetResult();

    /// <summary>Blocking <see cref="DeleteAllAsync"/>.</summary>
    public VmBulkActionResponse DeleteAll(IEnumerable<VmHandle> vms) => DeleteAllAsync(vms).GetAwaiter().GetResult();

    /// <summary>Applies <paramref name="action"/> to the handles' VMs (by id) in bulk and updates each handle from its result.</summary>
    public async Task<VmBulkActionResponse> ApplyAsync(string action, IEnumerable<VmHandle> vms, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(vms);
        var handles = vms.ToList();
        var response = await BulkAsync(action, handles.Select(h => h.Id), ct).ConfigureAwait(false);
        for (var i = 0; i < handles.Count && i < response.Results.Count; i++)
            if (response.Results[i].Result is { } dto) handles[i].Update(dto);
        return response;
    }
}
