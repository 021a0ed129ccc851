using Octopus.Domain;
using Octopus.Policies.Language;

namespace Octopus.Application.Policies;

/// <summary>A C# script policy as submitted (admin only): the first line is <c>#!csharp</c>, then header comments, then
/// the code, which sees <see cref="Octopus.Policies.Scripting.ScriptGlobals"/>:
/// <code>
/// #!csharp
/// // name: big-idle-vms
/// // interval: 10m
/// // timeout: 2s
/// foreach (var vm in Vms) if (vm.Cores >= 8 &amp;&amp; vm.Cpu.Latest &lt; 1) Notify(vm, "8 idle cores");
/// </code></summary>
public sealed record ScriptDocument(string Name, TimeSpan Interval, TimeSpan? Timeout, string Code, string? Description)
{
    public const string Marker = "#!csharp";

    public static bool IsScript(string text) => text.TrimStart().StartsWith(Marker, StringComparison.Ordinal);

    /// <summary>Reads the header. The code keeps its line numbers (the marker line becomes a comment), so compiler
    /// errors point at the author's lines.</summary>
    public static ScriptDocument Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        lines[first] = "//" + lines[first];
        string? name = null, description = null;
        TimeSpan? interval = null, timeout = null;
        for (var i = first + 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            if (!line.StartsWith("//", StringComparison.Ordinal)) break;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[2..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "name": name = value; break;
                case "description": description = value; break;
                case "interval": interval = Duration(value, "interval", i + 1); break;
                case "timeout": timeout = Duration(value, "timeout", i + 1); break;
            }
        }
        if (name is null || !IsName(name))
            throw DomainException.Invalid("name", "A script policy needs a header line '// name: NAME' (1-63 of a-z 0-9 -, starting with a letter) after #!csharp.");
        if (interval is not { } every || every < TimeSpan.FromMinutes(1) || every > TimeSpan.FromDays(30))
            throw DomainException.Invalid("interval", "A script policy needs a header line '// interval: 10m' (1m to 30d) after #!csharp.");
        return new ScriptDocument(name, every, timeout, string.Join('\n', lines), description);
    }

    private static TimeSpan Duration(string value, string field, int line) =>
        DurationText.TryParse(value, out var d, out var error) ? d
            : throw DomainException.Invalid(field, $"line {line}: '{value}' is not a duration ({error}); write e.g. 10m.");

    private static bool IsName(string s) =>
        s.Length is >= 1 and <= 63 && char.IsAsciiLetterLower(s[0]) && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
