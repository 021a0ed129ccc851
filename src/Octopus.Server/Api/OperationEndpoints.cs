using Microsoft.AspNetCore.Mvc;
using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary>The operations journal under /api/v1/operations: the caller's operations (admins: everyone's), newest first,
/// with status, steps and why one failed. Read-only: operations are started by the commands that need them.</summary>
public static class OperationEndpoints
{
    public static void MapOctopusOperations(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup(ApiRoutes.Operations).RequireAuthorization().WithTags("operations");
        ops.MapGet("", (HttpContext http, OperationQueries q, string? status, string? vm, string? kind, bool? mine, string? cursor, int? limit,
                CancellationToken ct) => q.ListAsync(Caller.From(http.User), status, vm, kind, mine ?? false, cursor, limit, ct))
            .WithSummary("Operations the caller may see (their VMs' and their own; admins all, or only their own with mine=true), newest first: "
                + "filter by status (pending, running, succeeded, failed, open, finished), vm (id or name) and kind (create-vm, …); offset-paged.");
        ops.MapGet("/{id}", (HttpContext http, OperationQueries q, [FromRoute] string id, CancellationToken ct) =>
            q.GetAsync(Caller.From(http.User), id, ct)).WithSummary("One operation with its steps; 404 for another user's.");
    }
}
