using Octopus.Contracts;

namespace Octopus.Client;

// Many VMs at once: the server's bulk endpoint (one request, one result per VM), and pipelining of single calls for
// servers or actions it does not cover. Neither is retried: both are commands.
public sealed partial class VmOperations
{
    /// <summary>How many VMs one bulk request carries; longer lists are sent in several requests, one after another.</summary>
    public const int BulkChunkSize = 1000;

    /// <summary>Sends one bulk action (<c>POST /api/v1/vm-actions</c>) as given: the VMs named in the request, or those its
    /// selector picks. Each VM is authorised and audited as a single call would be; a refusal is that VM's result
    /// (<see cref="VmActionResultDto.Ok"/> false, with the server's code and message), not an exception.</summary>
    public Task<VmBulkActionResponse> BulkAsync(VmBulkActionRequest request, CancellationToken ct = default) =>
        _api.SendJsonAsync<VmBulkActionResponse>(HttpMethod.Post, ApiRoutes.VmActions, request, ct);

    /// <summary>Applies <paramref name="action"/> (start, stop, reboot, suspend, resume, delete) to every VM the <paramref name="selector"/>
    /// picks among those the caller may see, in one request.</summary>
    public Task<VmBulkActionResponse> BulkAsync(string action, VmSelector selector, CancellationToken ct = default) =>
        BulkAsync(new VmBulkActionRequest(action, Selector: selector), ct);

    /// <summary>Applies <paramref name="action"/> (start, stop, reboot, suspend, resume, delete) to the named VMs (ids, names or
    /// owner/name) through the bulk endpoint, <see cref="BulkChunkSize"/> per request; results are in input order.</summary>
    public async Task<VmBulkActionResponse> BulkAsync(string action, IEnumerable<string> idsOrNames, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(idsOrNames);
        var results = new List<VmActionResultDto>();
        var answered = action;
        foreach (var chunk in idsOrNames.Chunk(BulkChunkSize))
        {
            var response = await BulkAsync(new VmBulkActionRequest(action, chunk), ct).ConfigureAwait(false);
            answered = response.Action;
            results.AddRange(response.Results);
        }
        return Summarise(answered, results);
    }

    /// <summary>Stops the named VMs in bulk requests; see <see cref="BulkAsync(string, IEnumerable{string}, CancellationToken)"/>.</summary>
    public Task<VmBulkActionResponse> StopManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("stop", idsOrNames, ct);

    /// <summary>Starts the named VMs in bulk requests.</summary>
    public Task<VmBulkActionResponse> StartManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("start", idsOrNames, ct);

    /// <summary>Reboots the named VMs in bulk requests.</summary>
    public Task<VmBulkActionResponse> RebootManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("reboot", idsOrNames, ct);

    /// <summary>Suspends the named VMs in bulk requests (each VM's operation is journaled; the answer does not wait for it).</summary>
    public Task<VmBulkActionResponse> SuspendManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("suspend", idsOrNames, ct);

    /// <summary>Resumes the named VMs in bulk requests.</summary>
    public Task<VmBulkActionResponse> ResumeManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("resume", idsOrNames, ct);

    /// <summary>Deletes the named VMs in bulk requests.</summary>
    public Task<VmBulkActionResponse> DeleteManyAsync(IEnumerable<string> idsOrNames, CancellationToken ct = default) => BulkAsync("delete", idsOrNames, ct);

    /// <summary>Applies <paramref name="action"/> (start, stop, reboot, delete) with one single call per VM, keeping up to
    /// <paramref name="maxConcurrency"/> requests in flight: the pipelined alternative to the bulk endpoint. A refused
    /// VM is reported in its result like the bulk endpoint does; connection failures and cancellation still throw.</summary>
    public async Task<VmBulkActionResponse> PipelineAsync(string action, IEnumerable<string> idsOrNames, int maxConcurrency = 16,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(idsOrNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var normalized = (action ?? "").Trim().ToLowerInvariant();
        if (normalized is not ("start" or "stop" or "reboot" or "delete"))
            throw new ArgumentException($"'{action}' is not a VM action; use start, stop, reboot or delete.", nameof(action));
        var targets = idsOrNames.ToArray();
        var results = new VmActionResultDto[targets.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Length),
            new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = ct },
            async (i, token) =>
            {
                try
                {
                    var vm = normalized == "delete"
                        ? await DeleteAsync(targets[i], token).ConfigureAwait(false)
                        : await ActionAsync(targets[i], normalized, token).ConfigureAwait(false);
                    results[i] = new VmActionResultDto(targets[i], true, 202, Result: vm);
                }
                catch (OctopusApiException e)
                {
                    results[i] = new VmActionResultDto(targets[i], false, (int)e.Status, e.Code, e.Message);
                }
            }).ConfigureAwait(false);
        return Summarise(normalized, results);
    }

    private static VmBulkActionResponse Summarise(string action, IReadOnlyList<VmActionResultDto> results)
    {
        var ok = results.Count(r => r.Ok);
        return new VmBulkActionResponse(action, ok, results.Count - ok, results);
    }
}
