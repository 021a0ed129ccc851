using System.Text.Json;
using Octopus.Consolidation.Model;
using Octopus.Simulation.Output;
using Octopus.Simulation.Sweep;

namespace Octopus.Simulation.Tests.Sweep;

/// <summary>Runs the README's sweep example (its grid, its policies and options) on a small generated day, and the sweep
/// command's bad-input paths.</summary>
public sealed class SweepReadmeTests
{
    private static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Octopus.slnx"))) dir = dir.Parent;
        dir.Should().NotBeNull("the tests run inside the repository");
        return Path.Combine([dir!.FullName, .. parts]);
    }

    /// <summary>The yaml block after the README's sweep-example marker.</summary>
    private static string ReadmeGrid()
    {
        var readme = File.ReadAllText(RepositoryFile("src", "Octopus.Simulation", "README.md"));
        var at = readme.IndexOf("<!-- sweep-example -->", StringComparison.Ordinal);
        at.Should().BeGreaterThan(0, "the README has the sweep example");
        var start = readme.IndexOf("```yaml\n", at, StringComparison.Ordinal) + "```yaml\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static TraceFolder Day()
    {
        // 16 VMs × 288 samples, seeded: enough load to need consolidation, small enough for a test.
        var folder = new TraceFolder();
        var rng = new Random(3);
        for (var v = 0; v < 16; v++) folder.Vm($"vm{v:00}", Enumerable.Range(0, 288).Select(_ => rng.Next(1, 70)));
        return folder;
    }

    private static async Task<(int Code, string Out, string Err)> Run(SimulateOptions options)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await SimulateCommand.RunAsync(options, output, errors, TestContext.Current.CancellationToken);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task ReadmeExample_JsonAndPlot_EveryRunFlaggedAndTheFrontNonDominated()
    {
        using var day = Day();
        var grid = Path.Combine(day.Path, "..", Path.GetFileName(day.Path) + "-grid.yaml");
        var plot = Path.Combine(day.Path, "..", Path.GetFileName(day.Path) + "-sweep.svg");
        await File.WriteAllTextAsync(grid, ReadmeGrid(), TestContext.Current.CancellationToken);
        try
        {
            var (code, text, err) = await Run(new SimulateOptions(day.Path, ["octopus", "lr-mmt-1.2"], MemoryMode.CloudSim, true, plot, 1) { SweepFile = grid });
            code.Should().Be(0, err);
            using var doc = JsonDocument.Parse(text);
            var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
            // 3 fills × 4 weights for octopus, lr-mmt-1.2 once (the grid does not tune it).
            runs.Should().HaveCount(13);
            runs.Count(r => r.GetProperty("policy").GetString() == "lr-mmt-1.2").Should().Be(1);
            runs.Select(r => r.GetProperty("options").GetString()).Should().Contain("octopus.fill=0.95,octopus.migration-weight=10");
            var points = runs.Select(r => (r.GetProperty("energyKWh").GetDouble(), r.GetProperty("slav").GetDouble(), (double)r.GetProperty("migrations").GetInt64())).ToList();
            for (var i = 0; i < runs.Count; i++)
            {
                var dominated = points.Any(p => ParetoFront.Dominates(p, points[i]));
                runs[i].GetProperty("pareto").GetBoolean().Should().Be(!dominated, $"run {i} ({runs[i]})");
            }
            var svg = await File.ReadAllTextAsync(plot, TestContext.Current.CancellationToken);
            svg.Should().StartWith("<svg").And.Contain("<circle").And.Contain("octopus.fill=0.9");
        }
        finally
        {
            File.Delete(grid);
            File.Delete(plot);
        }
    }

    [Fact]
    public async Task Table_PrintsTheFrontWithItsOptions()
    {
        using var day = Day();
        var grid = Path.Combine(day.Path, "..", Path.GetFileName(day.Path) + "-grid.json");
        await File.WriteAllTextAsync(grid, """{"octopus.fill": [0.9, 1]}""", TestContext.Current.CancellationToken);
        try
        {
            var (code, text, err) = await Run(new SimulateOptions(day.Path, ["octopus"], MemoryMode.CloudSim, false, null, 1) { SweepFile = grid });
            code.Should().Be(0, err);
            text.Should().Contain("sweep of 2 combinations of octopus.fill × octopus").And.Contain("Pareto front over energy, SLAV and migrations");
            text.Should().MatchRegex(@"octopus\s+[0-9.]+\s+[0-9.]+\s+.*octopus\.fill=(0\.9|1)");
        }
        finally
        {
            File.Delete(grid);
        }
    }

    [Fact]
    public async Task BadGrid_ExitCode2NamingTheKeyAndRange_NothingRun()
    {
        using var day = Day();
        var grid = Path.Combine(day.Path, "..", Path.GetFileName(day.Path) + "-bad.yaml");
        await File.WriteAllTextAsync(grid, "octopus:\n  fill: [0.9, 1.5]\n", TestContext.Current.CancellationToken);
        try
        {
            var (code, text, err) = await Run(new SimulateOptions(day.Path, ["octopus"], MemoryMode.CloudSim, false, null, 1) { SweepFile = grid });
            code.Should().Be(2);
            text.Should().BeEmpty();
            err.Should().Be($"error: sweep file '{grid}': option octopus.fill must be from 0.5 to 1; got 1.5.\n");
            (await Run(new SimulateOptions(day.Path, ["octopus"], MemoryMode.CloudSim, false, null, 1) { SweepFile = grid + ".missing" })).Code.Should().Be(2);
        }
        finally
        {
            File.Delete(grid);
        }
    }
}
