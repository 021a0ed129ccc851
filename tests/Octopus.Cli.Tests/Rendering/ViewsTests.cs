using Octopus.Cli.Infrastructure;
using Octopus.Cli.Rendering;
using Octopus.Contracts;

namespace Octopus.Cli.Tests.Rendering;

public class ViewsTests
{
    private static (Output Output, StringWriter Text) Plain()
    {
        var text = new StringWriter();
        var host = new CliHost { Out = text, Error = TextWriter.Null, In = TextReader.Null, GetEnvironmentVariable = _ => null };
        return (new Output(host, json: false), text);
    }

    [Fact]
    public void Placement_ShowsChosenHostFirstThenRejectionsWithReasons()
    {
        var (output, text) = Plain();
        var placement = new PlacementDto("web1", "host-02", "pack", DateTimeOffset.Parse("2026-11-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            "placed on host-02 (1 of 2 feasible)",
            [
                new PlacementHostDto("host-01", false, [new RejectionDto("MemoryFit", "memory.insufficient", "needs 4 GiB, 2 GiB free")], null, []),
                new PlacementHostDto("host-02", true, [], 87.5, [new ScoreDto("Pack", 0.875, 87.5, 1)]),
            ]);

        output.Write(Views.Placement(output, placement));
        var lines = text.ToString().Split('\n');

        text.ToString().Should().Contain("placed on host-02 (1 of 2 feasible)").And.Contain("strategy pack");
        var chosen = Array.FindIndex(lines, l => l.Contains("host-02") && l.Contains("chosen") && !l.Contains("strategy"));
        var rejected = Array.FindIndex(lines, l => l.Contains("host-01") && l.Contains("rejected"));
        chosen.Should().BeGreaterThan(0);
        rejected.Should().BeGreaterThan(chosen);
        lines[chosen].Should().Contain("87.5").And.Contain("Pack: raw 0.875 → 87.5 × 1");
        lines[rejected].Should().Contain("MemoryFit (memory.insufficient): needs 4 GiB, 2 GiB free");
    }

    [Fact]
    public void VmDetails_EscapesMarkupInServerText()
    {
        var (output, text) = Plain();
        var vm = new VmDto("1", "[bold]x", "o", "Failed", "Running", null, 1, 1L << 30, 1L << 30, "img", "error [42]",
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, [], 0);

        output.Write(Views.VmDetails(vm));

        text.ToString().Should().Contain("[bold]x").And.Contain("Failed — error [42]").And.Contain("1 GiB");
    }

    [Fact]
    public void UserTable_ShowsUsageOverLimit()
    {
        var (output, text) = Plain();
        var user = new UserDto("u1", "bob", "user", new QuotaDto(4, null, 1L << 40, 3), new QuotaUsageDto(2, 4L << 30, 0, 1), DateTimeOffset.UnixEpoch);

        output.Write(Views.UserTable(output, [user]));

        text.ToString().Should().Contain("1/3").And.Contain("2/4").And.Contain("4 GiB/unlimited").And.Contain("0 B/1 TiB");
    }

    [Fact]
    public void NotATerminal_NoAnsiEscapes()
    {
        var (output, text) = Plain();

        output.Write(Views.VmTable(output, [new VmDto("1", "w", "o", "Running", "Running", "h", 1, 1, 1, "i", null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null, null, [], 0)]));

        text.ToString().Should().NotContain("\u001b[");
    }
}
