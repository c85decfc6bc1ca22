using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Playground;

/// <summary>Small hand-written SVG charts: the loss curve and the decision regions.</summary>
internal static class Svg
{
    private const int Size = 480, Margin = 50;

    public static string LossCurve(IReadOnlyList<double> losses, string title)
    {
        var sb = Start(title);
        double[] logs = losses.Select(l => Math.Log10(Math.Max(l, 1e-12))).ToArray();
        double lo = Math.Floor(logs.Min()), hi = Math.Ceiling(logs.Max());
        if (hi <= lo)
        {
            hi = lo + 1;
        }

        double X(int i) => Margin + (Size - 2 * Margin) * (losses.Count == 1 ? 0 : i / (double)(losses.Count - 1));
        double Y(double v) => Size - Margin - (Size - 2 * Margin) * (v - lo) / (hi - lo);
        for (double d = lo; d <= hi; d++)
        {
            sb.Append(F($"<line x1='{Margin}' x2='{Size - Margin}' y1='{Y(d):0.#}' y2='{Y(d):0.#}' stroke='#ddd'/>"));
            sb.Append(F($"<text x='{Margin - 6}' y='{Y(d) + 4:0.#}' font-size='11' text-anchor='end'>1e{d}</text>"));
        }

        sb.Append("<polyline fill='none' stroke='#1f77b4' stroke-width='1.5' points='");
        sb.Append(string.Join(" ", logs.Select((v, i) => F($"{X(i):0.##},{Y(v):0.##}"))));
        sb.Append("'/>");
        sb.Append(F($"<text x='{Size / 2}' y='{Size - 12}' font-size='12' text-anchor='middle'>epoch (1 … {losses.Count})</text>"));
        sb.Append(F($"<text x='14' y='{Size / 2}' font-size='12' transform='rotate(-90 14 {Size / 2})' text-anchor='middle'>loss (log scale)</text>"));
        return End(sb);
    }

    /// <summary>Colours a grid by the predicted probability of class 1 and draws the data on top.</summary>
    public static string Decision(Func<double, double, double> probability, double[] inputs, double[] labels, string title)
    {
        var sb = Start(title);
        const int cells = 60;
        double minX = -1.5, maxX = 1.5, minY = -1.5, maxY = 1.5;
        double cell = (Size - 2.0 * Margin) / cells;
        for (int i = 0; i < cells; i++)
        {
            for (int j = 0; j < cells; j++)
            {
                double px = minX + (maxX - minX) * (i + 0.5) / cells, py = maxY - (maxY - minY) * (j + 0.5) / cells;
                double p = probability(px, py);
                sb.Append(F($"<rect x='{Margin + i * cell:0.##}' y='{Margin + j * cell:0.##}' width='{cell + 0.05:0.##}' height='{cell + 0.05:0.##}' fill='{Blend(p)}'/>"));
            }
        }

        for (int k = 0; k < labels.Length; k++)
        {
            double sx = Margin + (inputs[2 * k] - minX) / (maxX - minX) * (Size - 2 * Margin);
            double sy = Margin + (maxY - inputs[2 * k + 1]) / (maxY - minY) * (Size - 2 * Margin);
            string color = labels[k] > 0.5 ? "#d62728" : "#1f4fb4";
            sb.Append(F($"<circle cx='{sx:0.#}' cy='{sy:0.#}' r='2.5' fill='{color}' stroke='white' stroke-width='0.5'/>"));
        }

        return End(sb);
    }

    private static string Blend(double p)
    {
        p = Math.Clamp(p, 0, 1);
        int r = (int)(200 + 55 * p), g = (int)(215 - 30 * Math.Abs(2 * p - 1)), b = (int)(255 - 55 * p);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    private static StringBuilder Start(string title) => new StringBuilder()
        .Append(F($"<svg xmlns='http://www.w3.org/2000/svg' width='{Size}' height='{Size}' font-family='sans-serif'>"))
        .Append("<rect width='100%' height='100%' fill='white'/>")
        .Append(F($"<text x='{Size / 2}' y='24' font-size='14' text-anchor='middle'>{Escape(title)}</text>"));

    private static string End(StringBuilder sb) => sb.Append("</svg>\n").ToString();

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
