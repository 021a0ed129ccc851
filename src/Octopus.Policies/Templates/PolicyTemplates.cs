using System.Reflection;
using Octopus.Domain.Users;
using Octopus.Policies.Documents;

namespace Octopus.Policies.Templates;

/// <summary>The shipped policy templates (YAML files embedded in this assembly; the same files are in
/// src/Octopus.Policies/Templates/). Each is a complete, valid policy; <see cref="Instantiate"/> gives it a new owner.</summary>
public static class PolicyTemplates
{
    private const string Prefix = "Octopus.Policies.Templates.";

    public const string NightlyCheckpoint = "nightly-checkpoint";
    public const string IdleShutdown = "idle-shutdown";
    public const string LeaseExpiry = "lease-expiry";
    public const string StudentHours = "student-hours";
    public const string HotHostMove = "hot-host-move";
    public const string HostFailureRestart = "host-failure-restart";

    /// <summary>Template names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(PolicyTemplates).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The YAML text of a template, as shipped.</summary>
    public static string Text(string name)
    {
        using var stream = typeof(PolicyTemplates).Assembly.GetManifestResourceStream(Prefix + name + ".yaml")
            ?? throw new ArgumentException($"There is no policy template '{name}'. Templates: {string.Join(", ", Names)}.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The template as a document, owned by <paramref name="owner"/> (its shipped owner when null).</summary>
    public static PolicyDocument Instantiate(string name, UserName? owner = null)
    {
        var doc = PolicyDocumentReader.Parse(Text(name));
        return owner is { } o ? doc with { Owner = o } : doc;
    }
}
