using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Octopus.TestKit;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Runs <c>bench/Octopus.Bench.Failover</c> (issue 12's benchmark) with one run of each kind and a few creates,
/// so it cannot rot: it must start its own PostgreSQL and two replicas, see the follower take over after kill -9 and
/// SIGSTOP of the leader within the issue's 10 s (the program exits 1 otherwise), count the client's requests on both
/// replicas, and measure creates on SQLite and PostgreSQL. Not a measurement: the README has the full run's figures.</summary>
public sealed class FailoverBenchSmokeTests
{
    [Fact]
    public async Task FailoverBench_OneRunEach_PrintsEveryFigure_AndTakesOverWithin10s()
    {
        if (PostgresTestCluster.MissingReason is { } missing) Assert.Skip(missing);
        var bench = Path.Combine(AppContext.BaseDirectory, "Octopus.Bench.Failover.dll");
        File.Exists(bench).Should().BeTrue("the test project references the bench, so its build lands beside the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { bench, "--runs", "1", "--creates", "20", "--clients", "2" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true); // by this PID and its children only
        }
        var output = await stdout + await stderr;
        TestContext.Current.SendDiagnosticMessage(output);
        process.ExitCode.Should().Be(0, output);

        Seconds(output, "takeover after kill -9 of the leader").Should().BeInRange(0.01, 10);
        Seconds(output, "takeover after SIGSTOP of the leader").Should().BeInRange(0.01, 10);
        var (survivorErrors, survivorRequests) = Requests(output, "kill -9: via the surviving replica");
        survivorRequests.Should().BePositive("the client kept asking the surviving replica");
        survivorErrors.Should().BeLessThanOrEqualTo(survivorRequests);
        Requests(output, "kill -9: via the killed replica").Errors.Should().BePositive("a killed replica answers nothing");
        Requests(output, "SIGSTOP: via the frozen replica").Errors.Should().BePositive("a frozen replica answers nothing");
        Requests(output, "SIGSTOP: via the surviving replica").Requests.Should().BePositive();
        Rate(output, "SQLite, one server").Should().BePositive();
        Rate(output, "PostgreSQL, one server").Should().BePositive();
        Rate(output, "PostgreSQL, two replicas").Should().BePositive();
    }

    private static double Seconds(string output, string row) =>
        double.Parse(Match(output, $@"{Regex.Escape(row)}\s+median ([0-9.]+) s").Groups[1].Value, CultureInfo.InvariantCulture);

    private static (int Errors, int Requests) Requests(string output, string row)
    {
        var m = Match(output, $@"{Regex.Escape(row)}\s+(\d+) errors of (\d+) requests");
        return (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static double Rate(string output, string row) =>
        double.Parse(Match(output, $@"{Regex.Escape(row)}\s+([0-9.]+) creates/s").Groups[1].Value, CultureInfo.InvariantCulture);

    private static Match Match(string output, string pattern)
    {
        var m = Regex.Match(output, pattern);
        m.Success.Should().BeTrue($"the bench prints /{pattern}/:\n{output}");
        return m;
    }
}
