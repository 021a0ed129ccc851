namespace Octopus.Drivers.Network.Processes;

/// <summary>Runs one program with an argv list (never through a shell) and returns what it printed.</summary>
public interface ICommandRunner
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/>. Throws a <see cref="DriverException"/>
    /// naming the command and its error output when it exits non-zero (unless <paramref name="allowFailure"/>), is
    /// missing, or outlives the timeout.</summary>
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> args, CancellationToken ct, string? stdin = null, bool allowFailure = false);
}

/// <summary>What a finished command printed, and its exit code.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error);
