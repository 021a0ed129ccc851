using Octopus.Consolidation.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Octopus.Simulation.Output;

/// <summary>Reads policy options from a JSON or YAML file (JSON is read as YAML): either flat keys
/// (<c>{"octopus.fill": 0.95}</c>) or one mapping per family (<c>octopus: { fill: 0.95, dwell: 0 }</c>).</summary>
public static class PolicyFile
{
    /// <summary>Parses the text; false with a message naming the file, and the key or line, when it is wrong.</summary>
    public static bool TryParse(string text, string fileName, out PolicySettings settings, out string error)
    {
        settings = PolicySettings.Defaults;
        error = "";
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text ?? ""));
        }
        catch (YamlException e)
        {
            error = $"policy file '{fileName}' is not valid JSON or YAML (line {e.Start.Line}): {e.Message}";
            return false;
        }
        if (yaml.Documents.Count == 0) return true;
        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            error = $"policy file '{fileName}' must hold a mapping of option keys to numbers (e.g. octopus.fill: 0.95)";
            return false;
        }
        foreach (var (k, v) in root.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            if (v is YamlMappingNode family)
            {
                foreach (var (ik, iv) in family.Children)
                {
                    if (!Set($"{key}.{((YamlScalarNode)ik).Value}", iv, ref settings, out error)) return Fail(ref error);
                }
            }
            else if (!Set(key, v, ref settings, out error)) return Fail(ref error);
        }
        return true;

        bool Fail(ref string e)
        {
            e = $"policy file '{fileName}': {e}";
            return false;
        }
    }

    /// <summary>Reads and parses a file; false with a message when it is missing, unreadable or wrong.</summary>
    public static bool TryLoad(string path, out PolicySettings settings, out string error)
    {
        settings = PolicySettings.Defaults;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"cannot read policy file '{path}': {e.Message}";
            return false;
        }
        return TryParse(text, path, out settings, out error);
    }

    private static bool Set(string key, YamlNode node, ref PolicySettings settings, out string error)
    {
        if (node is not YamlScalarNode scalar)
        {
            error = $"option {key} needs a number, not a list or mapping";
            return false;
        }
        if (!settings.TrySet(key, scalar.Value ?? "", out var next, out error)) return false;
        settings = next;
        return true;
    }
}
