using System.Diagnostics;

namespace Octopus.Cli.Tests.EndToEnd;

/// <summary>Runs the built CLI (octopus.dll beside the tests) as a real process, with its own config file.</summary>
public sealed class CliProcess
{
    public CliProcess(string configPath, string? url = null)
    {
        ConfigPath = configPath;
        Url = url;
    }

    public string ConfigPath { get; }
    public string? Url { get; }

    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "octopus.dll");

    /// <summary>Asserts that a run succeeded and reads its --json output.</summary>
    public static T Parse<T>((int Exit, string Out, string Err) run)
    {
        run.Exit.Should().Be(Octopus.Cli.Infrastructure.ExitCodes.Ok, $"stderr: {run.Err}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(run.Out, System.Text.Json.JsonSerializerOptions.Web)!;
    }

    public Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    public async Task<(int Exit, string Out, string Err)> RunWithInputAsync(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["OCTOPUS_CONFIG"] = ConfigPath;
        start.Environment.Remove("OCTOPUS_URL");
        start.Environment.Remove("OCTOPUS_TOKEN");
        if (Url is not null) start.Environment["OCTOPUS_URL"] = Url;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"octopus {string.Join(' ', args)} did not finish in 2 minutes.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
