using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

using Octopus.Application.Configuration;
using Octopus.Application.Identity;

namespace Octopus.Server.Identity;

/// <summary>Registers logins, providers and the brute-force defences, and adds their middleware.</summary>
public static class IdentityServiceCollectionExtensions
{
    /// <summary>The rate-limiting policy of the login endpoints: <see cref="LoginSettings.PerAddressPermits"/> per
    /// <see cref="LoginSettings.PerAddressWindow"/> for each client address.</summary>
    public const string LoginRateLimit = "login";

    public static IServiceCollection AddOctopusIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOctopusSettings<LoginSection, LoginSettings>();
        // Which providers exist is a choice of parts, so the section is read now (same binder and checks as at start-up),
        // and that reading is the one the server uses.
        var identity = IdentitySettings.From(configuration);
        services.AddSingleton(identity);
        services.AddOctopusSettings<IdentitySection, IdentitySettings>();
        services.AddSingleton<PasswordHashing>();
        services.AddScoped<LoginThrottle>();
        services.AddScoped<LoginService>();
        services.AddScoped<IdentityProviders>();
        services.AddScoped<IIdentityProvider, LocalIdentityProvider>();
        if (identity.Ldap is not null)
        {
            services.AddSingleton(sp => sp.GetRequiredService<IdentitySettings>().Ldap!);
            services.AddScoped<IIdentityProvider, LdapIdentityProvider>();
        }
        services.AddScoped<UserLifecycleCommands>();
        services.AddScoped<PersonalTokenCommands>();

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<LoginSettings>((o, login) =>
        {
            o.AddPolicy(LoginRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = login.PerAddressPermits, Window = login.PerAddressWindow, QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : login.PerAddressWindow;
                var seconds = (int)Math.Max(1, Math.Ceiling(retry.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Auth.WebSession.WriteProblemAsync(http, 429, "auth.rate-limited", "Too many login attempts",
                    $"This address made more than {login.PerAddressPermits} login attempts in {login.PerAddressWindow}; retry in {seconds} s.",
                    new Dictionary<string, object> { ["permits"] = login.PerAddressPermits, ["windowSeconds"] = (int)login.PerAddressWindow.TotalSeconds, ["seconds"] = seconds });
            };
        });
        return services;
    }

    /// <summary>The login rate limiter, the token-scope check and security headers; after UseAuthentication.</summary>
    public static IApplicationBuilder UseOctopusIdentity(this IApplicationBuilder app)
    {
        app.Use((http, next) =>
        {
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            return next(http);
        });
        app.UseRateLimiter();
        app.UseOctopusTokenScopes();
        return app;
    }
}
