using System.Net.Http.Json;
using Octopus.Contracts.Agents;
using Octopus.Domain.Hosts;
using Octopus.Domain.Vms;
using Octopus.Drivers;
using Octopus.Drivers.Qemu;
using Octopus.Drivers.Qemu.Migration;

namespace Octopus.Agent;

/// <summary>The destination agent of a live migration, reached over HTTP: maps <see cref="IMigrationTarget"/>'s calls onto
/// its <c>/agent/v1/vms/{id}/incoming/*</c> endpoints, authorised by the server-signed migration ticket.</summary>
public sealed class HttpMigrationTarget(HostId host, Uri baseUri, string ticket, HttpClient http) : IMigrationTarget
{
    public HostId Host { get; } = host;

    public async Task<string> PrepareIncomingAsync(QemuVmSpec spec, CancellationToken ct) =>
        (await PostAsync<AgentUriResponse>(spec.Id, "prepare", new AgentIncomingRequest(SpecMapping.ToWire(spec), null), ct)).Uri;

    public async Task<string> PrepareIncomingWithDiskCopyAsync(QemuVmSpec spec, long diskVirtualSize, CancellationToken ct) =>
        (await PostAsync<AgentUriResponse>(spec.Id, "prepare", new AgentIncomingRequest(SpecMapping.ToWire(spec), diskVirtualSize), ct)).Uri;

    public async Task<string> StartIncomingMigrationAsync(VmId vm, CancellationToken ct) =>
        (await PostAsync<AgentUriResponse>(vm, "start", null, ct)).Uri;

    public Task CompleteIncomingAsync(VmId vm, CancellationToken ct) => PostAsync<AgentOperationResult>(vm, "complete", null, ct);

    public Task AbortIncomingAsync(VmId vm, CancellationToken ct) => PostAsync<AgentOperationResult>(vm, "abort", null, ct);

    private async Task<T> PostAsync<T>(VmId vm, string step, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"{AgentRoutes.VmOf(vm.Value)}/incoming/{step}"));
        request.Headers.Add(AgentSignature.TicketHeader, ticket);
        if (body is not null) request.Content = JsonContent.Create(body, options: SignedRequests.Json);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new DriverException($"destination host {Host} is unreachable at {baseUri}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new DriverException($"destination host {Host} refused incoming/{step}: {await AgentProblems.DetailAsync(response, ct)}");
            return (await response.Content.ReadFromJsonAsync<T>(SignedRequests.Json, ct))!;
        }
    }
}
