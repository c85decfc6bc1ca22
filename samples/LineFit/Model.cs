using System;
using SymDiff;

namespace LineFit;

/// <summary>The line y = w·x + b fitted to five points by mean squared error.</summary>
public static partial class Model
{
    /// <summary>The inputs: −2 … 2.</summary>
    public static readonly double[] X = { -2, -1, 0, 1, 2 };

    /// <summary>The targets, on the line y = 2x + 1.</summary>
    public static readonly double[] Y = { -3, -1, 1, 3, 5 };

    /// <summary>Mean squared error of the line over all five points; <c>Trace = true</c> also generates LossTrace, the chain rule step by step (<c>--explain</c>).</summary>
    [Differentiable(Trace = true)]
    public static double Loss(double w, double b)
    {
        double sum = 0;
        for (int i = 0; i < X.Length; i++)
        {
            double error = w * X[i] + b - Y[i];
            sum += error * error;
        }

        return sum / X.Length;
    }

    /// <summary>Mean squared error over a batch of points.</summary>
    [Differentiable(nameof(w), nameof(b))]
    public static double BatchLoss(double w, double b, ReadOnlySpan<double> xs, ReadOnlySpan<double> ys)
    {
        double sum = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double error = w * xs[i] + b - ys[i];
            sum += error * error;
        }

        return sum / xs.Length;
    }
}
