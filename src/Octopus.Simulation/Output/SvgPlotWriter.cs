using System.Globalization;
using System.Text;
using Octopus.Simulation.Metrics;

namespace Octopus.Simulation.Output;

/// <summary>Writes an SVG with two panels, active hosts and cluster power over the day (from the first scheduling
/// interval on), one line per policy.</summary>
public static class SvgPlotWriter
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public static string Render(IReadOnlyList<SimulationResult> results, string title, double intervalSeconds)
    {
        ArgumentNullException.ThrowIfNull(results);
        const int width = 900, panel = 260, left = 70, right = 160, top = 40, gap = 60;
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var height = top + (2 * panel) + gap + 50;
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"{left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n");
        Panel(sb, results, r => r.ActiveHosts.Select(x => (double)x).ToArray(), "active hosts", top, panel, width, left, right, intervalSeconds);
        Panel(sb, results, r => r.PowerWatts.Select(x => x / 1000).ToArray(), "cluster power (kW)", top + panel + gap, panel, width, left, right, intervalSeconds);
        for (var i = 0; i < results.Count; i++)
        {
            var y = top + 10 + (i * 18);
            sb.Append(inv, $"<line x1=\"{width - right + 15}\" y1=\"{y}\" x2=\"{width - right + 40}\" y2=\"{y}\" stroke=\"{Colours[i % Colours.Length]}\" stroke-width=\"2\"/>");
            sb.Append(inv, $"<text x=\"{width - right + 45}\" y=\"{y + 4}\">{Escape(results[i].Policy)}</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Panel(StringBuilder sb, IReadOnlyList<SimulationResult> results, Func<SimulationResult, double[]> series,
        string label, int y0, int height, int width, int left, int right, double intervalSeconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var plotW = width - left - right;
        // The first intervals are CloudSim's creation burst (new VMs spread over idle hosts, then consolidated); the scale
        // is set by the rest of the day and the burst is clipped, so the day stays readable.
        var data = results.Select(series).Select(d => d.Skip(1).ToArray()).ToList();
        var max = Math.Max(1e-9, data.SelectMany(d => d.Skip(2)).DefaultIfEmpty(1).Max()) * 1.1;
        var steps = data.Count > 0 ? data.Max(d => d.Length) : 1;
        sb.Append(inv, $"<rect x=\"{left}\" y=\"{y0}\" width=\"{plotW}\" height=\"{height}\" fill=\"none\" stroke=\"#888\"/>\n");
        sb.Append(inv, $"<text x=\"{left}\" y=\"{y0 - 6}\">{Escape(label)}</text>\n");
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            var y = y0 + height - (height * i / 4.0);
            sb.Append(inv, $"<text x=\"{left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v:0.#}</text>");
            sb.Append(inv, $"<line x1=\"{left}\" y1=\"{y:0.#}\" x2=\"{left + plotW}\" y2=\"{y:0.#}\" stroke=\"#eee\"/>\n");
        }
        var hours = steps * intervalSeconds / 3600;
        for (var hr = 0; hr <= hours; hr += 3)
        {
            var x = left + (plotW * hr / Math.Max(hours, 1e-9));
            sb.Append(inv, $"<text x=\"{x:0.#}\" y=\"{y0 + height + 16}\" text-anchor=\"middle\">{hr} h</text>\n");
        }
        for (var i = 0; i < data.Count; i++)
        {
            var d = data[i];
            var pts = new StringBuilder();
            for (var k = 0; k < d.Length; k++)
            {
                var x = left + (plotW * k / (double)Math.Max(1, steps - 1));
                var y = y0 + height - (height * Math.Min(d[k], max) / max);
                pts.Append(inv, $"{x:0.##},{y:0.##} ");
            }
            sb.Append(inv, $"<polyline fill=\"none\" stroke=\"{Colours[i % Colours.Length]}\" stroke-width=\"1.5\" points=\"{pts}\"/>\n");
        }
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
