namespace Octopus.Consolidation.Horizon;
internal static class TuneHack
{
    public static OctopusOptions Apply(OctopusOptions o)
    {
        var e = Environment.GetEnvironmentVariable("OCT");
        if (string.IsNullOrEmpty(e)) return o;
        foreach (var kv in e.Split(','))
        {
            var p = kv.Split('=');
            var v = double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture);
            o = p[0] switch
            {
                "fill" => o with { FillTarget = v },
                "over" => o with { OverloadLimit = v },
                "under" => o with { UnderloadLimit = v },
                "win" => o with { ForecastWindow = (int)v },
                "k" => o with { ForecastSafety = v },
                "h" => o with { HorizonSteps = (int)v },
                "cost" => o with { MigrationCostJoulesPerMb = v },
                "b" => o with { MigrationBudget = (int)v },
                "dwell" => o with { MinimumDwellSteps = (int)v },
                "rep" => o with { RepackEverySteps = (int)v },
                "cand" => o with { RepackCandidates = (int)v },
                "t" => o with { RepackTimeLimitSeconds = v },
                _ => o,
            };
        }
        return o;
    }
}
