using Octopus.Contracts;

namespace Octopus.Client;

/// <summary>The consolidation plan: <c>/api/v1/plan</c> (admin). What the engine proposes now, applying it, and the
/// mode (automatic, manual, off).</summary>
public sealed class PlanOperations
{
    private readonly ApiConnection _api;

    internal PlanOperations(ApiConnection api) => _api = api;

    /// <summary>The plan the engine proposes now, each step with its reason and expected effect. Changes nothing.</summary>
    public Task<PlanDto> GetAsync(CancellationToken ct = default) => _api.GetAsync<PlanDto>(ApiRoutes.Plan, ct);

    /// <summary>Computes the plan now and applies it; each step says whether it started or why it was skipped.</summary>
    public Task<PlanDto> ApplyAsync(CancellationToken ct = default) =>
        _api.SendJsonAsync<PlanDto>(HttpMethod.Post, ApiRoutes.PlanApply, null, ct);

    /// <summary>The current mode: automatic, manual or off.</summary>
    public async Task<string> GetModeAsync(CancellationToken ct = default) =>
        (await _api.GetAsync<PlanModeRequest>(ApiRoutes.PlanMode, ct).ConfigureAwait(false)).Mode;

    /// <summary>Sets the mode: automatic, manual or off.</summary>
    public async Task<string> SetModeAsync(string mode, CancellationToken ct = default) =>
        (await _api.SendJsonAsync<PlanModeRequest>(HttpMethod.Put, ApiRoutes.PlanMode, new PlanModeRequest(mode), ct).ConfigureAwait(false)).Mode;
}
