using System.Globalization;
using Octopus.Contracts;
using Octopus.Domain;
using Octopus.Server.Auth;
using Octopus.Application.Auth;

using Octopus.Application.Power;

namespace Octopus.Server.Power;

/// <summary><c>GET /api/v1/power/history</c> (admin): the <see cref="PowerHistory"/> as the API shows it.</summary>
public static class PowerEndpoints
{
    /// <summary>Points per answer at most: enough for a chart as wide as a screen, small for a phone.</summary>
    public const int MaxPoints = 360;

    public static void MapOctopusPower(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.PowerHistory, (HttpContext http, PowerHistory history, string? window) =>
        {
            Permissions.PowerHistoryView.Authorize(Caller.From(http.User));
            var span = ParseWindow(window, history.Options.Retention);
            return ToDto(window ?? "1h", history.Query(span, MaxPoints));
        }).RequireAuthorization().WithTags("power");
    }

    /// <summary>"90s", "15m", "1h", "24h" (a whole number and a unit s, m, h or d), from 1 minute to the retention.</summary>
    public static TimeSpan ParseWindow(string? text, TimeSpan retention)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.FromHours(1);
        var t = text.Trim().ToLowerInvariant();
        var unit = t[^1];
        TimeSpan? span = int.TryParse(t.AsSpan(0, t.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? unit switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            }
            : null;
        if (span is null)
            throw DomainException.Invalid("window", $"'{text}' is not a window; write a number and a unit, e.g. 15m, 1h or 24h.");
        if (span < TimeSpan.FromMinutes(1) || span > retention)
            throw DomainException.Invalid("window", $"window '{text}' is out of range; use from 1m to {retention.TotalHours:0}h.");
        return span.Value;
    }

    private static PowerHistoryDto ToDto(string window, PowerHistoryView v)
    {
        const double JoulesPerKWh = 3_600_000;
        var latest = v.Latest;
        return new PowerHistoryDto(window, v.From, v.To, (int)v.Step.TotalSeconds,
            Math.Round(latest?.Watts.Value ?? 0, 1), Math.Round(latest?.AllOnWatts.Value ?? 0, 1), latest?.ActiveHosts ?? 0, latest?.Hosts ?? 0,
            Math.Round(v.Joules / JoulesPerKWh, 6), Math.Round(v.AllOnJoules / JoulesPerKWh, 6), Math.Round(v.SavedJoules / JoulesPerKWh, 6),
            Math.Round(v.SavedPercent, 2),
            [.. v.Points.Select(p => new PowerPointDto(p.At, Math.Round(p.Watts, 1), Math.Round(p.AllOnWatts, 1), Math.Round(p.ActiveHosts, 2),
                p.MaxActiveHosts, p.Hosts))]);
    }
}
