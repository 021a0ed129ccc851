using Microsoft.AspNetCore.Http.HttpResults;
using Octopus.Contracts;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Disks;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary>The disk endpoints under /api/v1: fork, snapshots, revert, a VM's disk, the disk tree and gc. Handlers
/// only translate HTTP to <see cref="VmDiskCommands"/>.</summary>
public static class DiskEndpoints
{
    public static void MapOctopusDisks(this IEndpointRouteBuilder app)
    {
        var vms = app.MapGroup(ApiRoutes.Vms).RequireAuthorization().WithTags("disks");
        vms.MapPost("/{id}/fork", async (HttpContext http, string id, VmForkRequest? body, VmDiskCommands c, VmQueries q, CancellationToken ct) =>
        {
            var vm = await c.ForkAsync(Caller.From(http.User), id, body, ct);
            return TypedResults.Created(ApiRoutes.Vm(vm.Id.ToString()), await q.ToDtoAsync(vm, ct));
        });
        vms.MapGet("/{id}/disk", (HttpContext http, string id, VmDiskCommands c, CancellationToken ct) =>
            c.DiskAsync(Caller.From(http.User), id, ct));
        vms.MapGet("/{id}/snapshots", (HttpContext http, string id, VmDiskCommands c, CancellationToken ct) =>
            c.SnapshotsAsync(Caller.From(http.User), id, ct));
        // 201 with the snapshot once taken; 202 when a live snapshot's operation outlasted the request's wait (it goes on;
        // Location: the operation).
        vms.MapPost("/{id}/snapshots", async Task<Results<Created<SnapshotDto>, Accepted>> (HttpContext http, string id, SnapshotRequest? body,
            VmDiskCommands c, VmLookup lookup, OperationQueries ops, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var s = await c.SnapshotAsync(caller, id, body, ct);
            if (s is null)
            {
                var vm = await lookup.FindAsync(caller, id, ct, track: false);
                return TypedResults.Accepted(await ops.LatestOpenAsync(vm.Id, ct) is { } op ? ApiRoutes.Operation(op.ToString()) : $"{ApiRoutes.Vm(id)}/snapshots");
            }
            return TypedResults.Created($"{ApiRoutes.Vm(id)}/snapshots/{Uri.EscapeDataString(s.Name)}", s);
        });
        // 200 with the VM's disk once reverted. {"restart": true} reverts a running VM by one "stop, revert, start" operation;
        // 202 when it outlasted the request's wait (it goes on; Location: the operation).
        // The body is optional and read here: a bound body parameter would make the route refuse a POST without one.
        vms.MapPost("/{id}/snapshots/{name}/revert", async Task<Results<Ok<VmDiskDto>, Accepted>> (HttpContext http, string id, string name,
            VmDiskCommands c, VmLookup lookup, OperationQueries ops, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            RevertRequest? body = null;
            if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                try { body = await http.Request.ReadFromJsonAsync<RevertRequest>(ct); }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
                {
                    throw Domain.DomainException.Invalid("body", "Send no body, or JSON {\"restart\": true} to stop, revert and start a running VM.");
                }
            }
            var disk = await c.RevertAsync(caller, id, name, ct, body?.Restart ?? false);
            if (disk is not null) return TypedResults.Ok(disk);
            var vm = await lookup.FindAsync(caller, id, ct, track: false);
            return TypedResults.Accepted(await ops.LatestOpenAsync(vm.Id, ct) is { } op ? ApiRoutes.Operation(op.ToString()) : ApiRoutes.Vm(id));
        });
        vms.MapDelete("/{id}/snapshots/{name}", async (HttpContext http, string id, string name, VmDiskCommands c, CancellationToken ct) =>
        {
            await c.DeleteSnapshotAsync(Caller.From(http.User), id, name, ct);
            return TypedResults.NoContent();
        });

        var images = app.MapGroup(ApiRoutes.Images).RequireAuthorization().WithTags("images");
        images.MapPost("/import", async (HttpContext http, ImageImportRequest? body, ImageCommands c, CancellationToken ct) =>
        {
            var image = await c.ImportAsync(Caller.From(http.User), body, ct);
            return TypedResults.Created($"{ApiRoutes.Images}/{Uri.EscapeDataString(image.Name)}", image);
        });
        images.MapPatch("/{name}", (HttpContext http, string name, ImageUpdateRequest? body, ImageCommands c, CancellationToken ct) =>
            c.UpdateAsync(Caller.From(http.User), name, body, ct));
        images.MapDelete("/{name}", async (HttpContext http, string name, ImageCommands c, CancellationToken ct) =>
        {
            await c.DeleteAsync(Caller.From(http.User), name, ct);
            return TypedResults.NoContent();
        });

        var disks = app.MapGroup(ApiRoutes.Base + "/disks").RequireAuthorization().WithTags("disks");
        disks.MapGet("/tree", (HttpContext http, string? vm, VmDiskCommands c, CancellationToken ct) =>
            c.TreeAsync(Caller.From(http.User), vm, ct));
        disks.MapPost("/gc", (HttpContext http, bool? dryRun, VmDiskCommands c, CancellationToken ct) =>
            c.CollectAsync(Caller.From(http.User), dryRun ?? false, ct));
    }
}
