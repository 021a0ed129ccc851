using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary><c>GET /api/v1/vms/{id}/console?bytes=N</c> (the serial console's tail) and <c>GET /api/v1/vms/{id}/operation</c>
/// (the latest operation with its progress). Handlers only translate HTTP to <see cref="VmRuntimeQueries"/>.</summary>
public static class VmRuntimeEndpoints
{
    public static void MapVmRuntime(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Vms + "/{id}/console", (HttpContext http, string id, int? bytes, VmRuntimeQueries q, CancellationToken ct) =>
            q.ConsoleAsync(Caller.From(http.User), id, bytes, ct)).RequireAuthorization().WithTags("vms");
        app.MapGet(ApiRoutes.Vms + "/{id}/operation", (HttpContext http, string id, VmRuntimeQueries q, CancellationToken ct) =>
            q.OperationAsync(Caller.From(http.User), id, ct)).RequireAuthorization().WithTags("vms");
    }
}
