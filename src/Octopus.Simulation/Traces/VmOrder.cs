using System.Globalization;

namespace Octopus.Simulation.Traces;

/// <summary>The order of a day's VM files (<c>--order</c>), which decides each VM's type (types are assigned in
/// contiguous blocks of the file order): <c>sorted</c> by name (the default, deterministic) or <c>shuffle:SEED</c>, a
/// seeded permutation standing in for Java's unspecified <c>File.listFiles()</c> order that CloudSim's figures used.</summary>
/// <param name="Seed">Null for sorted.</param>
public sealed record VmOrder(int? Seed)
{
    public static VmOrder Sorted { get; } = new((int?)null);

    public override string ToString() => Seed is { } s ? $"shuffle:{s.ToString(CultureInfo.InvariantCulture)}" : "sorted";

    /// <summary>Parses <c>sorted</c> or <c>shuffle:SEED</c>.</summary>
    public static bool TryParse(string text, out VmOrder order, out string error)
    {
        order = Sorted;
        error = "";
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t == "sorted") return true;
        if (t.StartsWith("shuffle:", StringComparison.Ordinal)
            && int.TryParse(t["shuffle:".Length..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed))
        {
            order = new VmOrder(seed);
            return true;
        }
        error = $"--order must be sorted or shuffle:SEED (SEED an integer); got '{text}'";
        return false;
    }

    /// <summary>The trace with its VMs in this order (Fisher–Yates with a generator seeded by <see cref="Seed"/>).</summary>
    public PlanetLabTrace Apply(PlanetLabTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (Seed is not { } seed) return trace;
        var idx = Enumerable.Range(0, trace.VmCount).ToArray();
        var random = new Random(seed);
        for (var i = idx.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        var names = idx.Select(i => trace.VmNames[i]).ToList();
        var samples = idx.Select(i => trace.Samples(i).ToArray().Select(b => (int)b).ToArray()).ToList();
        return PlanetLabTrace.FromSamples($"{trace.Name}+{this}", names, samples);
    }
}
