using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Persistence;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

namespace Octopus.Server.Web;

/// <summary>The web UI's own API: session login and logout (cookie + CSRF), and live VM updates as server-sent events.</summary>
public static class WebEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Registers the session scheme, the live feed and what they need.</summary>
    public static IServiceCollection AddOctopusWeb(this IServiceCollection services)
    {
        services.AddOctopusWebSession();
        services.AddSingleton<VmChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<VmChangeFeed>());
        return services;
    }

    public static void MapOctopusWebApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(WebRoutes.Session, async (HttpContext http, TokenRequest? body, TokenService tokens, CancellationToken ct) =>
        {
            if (body is null) throw DomainException.Invalid("body", "Send {username, password}.");
            var (token, expires, user) = await tokens.IssueAsync(body.Username, body.Password, http.Connection.RemoteIpAddress?.ToString(), ct, TokenService.SessionKind);
            WebSession.SetCookies(http, token, expires);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new SessionDto(user.Name.Value, user.Role.ToString().ToLowerInvariant(), expires, WebSession.CsrfTokenFor(token)));
        }).AllowAnonymous().RequireRateLimiting(Identity.IdentityServiceCollectionExtensions.LoginRateLimit).WithTags("auth").WithSummary("Web login: sets the HttpOnly session cookie and the CSRF cookie.");

        app.MapDelete(WebRoutes.Session, async (HttpContext http, OctopusDbContext db, CancellationToken ct) =>
        {
            // Anonymous allowed so a stale page can always clear its cookies; a live session needs the CSRF header
            // (checked by the CSRF middleware before this runs), so another site cannot log a user out.
            if (http.User.Identity is { AuthenticationType: SessionCookieAuthenticationHandler.SchemeName }
                && http.Request.Cookies[WebSession.SessionCookie] is { Length: > 0 } token)
            {
                var hash = TokenService.Hash(token);
                await db.ApiTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(ct);
                http.RequestServices.GetRequiredService<TokenCache>().ForgetToken(hash); // a bulk delete: no save tells the cache
            }
            WebSession.ClearCookies(http);
            return TypedResults.NoContent();
        }).AllowAnonymous().WithTags("auth").WithSummary("Web logout: revokes the session and clears its cookies.");

        app.MapGet(WebRoutes.Events, async (HttpContext http, VmChangeFeed feed, IHostApplicationLifetime lifetime, CancellationToken aborted) =>
        {
            var caller = Caller.From(http.User);
            // Ends with the connection or when the server stops (an open stream must not hold up shutdown).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
            var ct = stop.Token;
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            using var subscription = feed.Subscribe(caller);
            // "hello" is the sync point: the page (re)loads its list when it arrives and applies events from then on,
            // so no VM is sent just because the browser connected.
            var text = new System.Text.StringBuilder();
            try
            {
                await subscription.Ready.WaitAsync(ct);
                await http.Response.WriteAsync("retry: 3000\n\nevent: hello\ndata: {}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                while (!ct.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(KeepAlive);
                    text.Clear();
                    try
                    {
                        // Everything already queued goes out in one write and one flush (one feed read = one packet).
                        var change = await subscription.Reader.ReadAsync(wait.Token);
                        do
                        {
                            text.Append(change.Vm is { } vm
                                ? $"event: vm\ndata: {JsonSerializer.Serialize(vm, Json)}\n\n"
                                : $"event: vm-deleted\ndata: {JsonSerializer.Serialize(change.Deleted, Json)}\n\n");
                        } while (text.Length < 64 * 1024 && subscription.Reader.TryRead(out change));
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        text.Append(": keep-alive\n\n");
                    }
                    await http.Response.WriteAsync(text.ToString(), ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // the browser went away
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // server stopping
            }
        }).RequireAuthorization().WithTags("events")
          .WithSummary("Server-sent events: 'vm' (VmDto) and 'vm-deleted' for the caller's VMs (all VMs for admins).");
    }
}
