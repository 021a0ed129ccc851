using System.Globalization;
using Octopus.Consolidation.Options;

namespace Octopus.Simulation.Tests.Output;

public sealed class PolicyOptionsReadmeTests
{
    /// <summary>The README row of an option, exactly as the options table writes it.</summary>
    public static string Row(PolicyOption o) =>
        string.Create(CultureInfo.InvariantCulture, $"| `{o.Key}` | {o.Range} | {o.Default} | {o.Description} |");

    [Fact]
    public void Readme_ListsEveryPolicyOptionWithItsRangeAndDefault()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Octopus.slnx"))) dir = dir.Parent;
        dir.Should().NotBeNull("the tests run inside the repository");
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "src", "Octopus.Simulation", "README.md"));
        var expected = string.Join('\n', PolicyOptionCatalog.All.Select(Row));
        readme.Should().Contain(expected, "the README's options table must match the catalog; expected rows:\n" + expected);
    }
}
