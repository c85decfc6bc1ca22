using System;
using SymDiff;

namespace SymDiff.Benchmarks;

/// <summary>
/// The other forms a gradient takes, written as a user would: the 3-2-2 network with one scalar per
/// weight, a recurrence that reassigns a local in a loop (a taped method), and a dense layer that
/// writes an <c>[Output]</c> span.
/// </summary>
public static partial class FormModels
{
    /// <summary>The 3-2-2 network's input and target (the seed article's figures).</summary>
    public static readonly double[] NetX = { 4, 7, 0.85 };

    public static readonly double[] NetY = { 0.9, 0.8 };

    /// <summary>Inputs of the recurrence: 64 values in [−1, 1).</summary>
    public static readonly double[] Sequence = MakeSequence(64);

    /// <summary>The 3-2-2 network as one loss of 14 scalars: hidden ReLU, identity outputs, squared error.</summary>
    [Differentiable]
    public static double FlatNetLoss(double w00, double w01, double w02, double w10, double w11, double w12,
        double b0, double b1, double v00, double v01, double v10, double v11, double c0, double c1)
    {
        double z0 = b0 + w00 * NetX[0] + w01 * NetX[1] + w02 * NetX[2];
        double z1 = b1 + w10 * NetX[0] + w11 * NetX[1] + w12 * NetX[2];
        double h0 = Math.Max(0, z0);
        double h1 = Math.Max(0, z1);
        double e0 = c0 + v00 * h0 + v01 * h1 - NetY[0];
        double e1 = c1 + v10 * h0 + v11 * h1 - NetY[1];
        return e0 * e0 + e1 * e1;
    }

    /// <summary>A one-unit recurrent cell run over <see cref="Sequence"/>: h ← tanh(a·h + b·xₜ); the loss is h².</summary>
    [Differentiable(nameof(a), nameof(b))]
    public static double Recurrence(double a, double b, double[] xs)
    {
        double h = 0;
        for (int t = 0; t < xs.Length; t++)
        {
            h = Math.Tanh(a * h + b * xs[t]);
        }

        return h * h;
    }

    /// <summary>A dense layer with tanh: z = tanh(W·x + b), W row-major with one row per output.</summary>
    [Differentiable(nameof(W), nameof(b))]
    public static void Dense(ReadOnlySpan<double> W, ReadOnlySpan<double> b, ReadOnlySpan<double> x, [Output] Span<double> z)
    {
        for (int o = 0; o < z.Length; o++)
        {
            double s = b[o];
            for (int i = 0; i < x.Length; i++)
            {
                s += W[o * x.Length + i] * x[i];
            }

            z[o] = Math.Tanh(s);
        }
    }

    private static double[] MakeSequence(int n)
    {
        var values = new double[n];
        for (int t = 0; t < n; t++)
        {
            values[t] = Math.Sin(0.7 * t + 0.3);
        }

        return values;
    }
}
