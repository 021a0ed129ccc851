using System.Xml.Linq;
using Octopus.Application.Commands;

namespace Octopus.Server.Tests.Architecture;

/// <summary>The application layer (commands, queries, the journal's runner, background passes) has no HTTP in it:
/// Octopus.Server maps HTTP onto it. Checked on the built assembly and on the project file, so a stray reference
/// fails here rather than in review.</summary>
public sealed class ApplicationLayerTests
{
    private static readonly string[] HttpAssemblies = ["Microsoft.AspNetCore", "Microsoft.Extensions.Identity", "prometheus-net", "Prometheus"];

    [Fact]
    public void ApplicationAssembly_ReferencesNoAspNetCoreAssembly()
    {
        var referenced = typeof(CommandRunner).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        referenced.Should().Contain("Octopus.Persistence", "the probe must look at the real application assembly");
        referenced.Where(n => HttpAssemblies.Any(h => n.StartsWith(h, StringComparison.OrdinalIgnoreCase))).Should().BeEmpty();
    }

    [Fact]
    public void ApplicationProject_IsAPlainLibrary_WithoutTheWebSdkOrAFrameworkReference()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Octopus.slnx"))) root = root.Parent;
        root.Should().NotBeNull("the tests run from inside the repository");
        var dir = Path.Combine(root!.FullName, "src", "Octopus.Application");
        var project = XDocument.Load(Path.Combine(dir, "Octopus.Application.csproj"));
        project.Root!.Attribute("Sdk")!.Value.Should().Be("Microsoft.NET.Sdk");
        project.Descendants("FrameworkReference").Should().BeEmpty();
        project.Descendants("PackageReference").Select(p => p.Attribute("Include")!.Value)
            .Where(n => HttpAssemblies.Any(h => n.StartsWith(h, StringComparison.OrdinalIgnoreCase))).Should().BeEmpty();
        Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Microsoft.AspNetCore", StringComparison.Ordinal))
            .Select(Path.GetFileName).Should().BeEmpty();
    }
}
