using System;
using System.Linq;
using System.Numerics;
using SymDiff.Nn;

namespace Playground;

/// <summary>Per-layer gradient magnitudes: where the vanishing-gradient effect shows.</summary>
internal static class Gradients
{
    public static void Print<T>(Mlp<T> model, T[] x, T[] y, int count, Loss loss, string title)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        model.ComputeGradients(x, y, count, loss);
        Console.WriteLine($"{title}:");
        for (int index = 1; index <= model.Layers.Count; index++)
        {
            DenseLayer<T> layer = model.Layers[index - 1];
            double rms = Math.Sqrt(layer.WeightGradient.Select(g => double.CreateTruncating(g) * double.CreateTruncating(g)).Average());
            int bar = rms <= 0 ? 0 : Math.Clamp((int)Math.Round(4 * (Math.Log10(rms) + 8)), 0, 40);
            Console.WriteLine($"  layer {index} ({layer.Inputs}→{layer.Outputs}): rms ∂L/∂W = {rms,10:0.000e+0} {new string('#', bar)}");
        }
    }
}

/// <summary>A one-line progress bar for <see cref="Trainer"/>; plain lines when the output is redirected.</summary>
internal sealed class ProgressBar : ITrainingProgress
{
    private int lastPercent = -1;

    public void Report(int epoch, int epochs, double loss)
    {
        int percent = 100 * epoch / epochs;
        if (Console.IsOutputRedirected)
        {
            if (percent / 10 != lastPercent / 10)
            {
                Console.WriteLine($"epoch {epoch,5}/{epochs}  loss {loss:0.000000}");
            }
        }
        else if (percent != lastPercent)
        {
            int filled = percent * 30 / 100;
            Console.Write($"\r[{new string('█', filled)}{new string('·', 30 - filled)}] {percent,3}%  epoch {epoch}/{epochs}  loss {loss:0.000000}");
        }

        lastPercent = percent;
    }

    public void Finish()
    {
        if (!Console.IsOutputRedirected)
        {
            Console.WriteLine();
        }
    }
}
