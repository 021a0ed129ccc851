using Octopus.Application.Identity;

namespace Octopus.Server.Identity;

/// <summary>Enforces a token's scopes on HTTP requests (<see cref="TokenScopeRules"/> says what each scope allows).</summary>
public static class TokenScopeMiddleware
{
    /// <summary>After UseAuthentication: a request whose token lacks <c>write</c> may only read (403 <c>auth.scope</c>).</summary>
    public static IApplicationBuilder UseOctopusTokenScopes(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.User.Identity is { IsAuthenticated: true } && !TokenScopeRules.Of(http.User).HasFlag(TokenScopes.Write)
            && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method))
        {
            await Auth.WebSession.WriteProblemAsync(http, 403, "auth.scope", "Token scope too narrow",
                "This token has only the 'read' scope: it may not change anything. Use a token with the 'write' scope (octopus token create NAME --scope write).");
            return;
        }
        await next(http);
    });
}
