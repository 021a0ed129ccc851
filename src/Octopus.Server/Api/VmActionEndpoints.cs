using Octopus.Contracts;
using Octopus.Persistence;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary><c>POST /api/v1/vm-actions</c>: one action over many VMs in one call (see <see cref="VmBulkActions"/>).
/// The answer is 200 with a result per VM even when some were refused; only a malformed request is a problem.</summary>
public static class VmActionEndpoints
{
    public static void MapOctopusVmActions(this IEndpointRouteBuilder app) =>
        app.MapPost(ApiRoutes.VmActions, (HttpContext http, VmBulkActionRequest? body, OctopusDbContext db, VmCommands commands,
                VmSuspendCommands suspends, VmQueries queries, CommandRunner runner, CancellationToken ct) =>
            new VmBulkActions(db, commands, suspends, queries, runner).RunAsync(Caller.From(http.User), body, ct))
        .RequireAuthorization().WithTags("vms");
}
