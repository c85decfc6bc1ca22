using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace Playground;

/// <summary>
/// The playground's pictures, drawn with ScottPlot as PNG files: every one has a title, labelled
/// axes with tick labels and a legend. Log-scale axes plot log10 of the values and label the ticks
/// 10⁻³, 10⁻², … so a reader sees the magnitudes.
/// </summary>
internal static class Plots
{
    private const int Width = 720, Height = 480;

    /// <summary>The mean loss of each epoch, on a log scale.</summary>
    public static void LossCurve(string path, IReadOnlyList<double> losses, string title, string lossName)
    {
        var plot = new Plot();
        double[] epochs = Enumerable.Range(1, losses.Count).Select(e => (double)e).ToArray();
        double[] logs = losses.Select(Log).ToArray();
        var line = plot.Add.Scatter(epochs, logs);
        line.LegendText = lossName + " (mean over the epoch's batches)";
        line.MarkerSize = losses.Count > 60 ? 0 : 4;
        plot.Axes.AutoScale();
        LogAxis(plot, plot.Axes.Left, logs);
        Finish(plot, path, title, "epoch", "loss (log scale)");
    }

    /// <summary>The predicted probability of class 1 over the plane, with the data on top.</summary>
    public static void Decision(string path, Func<double, double, double> probability, double[] inputs, double[] labels, string title)
    {
        var plot = new Plot();
        const int cells = 80;
        const double lo = -1.5, hi = 1.5;
        var grid = new double[cells, cells];
        for (int row = 0; row < cells; row++)
        {
            for (int column = 0; column < cells; column++)
            {
                // Row 0 is the top of the picture.
                grid[row, column] = probability(lo + (hi - lo) * (column + 0.5) / cells, hi - (hi - lo) * (row + 0.5) / cells);
            }
        }

        var map = plot.Add.Heatmap(grid);
        map.Extent = new CoordinateRect(lo, hi, lo, hi);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.ManualRange = new ScottPlot.Range(0, 1);
        var bar = plot.Add.ColorBar(map);
        bar.Label = "predicted probability of class 1";

        foreach ((double label, string name, Color color) in new[] { (0.0, "class 0", Colors.White), (1.0, "class 1", Colors.Red) })
        {
            int[] members = Enumerable.Range(0, labels.Length).Where(k => (labels[k] > 0.5) == (label > 0.5)).ToArray();
            var points = plot.Add.ScatterPoints(members.Select(k => inputs[2 * k]).ToArray(), members.Select(k => inputs[2 * k + 1]).ToArray());
            points.Color = color;
            points.MarkerSize = 4;
            points.MarkerLineColor = Colors.Black;
            points.LegendText = $"{name} (training data)";
        }

        plot.Axes.SetLimits(lo, hi, lo, hi);
        Finish(plot, path, title, "x₁", "x₂");
    }

    /// <summary>The RMS weight gradient of each layer for each activation, on a log scale: where gradients vanish.</summary>
    public static void GradientMagnitudes(string path, IReadOnlyList<(string Activation, double[] Magnitudes)> series, string title)
    {
        var plot = new Plot();
        foreach ((string activation, double[] magnitudes) in series)
        {
            double[] layers = Enumerable.Range(1, magnitudes.Length).Select(l => (double)l).ToArray();
            var line = plot.Add.Scatter(layers, magnitudes.Select(Log).ToArray());
            line.LegendText = activation;
            line.MarkerSize = 7;
        }

        plot.Axes.AutoScale();
        LogAxis(plot, plot.Axes.Left, series.SelectMany(s => s.Magnitudes).Select(Log));
        int count = series.Max(s => s.Magnitudes.Length);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(1, count).Select(l => (double)l).ToArray(),
            Enumerable.Range(1, count).Select(l => l == 1 ? "1 (input side)" : l == count ? $"{l} (output)" : l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Finish(plot, path, title, "layer", "RMS of ∂L/∂W (log scale)", Alignment.LowerRight);
    }

    private static double Log(double value) => Math.Log10(Math.Max(value, 1e-300));

    // A log-scale axis over the plotted log10 values: the limits with a margin, and ticks at
    // 1, 2 and 5 times powers of ten (every power alone when the range is wide), labelled as numbers.
    private static void LogAxis(Plot plot, ScottPlot.IAxis axis, IEnumerable<double> logs)
    {
        double lo = logs.Min(), hi = logs.Max();
        double margin = Math.Max(0.05, (hi - lo) * 0.08);
        axis.Min = lo - margin;
        axis.Max = hi + margin;
        double[] mantissas = hi - lo > 4 ? [1] : hi - lo > 1.5 ? [1, 3] : [1, 2, 5];
        var ticks = new List<double>();
        for (int decade = (int)Math.Floor(lo - margin); decade <= (int)Math.Ceiling(hi + margin); decade++)
        {
            ticks.AddRange(mantissas.Select(m => decade + Math.Log10(m)).Where(t => t >= lo - margin && t <= hi + margin));
        }

        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray(), ticks.Select(t => Number(Math.Pow(10, t))).ToArray());
    }

    // 0.002, 0.5, 20, 3e-05: short, and never a long run of digits.
    private static string Number(double value) =>
        value is >= 1e-3 and < 1e4 ? value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("0e+0", System.Globalization.CultureInfo.InvariantCulture);

    private static void Finish(Plot plot, string path, string title, string x, string y, Alignment legend = Alignment.UpperRight)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(legend);
        plot.SavePng(path, Width, Height);
    }
}
