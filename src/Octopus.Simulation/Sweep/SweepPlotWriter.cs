using System.Globalization;
using System.Text;

namespace Octopus.Simulation.Sweep;

/// <summary>Writes a sweep as an SVG scatter plot (no dependencies: plain SVG text): energy across, SLAV up (log scale,
/// as policies differ by orders of magnitude), the area of each point proportional to its migrations; runs on the
/// Pareto front are filled and joined by a line, the others hollow; hovering a point shows its policy and options.</summary>
public static class SweepPlotWriter
{
    public static string Render(IReadOnlyList<SweepRun> runs, string title)
    {
        ArgumentNullException.ThrowIfNull(runs);
        const int width = 900, height = 560, left = 90, right = 40, top = 50, bottom = 60;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{left}\" y=\"24\" font-size=\"15\">{Escape(title)}</text>\n");
        sb.Append(inv, $"<text x=\"{left}\" y=\"40\" fill=\"#555\">Pareto front (filled, joined) over energy, SLAV and migrations; point area ∝ migrations</text>\n");
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        sb.Append(inv, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>\n");
        if (runs.Count == 0)
        {
            sb.Append("</svg>\n");
            return sb.ToString();
        }
        var eMin = runs.Min(r => r.Result.EnergyKWh);
        var eMax = runs.Max(r => r.Result.EnergyKWh);
        if (eMax - eMin < 1e-9) { eMin -= 1; eMax += 1; }
        var pad = (eMax - eMin) * 0.05;
        eMin -= pad;
        eMax += pad;
        // SLAV 0 (no violation) sits on the bottom edge: log scale needs a positive floor.
        var positive = runs.Select(r => r.Result.Slav).Where(s => s > 0).ToList();
        var sMin = positive.Count > 0 ? Math.Log10(positive.Min()) - 0.2 : -10;
        var sMax = positive.Count > 0 ? Math.Log10(positive.Max()) + 0.2 : -9;
        var mMax = Math.Max(1, runs.Max(r => r.Result.Migrations));
        double X(double e) => left + ((e - eMin) / (eMax - eMin) * plotW);
        double Y(double slav) => top + plotH - ((Math.Max(sMin, slav > 0 ? Math.Log10(slav) : sMin) - sMin) / (sMax - sMin) * plotH);
        for (var i = 0; i <= 5; i++)
        {
            var e = eMin + ((eMax - eMin) * i / 5);
            sb.Append(inv, $"<text x=\"{X(e):0.0}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{e:0.0}</text>\n");
        }
        for (var d = (int)Math.Ceiling(sMin); d <= Math.Floor(sMax); d++)
        {
            var y = top + plotH - ((d - sMin) / (sMax - sMin) * plotH);
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{y:0.0}\" x2=\"{left + plotW}\" y2=\"{y:0.0}\" stroke=\"#eee\"/><text x=\"{left - 6}\" y=\"{y + 4:0.0}\" text-anchor=\"end\">1e{d}</text>\n");
        }
        sb.Append(inv, $"<text x=\"{left + (plotW / 2)}\" y=\"{height - 15}\" text-anchor=\"middle\">energy (kWh)</text>\n");
        sb.Append(inv, $"<text x=\"20\" y=\"{top + (plotH / 2)}\" transform=\"rotate(-90 20 {top + (plotH / 2)})\" text-anchor=\"middle\">SLAV (log)</text>\n");
        var front = SweepCommand.Front(runs);
        if (front.Count > 1)
        {
            var points = string.Join(" ", front.Select(r => string.Create(inv, $"{X(r.Result.EnergyKWh):0.0},{Y(r.Result.Slav):0.0}")));
            sb.Append(inv, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n");
        }
        foreach (var r in runs)
        {
            var radius = 3 + (9 * Math.Sqrt(r.Result.Migrations / (double)mMax));
            var fill = r.Pareto ? "#d62728" : "none";
            var stroke = r.Pareto ? "#d62728" : "#1f77b4";
            var label = string.Create(inv, $"{r.Policy} {r.Options}: {r.Result.EnergyKWh:0.00} kWh, SLAV {r.Result.Slav:0.00e+0}, {r.Result.Migrations} migrations");
            sb.Append(inv, $"<circle cx=\"{X(r.Result.EnergyKWh):0.0}\" cy=\"{Y(r.Result.Slav):0.0}\" r=\"{radius:0.0}\" fill=\"{fill}\" fill-opacity=\"0.6\" stroke=\"{stroke}\"><title>{Escape(label)}</title></circle>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
