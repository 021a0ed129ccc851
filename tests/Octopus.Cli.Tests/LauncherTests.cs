using System.Diagnostics;

namespace Octopus.Cli.Tests;

/// <summary>Cheap checks on the ./octopus launcher (running it would build the CLI in Release: too slow for tests).</summary>
public class LauncherTests
{
    private static string Launcher()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Octopus.slnx"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "octopus");
    }

    [Fact]
    public void Launcher_IsExecutable()
    {
        if (OperatingSystem.IsWindows()) return;
        File.GetUnixFileMode(Launcher()).Should().HaveFlag(UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task Launcher_IsValidBashThatLocksAndBuildsIntoDotBuild()
    {
        var path = Launcher();
        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        text.Should().StartWith("#!/usr/bin/env bash").And.Contain("flock").And.Contain("-c Release").And.Contain(".build");

        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", path]) { RedirectStandardError = true })!;
        var errors = await bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bash.WaitForExitAsync(TestContext.Current.CancellationToken);
        bash.ExitCode.Should().Be(0, errors);
    }
}
