using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Domain.Users;
using Octopus.Persistence;
using Octopus.Server.Auth;
using Octopus.Application.Auth;
using Octopus.Application.Commands;
using Octopus.Application.Configuration;
using Octopus.Application.Queries;

namespace Octopus.Server.Api;

/// <summary>The REST API under /api/v1. Handlers only translate HTTP to commands and queries.</summary>
public static class Endpoints
{
    public static void MapOctopusApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(ApiRoutes.Base);

        api.MapPost("/auth/token", async (HttpContext http, TokenRequest? body, TokenService tokens, CancellationToken ct) =>
        {
            if (body is null) throw DomainException.Invalid("body", "Send {username, password}.");
            var (token, expires, user) = await tokens.IssueAsync(body.Username, body.Password, http.Connection.RemoteIpAddress?.ToString(), ct);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new TokenResponse(token, expires, user.Name.Value, user.Role.ToString().ToLowerInvariant()));
        }).AllowAnonymous().RequireRateLimiting(Identity.IdentityServiceCollectionExtensions.LoginRateLimit).WithTags("auth");

        api.MapGet("/health", async (OctopusDbContext db, Drivers.INodeDriverResolver nodes, CancellationToken ct) =>
        {
            var counts = await ClusterCounts.ReadAsync(db, ct);
            return TypedResults.Ok(new HealthDto("ok", Version, db.Provider.Name, nodes.DriverName, counts.Hosts, counts.HostsOn, counts.Vms));
        }).AllowAnonymous().WithTags("health");

        var authed = api.MapGroup("").RequireAuthorization();

        authed.MapGet("/me", async (HttpContext http, OctopusDbContext db, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.Id, ct);
            return TypedResults.Ok(new MeDto(user.Name.Value, user.Role.ToString().ToLowerInvariant(), Dto.From(user.Quota),
                Dto.From(await VmCommands.UsageAsync(db, user.Id, ct)), user.Provider));
        }).WithTags("auth");

        MapVms(authed.MapGroup("/vms").WithTags("vms"));
        MapHosts(authed.MapGroup("/hosts").WithTags("hosts"));
        MapUsers(authed.MapGroup("/users").WithTags("users"));

        authed.MapGet("/audit", async (HttpContext http, OctopusDbContext db, string? actor, string? target, string? cursor, int? limit, CancellationToken ct, string? action = null) =>
        {
            var caller = Caller.From(http.User);
            var (offset, take) = Paging.Parse(cursor, limit);
            var q = db.Audit.AsNoTracking();
            // Users see what they did themselves; admins see everything.
            if (!caller.IsAdmin)
            {
                var viaPolicy = caller.Name + " via policy "; // what their policies did on their behalf
                q = q.Where(a => a.Actor == caller.Name || a.Actor.StartsWith(viaPolicy));
            }
            if (actor is not null) q = q.Where(a => a.Actor == actor);
            if (target is not null) q = q.Where(a => a.Target == target);
            // "vm." matches every VM action; "vm.create" only that one.
            if (!string.IsNullOrEmpty(action)) q = q.Where(a => a.Action.StartsWith(action));
            var rows = await q.OrderByDescending(a => a.Id).Skip(offset).Take(take + 1).ToListAsync(ct);
            return TypedResults.Ok(Paging.Page([.. rows.Select(Dto.From)], offset, take));
        }).WithTags("audit");

        var plan = authed.MapGroup("/plan").WithTags("plan");
        plan.MapGet("", async (HttpContext http, Application.Consolidation.ConsolidationPlanner planner, Application.Consolidation.PlanDismissal dismissal, CancellationToken ct) =>
        {
            Permissions.PlanView.Authorize(Caller.From(http.User));
            return dismissal.Apply((await planner.PlanAsync(ct)).View);
        });
        plan.MapPost("/apply", async (HttpContext http, Application.Consolidation.ConsolidationPlanner planner, Application.Consolidation.PlanCommitter committer, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            Permissions.PlanApply.Authorize(caller);
            return await committer.ApplyAsync(await planner.PlanAsync(ct), caller.Name, ct);
        });
        plan.MapPut("/mode", async (HttpContext http, PlanModeRequest? body, Application.Consolidation.ConsolidationModeStore modes, CommandRunner runner, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            return await runner.RunAsync(caller, Permissions.PlanMode, "cluster", _ =>
            {
                var mode = Application.Consolidation.ConsolidationModeStore.Parse(body?.Mode);
                modes.Set(mode);
                return Task.FromResult(new PlanModeRequest(mode.ToString().ToLowerInvariant()));
            }, ct, m => m.Mode);
        });
        plan.MapPost("/dismiss", async (HttpContext http, Application.Consolidation.ConsolidationPlanner planner, Application.Consolidation.PlanDismissal dismissal,
            CommandRunner runner, TimeProvider time, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            return await runner.RunAsync(caller, Permissions.PlanDismiss, "cluster", async c =>
            {
                var current = (await planner.PlanAsync(c)).View;
                if (!dismissal.Dismiss(current, caller.Name, time.GetUtcNow()))
                    throw Domain.DomainException.Conflict("plan.empty", "The plan has no step to dismiss; nothing was changed.");
                return dismissal.Apply(current);
            }, ct, p => p.Summary);
        });
        plan.MapGet("/mode", (Application.Consolidation.ConsolidationModeStore modes) => new PlanModeRequest(modes.Mode.ToString().ToLowerInvariant()));

        authed.MapGet("/images", async (OctopusDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.Images.AsNoTracking().ToListAsync(ct)).OrderBy(i => i.Name, StringComparer.Ordinal)
                .Select(Application.Disks.ImageCommands.Dto).ToList())).WithTags("images");
    }

    private static void MapVms(RouteGroupBuilder vms)
    {
        vms.MapGet("", (HttpContext http, VmQueries q, string? owner, string? state, string? host, string? tag, [FromQuery(Name = "q")] string? search,
                string? sort, string? cursor, int? limit, CancellationToken ct) =>
            q.ListAsync(Caller.From(http.User), new VmListRequest(owner, state, host, tag, search, sort, cursor, limit), ct))
            .WithSummary("VMs the caller may see: filter (owner, state, host, tag), search (q: part of a name, tag, owner, host, IP or MAC), "
                + "sort (created, name, owner, host, state; '-' reverses), keyset-paged (cursor, limit ≤ 1000), with the total that match.");

        vms.MapPost("", async (HttpContext http, VmCreateRequest? body, VmCommands commands, CancellationToken ct) =>
        {
            var created = await commands.CreateWithRowsAsync(Caller.From(http.User), body, ct);
            return TypedResults.Created(ApiRoutes.Vm(created.Vm.Id.ToString()), VmQueries.ToDto(created));
        });

        vms.MapGet("/{id}", (HttpContext http, string id, VmQueries q, CancellationToken ct) => q.GetAsync(Caller.From(http.User), id, ct));

        vms.MapDelete("/{id}", async (HttpContext http, string id, VmCommands c, VmQueries q, CancellationToken ct) =>
            Accepted(await q.ToDtoAsync(await c.DeleteAsync(Caller.From(http.User), id, ct), ct)));

        vms.MapPost("/{id}/start", async (HttpContext http, string id, VmCommands c, VmQueries q, CancellationToken ct) =>
            Accepted(await q.ToDtoAsync(await c.StartAsync(Caller.From(http.User), id, ct), ct)));
        vms.MapPost("/{id}/stop", async (HttpContext http, string id, VmCommands c, VmQueries q, CancellationToken ct) =>
            Accepted(await q.ToDtoAsync(await c.StopAsync(Caller.From(http.User), id, ct), ct)));
        vms.MapPost("/{id}/reboot", async (HttpContext http, string id, VmCommands c, VmQueries q, CancellationToken ct) =>
            Accepted(await q.ToDtoAsync(await c.RebootAsync(Caller.From(http.User), id, ct), ct)));

        vms.MapPost("/{id}/migrate", async (HttpContext http, string id, MigrateRequest? body, VmCommands c, VmQueries q, CancellationToken ct) =>
            Accepted(await q.ToDtoAsync(await c.MigrateAsync(Caller.From(http.User), id, body?.Host, ct), ct)));

        vms.MapGet("/{id}/placement", (HttpContext http, string id, VmQueries q, CancellationToken ct) =>
            q.PlacementAsync(Caller.From(http.User), id, ct));
        vms.MapGet("/{id}/history", (HttpContext http, string id, string? range, TelemetryQueries q, CancellationToken ct) =>
            q.VmAsync(Caller.From(http.User), id, range, ct));
    }

    private static void MapHosts(RouteGroupBuilder hosts)
    {
        hosts.MapGet("", (HttpContext http, HostQueries q, CancellationToken ct) => q.ListAsync(Caller.From(http.User), ct));
        hosts.MapGet("/{id}", (HttpContext http, string id, HostQueries q, CancellationToken ct) => q.GetAsync(Caller.From(http.User), id, ct));
        hosts.MapGet("/{id}/history", (HttpContext http, string id, string? range, TelemetryQueries q, CancellationToken ct) =>
            q.HostAsync(Caller.From(http.User), id, range, ct));
        hosts.MapPost("/{id}/maintenance", async (HttpContext http, string id, MaintenanceRequest? body, HostCommands c, HostQueries q, CancellationToken ct) =>
        {
            if (body is null) throw DomainException.Invalid("enabled", "Send {\"enabled\": true} or {\"enabled\": false}.");
            var caller = Caller.From(http.User);
            var host = await c.SetMaintenanceAsync(caller, id, body.Enabled, ct);
            return await q.GetAsync(caller, host.Id.ToString(), ct);
        });
        hosts.MapPost("/{id}/power-on", async (HttpContext http, string id, HostCommands c, HostQueries q, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var host = await c.PowerOnAsync(caller, id, ct);
            return TypedResults.Accepted(ApiRoutes.Host(host.Name), await q.GetAsync(caller, host.Id.ToString(), ct));
        });
        hosts.MapPut("/{id}/power-config", async (HttpContext http, string id, HostPowerConfigRequest? body, Application.Power.PowerConfigCommands c, HostQueries q, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var record = await c.SetAsync(caller, id, body, ct);
            return await q.GetAsync(caller, record.HostId.ToString(), ct);
        });
        hosts.MapPost("/{id}/power-off", async (HttpContext http, string id, HostCommands c, HostQueries q, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var host = await c.PowerOffAsync(caller, id, ct);
            return TypedResults.Accepted(ApiRoutes.Host(host.Name), await q.GetAsync(caller, host.Id.ToString(), ct));
        });
    }

    private static void MapUsers(RouteGroupBuilder users)
    {
        users.MapGet("", async (HttpContext http, OctopusDbContext db, CancellationToken ct) =>
        {
            Permissions.UserList.Authorize(Caller.From(http.User));
            var all = await db.Users.AsNoTracking().ToListAsync(ct);
            var result = new List<UserDto>();
            foreach (var u in all.OrderBy(u => u.Name.Value, StringComparer.Ordinal)) result.Add(Dto.From(u, await VmCommands.UsageAsync(db, u.Id, ct)));
            return TypedResults.Ok(new Page<UserDto>(result, null));
        });

        users.MapPost("", async (HttpContext http, UserCreateRequest? body, UserCommands c, CancellationToken ct) =>
        {
            var user = await c.CreateAsync(Caller.From(http.User), body, ct);
            return TypedResults.Created(ApiRoutes.User(user.Name.Value), Dto.From(user, QuotaUsage.None));
        });

        users.MapGet("/{name}", async (HttpContext http, string name, OctopusDbContext db, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (caller.Name != name) Permissions.UserViewOthers.Authorize(caller);
            var un = UserName.Parse(name);
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == un, ct) ?? throw DomainException.NotFound("User", name);
            return Dto.From(user, await VmCommands.UsageAsync(db, user.Id, ct));
        });

        users.MapPut("/{name}/quota", async (HttpContext http, string name, QuotaDto? body, UserCommands c, OctopusDbContext db, CancellationToken ct) =>
        {
            var user = await c.SetQuotaAsync(Caller.From(http.User), name, body, ct);
            return Dto.From(user, await VmCommands.UsageAsync(db, user.Id, ct));
        });
    }

    private static Accepted<VmDto> Accepted(VmDto vm) => TypedResults.Accepted(ApiRoutes.Vm(vm.Id), vm);

    public static string Version { get; } =
        typeof(Endpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
