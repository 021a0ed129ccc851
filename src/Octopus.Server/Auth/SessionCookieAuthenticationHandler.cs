using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using Octopus.Application.Auth;

namespace Octopus.Server.Auth;

/// <summary>Authenticates the web UI's <c>octopus_session</c> cookie: an opaque token from the same token table as
/// bearer tokens (so expiry and the authorisation rules are identical). CSRF is checked apart, by <see cref="WebSession"/>.</summary>
public sealed class SessionCookieAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Cookies[WebSession.SessionCookie];
        if (string.IsNullOrEmpty(token)) return AuthenticateResult.NoResult();
        var user = await tokens.ResolveAsync(token, Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("Your session has expired; log in again.");
        var identity = user.ToIdentity(SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>A 401 problem that says how to log in (the web page shows its detail).</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        var detail = result.Failure?.Message
            ?? "Authentication required: log in (POST /api/v1/auth/session), or send 'Authorization: Bearer TOKEN'.";
        await WebSession.WriteProblemAsync(Context, 401, "auth.required", "Authentication required", detail);
    }
}
