using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

using Octopus.Application.Cluster;

namespace Octopus.Server.Cluster;

/// <summary><c>GET /api/v1/cluster</c>: the replicas and the leader (administrators only).</summary>
public static class ClusterEndpoints
{
    public static void MapOctopusCluster(IEndpointRouteBuilder app)
    {
        app.MapGroup(ApiRoutes.Base).RequireAuthorization().MapGet("/cluster", async (HttpContext http, ClusterQueries queries, CancellationToken ct) =>
        {
            Permissions.ClusterView.Authorize(Caller.From(http.User));
            return TypedResults.Ok(await queries.GetAsync(ct));
        }).WithTags("cluster");
    }
}
