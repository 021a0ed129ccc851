using System.Globalization;

namespace Octopus.Simulation.Traces;

/// <summary>A change applied to every trace value before a run (<c>--perturb</c>), to test a policy's robustness:
/// <c>scale:F</c> multiplies each value by F (capped at 100), <c>shift:Nh</c> rotates the day by N hours (circularly;
/// also <c>Nm</c> minutes, a multiple of the 5-minute interval), <c>noise:SD:SEED</c> adds Gaussian noise of SD
/// points from a seeded generator (clamped to 1–100).</summary>
/// <remarks>A sample that is 0 stays 0 and a positive one stays positive under scale and noise: CloudSim ends a VM
/// whose request reaches exactly 0, so this keeps the same VMs alive as long as in the original day and compares
/// policies on the same workload shape.</remarks>
public abstract record TracePerturbation
{
    /// <summary>The perturbed trace (a new object; the input is not changed).</summary>
    public abstract PlanetLabTrace Apply(PlanetLabTrace trace);

    /// <summary>Multiplies every value by <paramref name="Factor"/>, rounded, capped at 100.</summary>
    public sealed record Scale(double Factor) : TracePerturbation
    {
        public override PlanetLabTrace Apply(PlanetLabTrace trace) =>
            Map(trace, $"scale:{Factor.ToString(CultureInfo.InvariantCulture)}", (_, _, p) => p == 0 ? 0 : Math.Clamp((int)Math.Round(p * Factor), 1, 100));
    }

    /// <summary>Rotates every VM's day by <paramref name="Steps"/> intervals (value at step s comes from s − Steps).</summary>
    public sealed record Shift(int Steps, string Text) : TracePerturbation
    {
        public override PlanetLabTrace Apply(PlanetLabTrace trace)
        {
            var n = trace.Steps;
            var k = ((Steps % n) + n) % n;
            return Map(trace, $"shift:{Text}", (vm, s, _) => trace.Percent(vm, ((s - k) + n) % n));
        }
    }

    /// <summary>Adds N(0, <paramref name="Sd"/>²) points to every positive value (Box–Muller over a generator seeded
    /// with <paramref name="Seed"/>, so a run is reproducible), rounded, clamped to 1–100.</summary>
    public sealed record Noise(double Sd, int Seed) : TracePerturbation
    {
        public override PlanetLabTrace Apply(PlanetLabTrace trace)
        {
            var random = new Random(Seed);
            return Map(trace, FormattableString.Invariant($"noise:{Sd}:{Seed}"), (_, _, p) =>
            {
                var u1 = 1 - random.NextDouble();
                var u2 = random.NextDouble();
                var g = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                return p == 0 ? 0 : Math.Clamp((int)Math.Round(p + (Sd * g)), 1, 100);
            });
        }
    }

    /// <summary>Parses <c>scale:F</c> (0 &lt; F ≤ 10), <c>shift:Nh</c> / <c>shift:Nm</c>, <c>noise:SD:SEED</c> (0 ≤ SD ≤ 50);
    /// false with a message saying what is accepted.</summary>
    public static bool TryParse(string text, out TracePerturbation? perturbation, out string error)
    {
        perturbation = null;
        error = $"--perturb must be scale:F (0 < F ≤ 10), shift:Nh or shift:Nm (a multiple of 5 minutes), or noise:SD:SEED (0 ≤ SD ≤ 50, SEED an integer); got '{text}'";
        var parts = (text ?? "").Trim().ToLowerInvariant().Split(':');
        var inv = CultureInfo.InvariantCulture;
        switch (parts[0])
        {
            case "scale" when parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, inv, out var f) && f > 0 && f <= 10:
                perturbation = new Scale(f);
                return true;
            case "shift" when parts.Length == 2 && parts[1].Length > 1:
                var unit = parts[1][^1];
                if (!int.TryParse(parts[1][..^1], NumberStyles.AllowLeadingSign, inv, out var amount)) return false;
                var minutes = unit switch { 'h' => amount * 60L, 'm' => amount, _ => long.MinValue };
                if (minutes == long.MinValue || minutes % 5 != 0 || Math.Abs(minutes) > 7 * 24 * 60) return false;
                perturbation = new Shift((int)(minutes / 5), parts[1]);
                return true;
            case "noise" when parts.Length == 3 && double.TryParse(parts[1], NumberStyles.Float, inv, out var sd) && sd is >= 0 and <= 50
                && int.TryParse(parts[2], NumberStyles.AllowLeadingSign, inv, out var seed):
                perturbation = new Noise(sd, seed);
                return true;
            default:
                return false;
        }
    }

    private static PlanetLabTrace Map(PlanetLabTrace trace, string tag, Func<int, int, int, int> value)
    {
        var samples = new int[trace.VmCount][];
        for (var v = 0; v < trace.VmCount; v++)
        {
            samples[v] = new int[trace.Steps];
            for (var s = 0; s < trace.Steps; s++) samples[v][s] = value(v, s, trace.Percent(v, s));
        }
        return PlanetLabTrace.FromSamples($"{trace.Name}+{tag}", trace.VmNames, samples);
    }
}
