using System;
using System.Linq;
using System.Numerics;
using Spectre.Console;
using SymDiff.Nn;

namespace Playground;

/// <summary>Per-layer gradient magnitudes: where the vanishing-gradient effect shows.</summary>
internal static class Gradients
{
    /// <summary>Prints the RMS weight gradient of each layer under <paramref name="title"/> and returns them, first layer first.</summary>
    public static double[] Print<T>(Mlp<T> model, T[] x, T[] y, int count, Loss loss, string title)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        model.ComputeGradients(x, y, count, loss);
        Console.WriteLine($"{title}:");
        var magnitudes = new double[model.Layers.Count];
        for (int index = 1; index <= model.Layers.Count; index++)
        {
            DenseLayer<T> layer = model.Layers[index - 1];
            double rms = Math.Sqrt(layer.WeightGradient.Select(g => double.CreateTruncating(g) * double.CreateTruncating(g)).Average());
            int bar = rms <= 0 ? 0 : Math.Clamp((int)Math.Round(4 * (Math.Log10(rms) + 8)), 0, 40);
            Console.WriteLine($"  layer {index} ({layer.Inputs}→{layer.Outputs}): rms ∂L/∂W = {rms,10:0.000e+0} {new string('#', bar)}");
            magnitudes[index - 1] = rms;
        }

        return magnitudes;
    }
}

/// <summary>
/// Training progress for <see cref="Trainer"/>: a Spectre.Console progress bar with the epoch, the
/// loss and the time left on a terminal; a plain line every tenth of the run when the output is
/// redirected (a log, a test).
/// </summary>
internal static class TrainingDisplay
{
    public static TrainingHistory Run(int epochs, Func<ITrainingProgress, TrainingHistory> train)
    {
        if (Console.IsOutputRedirected)
        {
            return train(new Lines());
        }

        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context => train(new Bar(context.AddTask("training", maxValue: epochs))));
    }

    private sealed class Bar(ProgressTask task) : ITrainingProgress
    {
        public void Report(int epoch, int epochs, double loss)
        {
            task.Description = $"epoch {epoch}/{epochs}  loss {loss:0.000000}";
            task.Value = epoch;
        }
    }

    private sealed class Lines : ITrainingProgress
    {
        private int lastTenth = -1;

        public void Report(int epoch, int epochs, double loss)
        {
            int tenth = 10 * epoch / epochs;
            if (tenth != lastTenth)
            {
                Console.WriteLine($"epoch {epoch,5}/{epochs}  loss {loss:0.000000}");
                lastTenth = tenth;
            }
        }
    }
}
