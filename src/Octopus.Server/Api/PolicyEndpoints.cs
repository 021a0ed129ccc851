using Microsoft.AspNetCore.Http.HttpResults;
using Octopus.Contracts;
using Octopus.Policies.Documents;
using Octopus.Policies.Language;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Policies;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary>The policy endpoints under /api/v1 (policies, templates) and the VM suspend, resume and lease calls. Handlers
/// only translate HTTP to <see cref="PolicyCommands"/> and <see cref="VmSuspendCommands"/>. A policy text that does not
/// parse is a 400 problem with <c>code</c> <c>policy.invalid</c>, <c>field</c>, <c>line</c> and <c>column</c>.</summary>
public static class PolicyEndpoints
{
    public static void MapOctopusPolicies(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup(ApiRoutes.Policies).RequireAuthorization().WithTags("policies");
        policies.MapPost("", async (HttpContext http, CreatePolicyRequest? body, PolicyCommands c, CancellationToken ct) =>
        {
            try
            {
                var p = await c.CreateAsync(Caller.From(http.User), body, ct);
                return Results.Created(ApiRoutes.Policy(p.Name), p);
            }
            catch (PolicyDocumentException e) { return Invalid(e.Message, e.Field, e.Position); }
            catch (PolicyLanguageException e) { return Invalid(e.Message, "condition", e.Position); }
        });
        policies.MapGet("", (HttpContext http, PolicyCommands c, CancellationToken ct) => c.ListAsync(Caller.From(http.User), ct));
        policies.MapGet("/{name}", (HttpContext http, string name, PolicyCommands c, CancellationToken ct) => c.ShowAsync(Caller.From(http.User), name, ct));
        policies.MapDelete("/{name}", async (HttpContext http, string name, PolicyCommands c, CancellationToken ct) =>
        {
            await c.DeleteAsync(Caller.From(http.User), name, ct);
            return TypedResults.NoContent();
        });
        policies.MapPost("/{name}/enable", (HttpContext http, string name, PolicyCommands c, CancellationToken ct) => c.EnableAsync(Caller.From(http.User), name, ct));
        policies.MapPost("/{name}/disable", (HttpContext http, string name, PolicyCommands c, CancellationToken ct) => c.DisableAsync(Caller.From(http.User), name, ct));
        policies.MapGet("/{name}/preview", (HttpContext http, string name, PolicyCommands c, CancellationToken ct) => c.PreviewAsync(Caller.From(http.User), name, ct));
        policies.MapGet("/{name}/history", (HttpContext http, string name, PolicyCommands c, CancellationToken ct) => c.HistoryAsync(Caller.From(http.User), name, ct));
        app.MapGet(ApiRoutes.PolicyTemplates, () => PolicyCommands.Templates()).RequireAuthorization().WithTags("policies");

        var vms = app.MapGroup(ApiRoutes.Vms).RequireAuthorization().WithTags("vms");
        vms.MapPost("/{id}/lease", async (HttpContext http, string id, ExtendLeaseRequest? body, VmSuspendCommands c, VmQueries q, CancellationToken ct) =>
            await q.ToDtoAsync(await c.ExtendLeaseAsync(Caller.From(http.User), id, body, ct), ct));
        // 200 with the VM once the runner has suspended (resumed) it; 202 with the VM as it is when the wait's bound passed first.
        vms.MapPost("/{id}/suspend", async (HttpContext http, string id, VmSuspendCommands c, VmQueries q, OperationQueries ops, CancellationToken ct) =>
            await AnswerAsync(await c.SuspendAsync(Caller.From(http.User), id, ct), Domain.Vms.VmState.Suspended, q, ops, ct));
        vms.MapPost("/{id}/resume", async (HttpContext http, string id, VmSuspendCommands c, VmQueries q, OperationQueries ops, CancellationToken ct) =>
            await AnswerAsync(await c.ResumeAsync(Caller.From(http.User), id, ct), Domain.Vms.VmState.Running, q, ops, ct));
    }

    /// <summary>200 when done; 202 with the VM as it is and, as Location, the operation still running (the VM when none).</summary>
    private static async Task<Results<Ok<VmDto>, Accepted<VmDto>>> AnswerAsync(Domain.Vms.Vm vm, Domain.Vms.VmState wanted, VmQueries q,
        OperationQueries ops, CancellationToken ct)
    {
        var dto = await q.ToDtoAsync(vm, ct);
        if (vm.State == wanted) return TypedResults.Ok(dto);
        var open = await ops.LatestOpenAsync(vm.Id, ct);
        return TypedResults.Accepted(open is { } op ? ApiRoutes.Operation(op.ToString()) : ApiRoutes.Vm(vm.Id.ToString()), dto);
    }

    private static IResult Invalid(string message, string? field, SourcePosition position)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = "policy.invalid", ["line"] = position.Line, ["column"] = position.Column };
        if (field is not null) extensions["field"] = field;
        return Results.Problem(detail: message, statusCode: 400, title: "Invalid policy", type: "https://octopus.dev/problems/policy.invalid",
            extensions: extensions);
    }
}
