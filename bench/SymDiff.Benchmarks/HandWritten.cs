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

/// <summary>Hand-written gradients of <see cref="FormModels"/>: the baselines of <see cref="GradientForms"/>.</summary>
public static class HandWrittenForms
{
    public static double FlatNetLossGradient(double w00, double w01, double w02, double w10, double w11, double w12,
        double b0, double b1, double v00, double v01, double v10, double v11, double c0, double c1,
        out double dw00, out double dw01, out double dw02, out double dw10, out double dw11, out double dw12,
        out double db0, out double db1, out double dv00, out double dv01, out double dv10, out double dv11,
        out double dc0, out double dc1)
    {
        double x0 = FormModels.NetX[0], x1 = FormModels.NetX[1], x2 = FormModels.NetX[2];
        double z0 = b0 + w00 * x0 + w01 * x1 + w02 * x2;
        double z1 = b1 + w10 * x0 + w11 * x1 + w12 * x2;
        double h0 = Math.Max(0, z0), h1 = Math.Max(0, z1);
        double e0 = c0 + v00 * h0 + v01 * h1 - FormModels.NetY[0];
        double e1 = c1 + v10 * h0 + v11 * h1 - FormModels.NetY[1];
        double g0 = 2 * e0, g1 = 2 * e1;
        dc0 = g0;
        dc1 = g1;
        dv00 = g0 * h0;
        dv01 = g0 * h1;
        dv10 = g1 * h0;
        dv11 = g1 * h1;
        double dz0 = z0 > 0 ? g0 * v00 + g1 * v10 : 0;
        double dz1 = z1 > 0 ? g0 * v01 + g1 * v11 : 0;
        db0 = dz0;
        db1 = dz1;
        dw00 = dz0 * x0;
        dw01 = dz0 * x1;
        dw02 = dz0 * x2;
        dw10 = dz1 * x0;
        dw11 = dz1 * x1;
        dw12 = dz1 * x2;
        return e0 * e0 + e1 * e1;
    }

    /// <summary>Keeps every h in a stack buffer on the way forward and walks it back.</summary>
    public static double RecurrenceGradient(double a, double b, double[] xs, out double da, out double db)
    {
        Span<double> hs = xs.Length <= 256 ? stackalloc double[xs.Length + 1] : new double[xs.Length + 1];
        hs[0] = 0;
        for (int t = 0; t < xs.Length; t++)
        {
            hs[t + 1] = Math.Tanh(a * hs[t] + b * xs[t]);
        }

        double h = hs[xs.Length];
        double dh = 2 * h, ga = 0, gb = 0;
        for (int t = xs.Length - 1; t >= 0; t--)
        {
            double next = hs[t + 1];
            double dPre = dh * (1 - next * next);
            ga += dPre * hs[t];
            gb += dPre * xs[t];
            dh = dPre * a;
        }

        da = ga;
        db = gb;
        return h * h;
    }

    /// <summary>
    /// The pullback of <see cref="FormModels.Dense"/> indexed as the source is, <c>W[o * n + i]</c>:
    /// recomputes z, then adds into dW and db.
    /// </summary>
    public static void DenseBackward(ReadOnlySpan<double> W, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> z,
        ReadOnlySpan<double> dz, Span<double> dW, Span<double> db)
    {
        int n = x.Length;
        for (int o = 0; o < z.Length; o++)
        {
            double s = b[o];
            for (int i = 0; i < n; i++)
            {
                s += W[o * n + i] * x[i];
            }

            double t = Math.Tanh(s);
            z[o] = t;
            double ds = dz[o] * (1 - t * t);
            db[o] += ds;
            for (int i = 0; i < n; i++)
            {
                dW[o * n + i] += ds * x[i];
            }
        }
    }

    /// <summary>
    /// <see cref="DenseBackward"/> over row slices, so that the JIT drops the bounds checks of the
    /// inner loops: what a hand-writer tuning this layer would write.
    /// </summary>
    public static void DenseBackwardSliced(ReadOnlySpan<double> W, ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> z,
        ReadOnlySpan<double> dz, Span<double> dW, Span<double> db)
    {
        int n = x.Length;
        for (int o = 0; o < z.Length; o++)
        {
            double s = b[o];
            ReadOnlySpan<double> row = W.Slice(o * n, n);
            for (int i = 0; i < n; i++)
            {
                s += row[i] * x[i];
            }

            double t = Math.Tanh(s);
            z[o] = t;
            double ds = dz[o] * (1 - t * t);
            db[o] += ds;
            Span<double> dRow = dW.Slice(o * n, n);
            for (int i = 0; i < n; i++)
            {
                dRow[i] += ds * x[i];
            }
        }
    }
}
