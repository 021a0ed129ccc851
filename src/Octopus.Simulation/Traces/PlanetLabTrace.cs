namespace Octopus.Simulation.Traces;

/// <summary>A PlanetLab day: one file per VM (sorted by file name for a deterministic VM order), each with one integer
/// CPU percentage per 5-minute interval.</summary>
public sealed class PlanetLabTrace
{
    /// <summary>Intervals in a PlanetLab day file.</summary>
    public const int StepsPerDay = 288;

    private readonly byte[] _percent;

    private PlanetLabTrace(string name, string[] vmNames, byte[] percent, int steps)
    {
        Name = name;
        VmNames = vmNames;
        _percent = percent;
        Steps = steps;
    }

    public string Name { get; }
    public IReadOnlyList<string> VmNames { get; }
    public int VmCount => VmNames.Count;
    public int Steps { get; }

    /// <summary>The VM's CPU use in percent (0–100) in an interval.</summary>
    public int Percent(int vm, int step) => _percent[(vm * Steps) + step];

    /// <summary>All samples of one VM.</summary>
    public ReadOnlySpan<byte> Samples(int vm) => new(_percent, vm * Steps, Steps);

    /// <summary>Builds a trace from memory (tests, synthetic workloads). Values are percentages 0–100.</summary>
    public static PlanetLabTrace FromSamples(string name, IReadOnlyList<string> vmNames, IReadOnlyList<int[]> samples)
    {
        ArgumentNullException.ThrowIfNull(vmNames);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new TraceException($"trace '{name}' has no VMs.");
        var steps = samples[0].Length;
        var data = new byte[samples.Count * steps];
        for (var v = 0; v < samples.Count; v++)
        {
            if (samples[v].Length != steps) throw new TraceException($"VM '{vmNames[v]}' has {samples[v].Length} samples; expected {steps} like the first VM.");
            for (var s = 0; s < steps; s++)
            {
                var p = samples[v][s];
                if (p is < 0 or > 100) throw new TraceException($"VM '{vmNames[v]}' sample {s + 1} is {p}; CPU use must be 0–100 %.");
                data[(v * steps) + s] = (byte)p;
            }
        }
        return new PlanetLabTrace(name, [.. vmNames], data, steps);
    }

    /// <summary>Reads a day folder. Every regular file is one VM; each must have exactly <see cref="StepsPerDay"/>
    /// lines holding an integer 0–100 (blank trailing lines are ignored).</summary>
    public static PlanetLabTrace Load(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new TraceException("no trace folder given; pass --trace DIR with a PlanetLab day folder (e.g. ../shared/data/planetlab/20110303).");
        if (!Directory.Exists(directory))
            throw new TraceException($"trace folder '{directory}' does not exist; pass a PlanetLab day folder (one file per VM, {StepsPerDay} lines of CPU %).");
        var files = Directory.GetFiles(directory);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0)
            throw new TraceException($"trace folder '{directory}' has no files; each VM should be one file of {StepsPerDay} lines of CPU %.");
        var data = new byte[files.Length * StepsPerDay];
        var names = new string[files.Length];
        for (var v = 0; v < files.Length; v++)
        {
            names[v] = Path.GetFileName(files[v]);
            ParseFile(files[v], data.AsSpan(v * StepsPerDay, StepsPerDay));
        }
        return new PlanetLabTrace(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), names, data, StepsPerDay);
    }

    private static void ParseFile(string path, Span<byte> into)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceException($"cannot read trace file '{path}': {e.Message}", e);
        }
        var line = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            while (i < bytes.Length && (bytes[i] == (byte)' ' || bytes[i] == (byte)'\t' || bytes[i] == (byte)'\r')) i++;
            if (i < bytes.Length && bytes[i] == (byte)'\n') { i++; continue; }
            if (i >= bytes.Length) break;
            var value = 0;
            var digits = 0;
            while (i < bytes.Length && bytes[i] >= (byte)'0' && bytes[i] <= (byte)'9')
            {
                value = (value * 10) + (bytes[i] - (byte)'0');
                if (value > 100) throw new TraceException($"trace file '{path}' line {line + 1}: CPU use above 100 %; each line must be an integer 0–100.");
                digits++;
                i++;
            }
            while (i < bytes.Length && (bytes[i] == (byte)' ' || bytes[i] == (byte)'\t' || bytes[i] == (byte)'\r')) i++;
            if (digits == 0 || (i < bytes.Length && bytes[i] != (byte)'\n'))
                throw new TraceException($"trace file '{path}' line {line + 1} is not an integer percentage; each line must be an integer 0–100.");
            if (line >= into.Length)
                throw new TraceException($"trace file '{path}' has more than {into.Length} values; a PlanetLab day has {into.Length} 5-minute samples.");
            into[line++] = (byte)value;
            if (i < bytes.Length) i++;
        }
        if (line != into.Length)
            throw new TraceException($"trace file '{path}' has {line} values; a PlanetLab day has {into.Length} 5-minute samples.");
    }
}
