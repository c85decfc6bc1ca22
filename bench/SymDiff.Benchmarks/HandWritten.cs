using System;

namespace SymDiff.Benchmarks;

/// <summary>The same gradients written by hand, as a careful programmer would: the baseline.</summary>
public static class HandWritten
{
    public static double LineLossGradient(double w, double b, out double dw, out double db)
    {
        double[] x = Models.X, y = Models.Y;
        double sum = 0, gw = 0, gb = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double e = w * x[i] + b - y[i];
            sum += e * e;
            gw += e * x[i];
            gb += e;
        }

        double scale = 2.0 / x.Length;
        dw = scale * gw;
        db = scale * gb;
        return sum / x.Length;
    }

    /// <summary>
    /// <see cref="NetLossGradient"/> with the argument checks the generated method's contract
    /// requires (each adjoint has its array's length; unused trailing elements are zero).
    /// </summary>
    public static double NetLossGradientChecked(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y,
        Span<double> dW1, Span<double> db1, Span<double> dW2, Span<double> db2)
    {
        if (dW1.Length != W1.Length || db1.Length != b1.Length || dW2.Length != W2.Length || db2.Length != b2.Length)
        {
            throw new ArgumentException("An adjoint does not match its array.");
        }

        double loss = NetLossGradient(W1, b1, W2, b2, x, y, dW1, db1, dW2, db2);
        dW1[6..].Clear();
        db1[2..].Clear();
        dW2[4..].Clear();
        db2[2..].Clear();
        return loss;
    }

    public static double NetLossGradient(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y,
        Span<double> dW1, Span<double> db1, Span<double> dW2, Span<double> db2)
    {
        double z10 = b1[0] + W1[0] * x[0] + W1[1] * x[1] + W1[2] * x[2];
        double z11 = b1[1] + W1[3] * x[0] + W1[4] * x[1] + W1[5] * x[2];
        double a10 = Math.Max(0, z10), a11 = Math.Max(0, z11);
        double e0 = b2[0] + W2[0] * a10 + W2[1] * a11 - y[0];
        double e1 = b2[1] + W2[2] * a10 + W2[3] * a11 - y[1];
        double g0 = 2 * e0, g1 = 2 * e1;
        db2[0] = g0;
        db2[1] = g1;
        dW2[0] = g0 * a10;
        dW2[1] = g0 * a11;
        dW2[2] = g1 * a10;
        dW2[3] = g1 * a11;
        double h0 = z10 > 0 ? g0 * W2[0] + g1 * W2[2] : 0;
        double h1 = z11 > 0 ? g0 * W2[1] + g1 * W2[3] : 0;
        db1[0] = h0;
        db1[1] = h1;
        for (int i = 0; i < 3; i++)
        {
            dW1[i] = h0 * x[i];
            dW1[3 + i] = h1 * x[i];
        }

        return e0 * e0 + e1 * e1;
    }
}
