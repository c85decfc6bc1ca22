using System;
using SymDiff;

namespace SymDiff.Benchmarks;

/// <summary>The functions the benchmarks differentiate, written as a user would.</summary>
public static partial class Models
{
    public static readonly double[] X = { -2, -1, 0, 1, 2 };
    public static readonly double[] Y = { -3, -1, 1, 3, 5 };

    /// <summary>Mean squared error of y = w·x + b over the five points.</summary>
    [Differentiable]
    public static double LineLoss(double w, double b)
    {
        double sum = 0;
        for (int i = 0; i < X.Length; i++)
        {
            double error = w * X[i] + b - Y[i];
            sum += error * error;
        }

        return sum / X.Length;
    }

    /// <summary>
    /// The seed article's 3-2-2 network in straight-line form: ReLU hidden layer, identity
    /// outputs, squared error summed over the outputs. W1 is 2×3 and W2 2×2, row-major.
    /// </summary>
    [Differentiable(nameof(W1), nameof(b1), nameof(W2), nameof(b2))]
    public static double NetLoss(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y)
    {
        double z10 = b1[0] + W1[0] * x[0] + W1[1] * x[1] + W1[2] * x[2];
        double z11 = b1[1] + W1[3] * x[0] + W1[4] * x[1] + W1[5] * x[2];
        double a10 = Math.Max(0, z10);
        double a11 = Math.Max(0, z11);
        double z20 = b2[0] + W2[0] * a10 + W2[1] * a11;
        double z21 = b2[1] + W2[2] * a10 + W2[3] * a11;
        double e0 = z20 - y[0];
        double e1 = z21 - y[1];
        return e0 * e0 + e1 * e1;
    }
}
