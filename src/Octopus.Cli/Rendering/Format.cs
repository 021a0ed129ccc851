using System.Globalization;
using Octopus.Client;
using Octopus.Domain.Units;
using Spectre.Console;

namespace Octopus.Cli.Rendering;

/// <summary>How values look in tables: sizes in binary units, states in colour, times in UTC.</summary>
public static class Format
{
    public static string Bytes(long bytes) => new ByteSize(bytes).ToString();

    /// <summary>"used / total" with binary units, e.g. "12 GiB / 64 GiB".</summary>
    public static string BytesOf(long used, long total) => $"{Bytes(used)} / {Bytes(total)}";

    public static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Number(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? t) =>
        t is { } v ? v.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    public static string Limit(int? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";

    public static string Limit(long? bytes) => bytes is { } b ? Bytes(b) : "unlimited";

    public static string OrDash(string? s) => string.IsNullOrWhiteSpace(s) ? "-" : s;

    /// <summary>A VM state as markup: green when running, red when failed, yellow while waiting, blue while busy.</summary>
    public static string StateMarkup(string state)
    {
        var colour = state switch
        {
            VmStates.Running => "green",
            VmStates.Failed => "red",
            VmStates.Pending => "yellow",
            VmStates.Stopped => "grey",
            VmStates.Suspended => "grey",
            _ when VmStates.IsTransitional(state) => "blue",
            _ => "default",
        };
        return $"[{colour}]{Markup.Escape(state)}[/]";
    }

    public static string PowerMarkup(string power, bool maintenance)
    {
        var colour = power switch { "On" => "green", "Failed" => "red", "Off" => "grey", _ => "blue" };
        var text = $"[{colour}]{Markup.Escape(power)}[/]";
        return maintenance ? text + " [yellow](maintenance)[/]" : text;
    }
}
