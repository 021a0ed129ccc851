namespace Octopus.Cli.Infrastructure;

/// <summary>The process exit codes, so scripts can tell failures apart. Documented in the CLI's README.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server refused the request (quota, conflict, not found, validation) or an operation failed.</summary>
    public const int Rejected = 1;

    /// <summary>The command line itself was wrong: unknown option, bad size, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>No server answered at the URL.</summary>
    public const int CannotConnect = 3;

    /// <summary>No token, or the server no longer accepts it.</summary>
    public const int NotLoggedIn = 4;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure the CLI reports as one "error: …" line and an exit code, never a stack trace.</summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message, string? hint = null) : base(message)
    {
        ExitCode = exitCode;
        Hint = hint;
    }

    public int ExitCode { get; }

    /// <summary>What to do about it, printed under the error.</summary>
    public string? Hint { get; }

    public static CliException Usage(string message, string? hint = null) => new(ExitCodes.Usage, message, hint);
    public static CliException Rejected(string message, string? hint = null) => new(ExitCodes.Rejected, message, hint);
    public static CliException NotLoggedIn(string message, string? hint = null) => new(ExitCodes.NotLoggedIn, message, hint);
}
