using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using Octopus.Application.Auth;

namespace Octopus.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the token table.</summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Authorization header must be 'Bearer TOKEN'.");
        var user = await tokens.ResolveAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("The token is unknown or expired; log in again.");
        var identity = user.ToIdentity(SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>A 401 with a problem document that says how to authenticate, instead of an empty body.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = result.Failure?.Message
            ?? "Authentication required: send 'Authorization: Bearer TOKEN' (get one with POST /api/v1/auth/token, or run `octopus login`).";
        await Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = 401, Title = "Authentication required", Detail = detail, Type = "https://octopus.dev/problems/auth.required",
            Extensions = { ["code"] = "auth.required" },
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }
}
