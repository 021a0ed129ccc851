namespace Octopus.Simulation.Sweep;

/// <summary>The runs no other run beats on every objective at once: energy, SLAV and migrations, all minimised.</summary>
public static class ParetoFront
{
    /// <summary>Indices of the non-dominated points, by energy (then SLAV, migrations, index). A point is dominated when
    /// another is no worse on all three and better on at least one; equal points are all kept.</summary>
    /// <remarks>O(n²) comparisons; a grid has at most <see cref="SweepGrid.MaxPoints"/> points per policy.</remarks>
    public static IReadOnlyList<int> Of(IReadOnlyList<(double Energy, double Slav, double Migrations)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var front = new List<int>();
        for (var i = 0; i < points.Count; i++)
        {
            var dominated = false;
            for (var j = 0; j < points.Count && !dominated; j++) dominated = j != i && Dominates(points[j], points[i]);
            if (!dominated) front.Add(i);
        }
        front.Sort((a, b) =>
        {
            var c = points[a].Energy.CompareTo(points[b].Energy);
            if (c == 0) c = points[a].Slav.CompareTo(points[b].Slav);
            if (c == 0) c = points[a].Migrations.CompareTo(points[b].Migrations);
            return c != 0 ? c : a.CompareTo(b);
        });
        return front;
    }

    /// <summary>Whether <paramref name="a"/> is no worse than <paramref name="b"/> on every objective and better on one.</summary>
    public static bool Dominates((double Energy, double Slav, double Migrations) a, (double Energy, double Slav, double Migrations) b) =>
        a.Energy <= b.Energy && a.Slav <= b.Slav && a.Migrations <= b.Migrations
        && (a.Energy < b.Energy || a.Slav < b.Slav || a.Migrations < b.Migrations);
}
