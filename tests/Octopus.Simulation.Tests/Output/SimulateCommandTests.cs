using System.Text.Json;
using Octopus.Consolidation.Model;
using Octopus.Simulation.Output;

namespace Octopus.Simulation.Tests.Output;

public sealed class SimulateCommandTests
{
    private static async Task<(int Code, string Text)> Run(SimulateOptions options)
    {
        var sw = new StringWriter();
        var code = await SimulateCommand.RunAsync(options, sw, TestContext.Current.CancellationToken);
        return (code, sw.ToString());
    }

    [Fact]
    public async Task RunAsync_MissingFolder_ExitCode2AndMessage()
    {
        var (code, text) = await Run(new SimulateOptions("/nonexistent/day", ["npa"], MemoryMode.CloudSim, false, null, 1));
        code.Should().Be(2);
        text.Should().StartWith("error:").And.Contain("does not exist");
    }

    [Fact]
    public async Task RunAsync_UnknownPolicy_ExitCode2()
    {
        using var folder = new TraceFolder().Vm("a", Enumerable.Repeat(10, 288));
        var (code, text) = await Run(new SimulateOptions(folder.Path, ["fastest"], MemoryMode.CloudSim, false, null, 1));
        code.Should().Be(2);
        text.Should().Contain("unknown policy 'fastest'");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task RunAsync_BadScale_ExitCode2(int scale)
    {
        var (code, text) = await Run(new SimulateOptions("/tmp", ["npa"], MemoryMode.CloudSim, false, null, scale));
        code.Should().Be(2);
        text.Should().Contain("--scale");
    }

    [Fact]
    public async Task RunAsync_Json_HasOneObjectPerPolicyWithTheAgreedKeys()
    {
        using var folder = new TraceFolder().Vm("a", Enumerable.Repeat(30, 288)).Vm("b", Enumerable.Repeat(60, 288));
        var plot = Path.Combine(folder.Path, "..", Path.GetFileName(folder.Path) + ".svg");
        try
        {
            var (code, text) = await Run(new SimulateOptions(folder.Path, ["npa", "dvfs"], MemoryMode.Enforced, true, plot, 1));
            code.Should().Be(0, text);
            using var doc = JsonDocument.Parse(text);
            doc.RootElement.GetArrayLength().Should().Be(2);
            var first = doc.RootElement[0];
            foreach (var key in new[] { "policy", "energyKWh", "slatah", "pdm", "slav", "esv", "migrations", "hostShutdowns", "wallSeconds", "lowerBoundKWh" })
                first.TryGetProperty(key, out _).Should().BeTrue(key);
            first.GetProperty("policy").GetString().Should().Be("npa");
            File.ReadAllText(plot).Should().StartWith("<svg");
        }
        finally
        {
            File.Delete(plot);
        }
    }

    [Fact]
    public async Task RunAsync_OptionOutOfRange_ExitCode2NamingOptionRangeAndValue()
    {
        using var folder = new TraceFolder().Vm("a", Enumerable.Repeat(10, 288));
        var (code, text) = await Run(new SimulateOptions(folder.Path, ["octopus"], MemoryMode.CloudSim, false, null, 1) { OptionAssignments = ["octopus.fill=1.5"] });
        code.Should().Be(2);
        text.Should().Be("error: option octopus.fill must be from 0.5 to 1; got 1.5.\n");
    }

    [Fact]
    public async Task RunAsync_PolicyFileAndOptions_AreReported_AndTheCommandLineWinsOverTheFile()
    {
        using var folder = new TraceFolder().Vm("a", Enumerable.Repeat(30, 288)).Vm("b", Enumerable.Repeat(30, 288));
        var file = Path.Combine(folder.Path, "..", Path.GetFileName(folder.Path) + ".yaml");
        await File.WriteAllTextAsync(file, "octopus:\n  dwell: 288\n", TestContext.Current.CancellationToken);
        try
        {
            var baseOptions = new SimulateOptions(folder.Path, ["octopus"], MemoryMode.Enforced, true, null, 1) { PolicyFile = file };
            var (code, text) = await Run(baseOptions);
            code.Should().Be(0, text);
            var (code2, text2) = await Run(baseOptions with { OptionAssignments = ["octopus.dwell=0"] });
            code2.Should().Be(0, text2);
            using var a = JsonDocument.Parse(text);
            using var b = JsonDocument.Parse(text2);
            a.RootElement[0].GetProperty("options").GetString().Should().Be("octopus.dwell=288");
            b.RootElement[0].GetProperty("options").GetString().Should().Be("octopus.dwell=0");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TryParse_Arguments_BuildOptions()
    {
        SimulateArguments.TryParse(["--trace", "d", "--policy", "npa,lr-mmt-1.2", "--memory", "cloudsim", "--json", "--scale", "2"], out var o, out _)
            .Should().BeTrue();
        o!.Policies.Should().Equal("npa", "lr-mmt-1.2");
        o.Memory.Should().Be(MemoryMode.CloudSim);
        o.Scale.Should().Be(2);
        SimulateArguments.TryParse(["--trace", "d", "--policy", "octopus", "--option", "octopus.fill=0.95", "--option", "octopus.dwell=0", "--policy-file", "p.yaml"], out o, out _)
            .Should().BeTrue();
        o!.OptionAssignments.Should().Equal("octopus.fill=0.95", "octopus.dwell=0");
        o.PolicyFile.Should().Be("p.yaml");
        SimulateArguments.TryParse(["--memory", "lots"], out _, out var error).Should().BeFalse();
        error.Should().Contain("cloudsim or enforced");
    }
}
