using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;

using Octopus.Application.Auth;

namespace Octopus.Server.Auth;

/// <summary>The web UI's session: cookie names, the CSRF token derived from the session token, the combined
/// "bearer or cookie" authentication scheme, and the middleware that refuses unsafe cookie requests without
/// the CSRF header (403 <c>auth.csrf</c>). Bearer requests need no CSRF token: a browser never adds that header by itself.</summary>
public static class WebSession
{
    public const string SessionCookie = "octopus_session";
    public const string CsrfCookie = "octopus_csrf";
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>Bearer when an Authorization header is present, the session cookie otherwise.</summary>
    public const string CombinedScheme = "BearerOrSession";

    /// <summary>Registers the session scheme and makes "bearer or session" the default for every endpoint.</summary>
    public static IServiceCollection AddOctopusWebSession(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, SessionCookieAuthenticationHandler>(SessionCookieAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(CombinedScheme, "Bearer token or session cookie", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.Count > 0 ? BearerAuthenticationHandler.SchemeName : SessionCookieAuthenticationHandler.SchemeName);
        services.Configure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = CombinedScheme;
            o.DefaultAuthenticateScheme = CombinedScheme;
            o.DefaultChallengeScheme = CombinedScheme;
            o.DefaultForbidScheme = CombinedScheme;
        });
        return services;
    }

    /// <summary>After UseAuthentication: a POST/PUT/PATCH/DELETE authenticated by the session cookie must carry
    /// <c>X-CSRF-Token</c> equal to the session's CSRF token, or it is refused with a 403 problem.</summary>
    public static IApplicationBuilder UseOctopusCsrf(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: SessionCookieAuthenticationHandler.SchemeName }
            && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
            && !CsrfMatches(http.Request.Cookies[SessionCookie], http.Request.Headers[CsrfHeader]))
        {
            await WriteProblemAsync(http, 403, "auth.csrf", "CSRF token missing or wrong",
                $"Requests made with the session cookie must send the '{CsrfHeader}' header with the value of the '{CsrfCookie}' cookie. Reload the page, or use a bearer token.");
            return;
        }
        await next(http);
    });

    /// <summary>The CSRF token of a session: HMAC of a fixed label keyed by the session token, so it cannot be
    /// computed without the (HttpOnly) session cookie and needs no storage.</summary>
    public static string CsrfTokenFor(string sessionToken) =>
        Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(sessionToken), "octopus-csrf-v1"u8));

    internal static bool CsrfMatches(string? sessionToken, string? header)
    {
        if (string.IsNullOrEmpty(sessionToken) || string.IsNullOrEmpty(header)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(CsrfTokenFor(sessionToken)), Encoding.UTF8.GetBytes(header));
    }

    /// <summary>Sets the session and CSRF cookies (Secure when the request came over HTTPS).</summary>
    public static void SetCookies(HttpContext http, string sessionToken, DateTimeOffset expires)
    {
        var secure = http.Request.IsHttps;
        http.Response.Cookies.Append(SessionCookie, sessionToken, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = secure, Path = "/", Expires = expires, IsEssential = true,
        });
        http.Response.Cookies.Append(CsrfCookie, CsrfTokenFor(sessionToken), new CookieOptions
        {
            HttpOnly = false, SameSite = SameSiteMode.Strict, Secure = secure, Path = "/", Expires = expires, IsEssential = true,
        });
    }

    public static void ClearCookies(HttpContext http)
    {
        var secure = http.Request.IsHttps;
        foreach (var name in new[] { SessionCookie, CsrfCookie })
            http.Response.Cookies.Delete(name, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, Secure = secure, HttpOnly = name == SessionCookie });
    }

    internal static Task WriteProblemAsync(HttpContext http, int status, string code, string title, string detail,
        IReadOnlyDictionary<string, object>? args = null)
    {
        http.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status, Title = title, Detail = detail, Type = $"https://octopus.dev/problems/{code}", Extensions = { ["code"] = code },
        };
        if (args is { Count: > 0 }) problem.Extensions["args"] = args;
        return http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
