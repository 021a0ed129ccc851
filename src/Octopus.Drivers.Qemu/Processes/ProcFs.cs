using System.Globalization;
using System.Runtime.InteropServices;

namespace Octopus.Drivers.Qemu.Processes;

/// <summary>CPU time and memory of one process, read from /proc/PID/stat and /proc/PID/status.</summary>
/// <param name="CpuTime">utime + stime: CPU time used since the process started (all its threads).</param>
/// <param name="RssBytes">Resident set size.</param>
public sealed record ProcessUsage(TimeSpan CpuTime, long RssBytes);

/// <summary>Reads what Linux says about a process. Works for processes that are not our children (a re-adopted QEMU).</summary>
public static partial class ProcFs
{
    private static readonly Lazy<long> ClockTicks = new(() =>
    {
        var ticks = Sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    });

    private const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);

    /// <summary>True while the process exists and has not exited (a zombie awaiting its reaper counts as exited).</summary>
    public static bool IsAlive(int pid)
    {
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State is not ('Z' or 'X');
    }

    /// <summary>The process's argv, or null when it is gone.</summary>
    public static IReadOnlyList<string>? CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>CPU time and RSS, or null when the process is gone.</summary>
    public static ProcessUsage? Usage(int pid)
    {
        var stat = ReadStat(pid);
        if (stat is null) return null;
        long rssKiB = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                rssKiB = long.Parse(parts[1], CultureInfo.InvariantCulture);
                break;
            }
        }
        catch (IOException)
        {
            return null;
        }
        var ticks = stat.Value.UTime + stat.Value.STime;
        return new ProcessUsage(TimeSpan.FromSeconds(ticks / (double)ClockTicks.Value), rssKiB * 1024);
    }

    /// <summary>Bytes the process made the storage layer read and write (<c>read_bytes</c>, <c>write_bytes</c> of
    /// /proc/PID/io: a QEMU's disk I/O, not its sockets), or null when the process is gone or not readable.</summary>
    public static (long Read, long Write)? IoBytes(int pid)
    {
        try
        {
            return ParseIo(File.ReadAllText($"/proc/{pid}/io"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static (long Read, long Write)? ParseIo(string text)
    {
        long? read = null, write = null;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || !long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) continue;
            switch (line[..colon])
            {
                case "read_bytes": read = value; break;
                case "write_bytes": write = value; break;
            }
        }
        return read is { } r && write is { } w ? (r, w) : null;
    }

    /// <summary>A network interface's byte counters (/sys/class/net/NAME/statistics: received, transmitted as the host
    /// sees them), or null when it does not exist.</summary>
    public static (long Received, long Transmitted)? NetBytes(string iface)
    {
        try
        {
            var dir = $"/sys/class/net/{iface}/statistics";
            return (long.Parse(File.ReadAllText($"{dir}/rx_bytes").Trim(), CultureInfo.InvariantCulture),
                long.Parse(File.ReadAllText($"{dir}/tx_bytes").Trim(), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    internal readonly record struct Stat(char State, long UTime, long STime);

    /// <summary>Parses /proc/PID/stat. The command name (field 2) is in parentheses and may itself hold spaces and
    /// parentheses, so fields are counted from the last ')'.</summary>
    internal static Stat? ParseStat(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
        if (fields.Length < 13) return null;
        return new Stat(fields[0][0], long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    private static Stat? ReadStat(int pid)
    {
        try
        {
            return ParseStat(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
