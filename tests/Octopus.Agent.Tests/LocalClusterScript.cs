using System.Diagnostics;

namespace Octopus.Agent.Tests;

/// <summary>Runs <c>scripts/local-cluster</c> as a user would, with the CLI this test build made.</summary>
internal static class LocalClusterScript
{
    /// <summary>Runs the script with <paramref name="args"/>; returns its exit code and its output (stdout then
    /// stderr). A run past 3 minutes is killed with its process tree and the test fails.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string root, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(root, "scripts", "local-cluster"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OCTOPUS_CLI"] = "dotnet " + Path.Combine(AppContext.BaseDirectory, "octopus.dll");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw; }
        return (p.ExitCode, await stdout + await stderr);
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Octopus.slnx"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Octopus.slnx).");
    }
}
