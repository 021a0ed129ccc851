using Octopus.Cli.Infrastructure;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Runs the README's five-minute tour exactly as written (only the URL and admin password are the test
/// server's), line by line, against a real server process: every documented command must succeed.</summary>
public class ReadmeTourTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Tour_EveryLineSucceeds()
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        var root = RepoRoot();
        var lines = TourLines(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        lines.Should().HaveCountGreaterThan(15);
        var user = new CliProcess(server.NewConfigPath());
        foreach (var line in lines)
        {
            var text = line.Replace("http://127.0.0.1:5080", server.Url, StringComparison.Ordinal)
                .Replace("change-me-now", ServerFixture.AdminPassword, StringComparison.Ordinal)
                .Replace("../shared/", Path.GetFullPath(Path.Combine(root, "..", "shared")) + "/", StringComparison.Ordinal);
            string? stdin = null;
            var pipe = text.IndexOf('|', StringComparison.Ordinal);
            if (pipe >= 0)
            {
                stdin = text[..pipe].Trim()["echo ".Length..] + "\n";
                text = text[(pipe + 1)..].Trim();
            }
            var args = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray(); // drop "./octopus"
            var run = await user.RunWithInputAsync(stdin, args);
            run.Exit.Should().Be(ExitCodes.Ok, $"README line `{line}` failed:\n{run.Out}\n{run.Err}");
        }
    }

    /// <summary>The command lines of the tour's code block, comments stripped.</summary>
    internal static List<string> TourLines(string readme) => BlockLines(readme, "## A five-minute tour of the CLI");

    /// <summary>The <c>./octopus</c> lines of the first sh block under <paramref name="heading"/>, comments stripped.</summary>
    internal static List<string> BlockLines(string readme, string heading)
    {
        var section = readme[readme.IndexOf(heading, StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh", StringComparison.Ordinal) + 5)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        return [.. block.Split('\n')
            .Select(l => l.Contains(" # ", StringComparison.Ordinal) ? l[..l.IndexOf(" # ", StringComparison.Ordinal)] : l)
            .Select(l => l.Trim())
            .Where(l => l.Contains("./octopus ", StringComparison.Ordinal))];
    }

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Octopus.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Octopus.slnx) above " + AppContext.BaseDirectory);
    }
}
