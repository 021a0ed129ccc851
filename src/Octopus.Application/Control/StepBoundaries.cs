using System.Globalization;
using Octopus.Domain.Operations;

namespace Octopus.Application.Control;

/// <summary>The places between two steps of an operation where the process may die and a restart must still end well:
/// <c>claimed</c> (the claim is saved, no driver called yet), <c>step</c> (one of the operation's recorded steps is
/// saved: a revert's stop and revert, a power sequence's steps, the disk a snapshot is about to freeze), <c>executed</c>
/// (the driver finished, the outcome not yet saved) and <c>completed</c> (the outcome saved). The runner reports each
/// one as it passes it; in production nothing listens (<see cref="NoStepBoundaries"/>). The crash tests listen with
/// <see cref="CrashAtStepBoundary"/>.</summary>
public interface IStepBoundaries
{
    void Reached(OperationKind kind, string boundary);
}

/// <summary>The default: boundaries pass unobserved.</summary>
public sealed class NoStepBoundaries : IStepBoundaries
{
    public static NoStepBoundaries Instance { get; } = new();

    public void Reached(OperationKind kind, string boundary)
    {
    }
}

/// <summary>A testing knob, set by the environment variable <c>OCTOPUS_CRASH_AT=KIND:BOUNDARY[:N]</c> (e.g.
/// <c>ForkDisk:executed</c>, <c>PowerOffHost:step:2</c>): the process kills itself (SIGKILL, no shutdown code runs, as
/// in a power cut) the <c>N</c>th time (default the first) an operation of that kind passes that boundary. It says so on
/// standard error first, so a test can tell the crash it asked for from any other death. Never set it in production:
/// the server warns at start when it is set.</summary>
public sealed class CrashAtStepBoundary : IStepBoundaries
{
    public const string Variable = "OCTOPUS_CRASH_AT";
    public const string Announcement = "octopus: crash point reached: ";

    private readonly OperationKind _kind;
    private readonly string _boundary;
    private readonly int _nth;
    private int _seen;

    private CrashAtStepBoundary(OperationKind kind, string boundary, int nth) => (_kind, _boundary, _nth) = (kind, boundary, nth);

    public string Describe => $"{_kind}:{_boundary}:{_nth}";

    /// <summary>The knob from <paramref name="value"/>, or null when it is unset; a value that names no operation kind,
    /// no boundary or a bad count is an <see cref="ArgumentException"/> saying what is accepted.</summary>
    public static CrashAtStepBoundary? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var parts = value.Trim().Split(':');
        string[] boundaries = ["claimed", "step", "executed", "completed"];
        if (parts.Length is < 2 or > 3 || !Enum.TryParse<OperationKind>(parts[0], ignoreCase: false, out var kind) || !Enum.IsDefined(kind)
            || !boundaries.Contains(parts[1])
            || (parts.Length == 3 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)))
            throw new ArgumentException($"{Variable}='{value}' is not KIND:BOUNDARY[:N]: KIND is one of {string.Join(", ", Enum.GetNames<OperationKind>())}; " +
                $"BOUNDARY one of {string.Join(", ", boundaries)}; N a count from 1. Unset it to run normally.");
        return new CrashAtStepBoundary(kind, parts[1], parts.Length == 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : 1);
    }

    public void Reached(OperationKind kind, string boundary)
    {
        if (kind != _kind || boundary != _boundary || Interlocked.Increment(ref _seen) != _nth) return;
        Console.Error.WriteLine(Announcement + Describe);
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // the kill is asynchronous: nothing after the boundary may run
    }
}
