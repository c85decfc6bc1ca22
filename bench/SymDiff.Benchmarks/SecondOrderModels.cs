using System;
using SymDiff;

namespace SymDiff.Benchmarks;

/// <summary>The functions of the second-order benchmarks, written as a user would, with hand-written Hessians beside them.</summary>
public static partial class SecondOrderModels
{
    /// <summary>Rosenbrock's valley.</summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    /// <summary>Features per example of the logistic loss.</summary>
    public const int Features = 8;

    /// <summary>Examples of the logistic loss.</summary>
    public const int Rows = 32;

    /// <summary>Logistic regression's cross-entropy over <see cref="Rows"/> examples of <see cref="Features"/> features (row-major <paramref name="x"/>).</summary>
    [Differentiable(Hessian = true)]
    public static double Logistic(double[] w, double b, [NoGradient] double[] x, [NoGradient] double[] y)
    {
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double z = b;
            for (int j = 0; j < w.Length; j++)
            {
                z += w[j] * x[(i * w.Length) + j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
        }

        return loss;
    }

    /// <summary>Rosenbrock's gradient and Hessian by hand.</summary>
    public static double RosenbrockHessianByHand(double x, double y, out double dx, out double dy, Span<double> h)
    {
        double a = 1 - x, b = y - (x * x);
        dx = (-2 * a) - (400 * x * b);
        dy = 200 * b;
        h[0] = 2 - (400 * b) + (800 * x * x);
        h[1] = h[2] = -400 * x;
        h[3] = 200;
        return (a * a) + (100 * b * b);
    }

    /// <summary>Rosenbrock's H·t by hand.</summary>
    public static double RosenbrockProductByHand(double x, double y, double tx, double ty, out double hx, out double hy)
    {
        double a = 1 - x, b = y - (x * x);
        double hxx = 2 - (400 * b) + (800 * x * x), hxy = -400 * x;
        hx = (hxx * tx) + (hxy * ty);
        hy = (hxy * tx) + (200 * ty);
        return (a * a) + (100 * b * b);
    }

    /// <summary>The logistic loss's gradient and Hessian by hand: H = Σ p(1 − p)·(x, 1)(x, 1)ᵀ.</summary>
    public static double LogisticHessianByHand(double[] w, double b, double[] x, double[] y, Span<double> dw, out double db, Span<double> h)
    {
        int d = w.Length, m = d + 1;
        dw.Clear();
        h.Clear();
        db = 0;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            ReadOnlySpan<double> row = x.AsSpan(i * d, d);
            double z = b;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * row[j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= (y[i] * Math.Log(p)) + ((1 - y[i]) * Math.Log(1 - p));
            double r = p - y[i], s = p * (1 - p);
            for (int j = 0; j < d; j++)
            {
                dw[j] += r * row[j];
                for (int k = 0; k <= j; k++)
                {
                    h[(j * m) + k] += s * row[j] * row[k];
                }

                h[(d * m) + j] += s * row[j];
            }

            db += r;
            h[(d * m) + d] += s;
        }

        for (int j = 0; j < m; j++)
        {
            for (int k = 0; k < j; k++)
            {
                h[(k * m) + j] = h[(j * m) + k];
            }
        }

        return loss;
    }

    /// <summary>The logistic loss's H·t by hand: Σ p(1 − p)·((x, 1)·t)·(x, 1).</summary>
    public static double LogisticProductByHand(double[] w, double b, double[] x, double[] y, ReadOnlySpan<double> tw, double tb, Span<double> hw, out double hb)
    {
        int d = w.Length;
        hw.Clear();
        hb = 0;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            ReadOnlySpan<double> row = x.AsSpan(i * d, d);
            double z = b, dot = tb;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * row[j];
                dot += tw[j] * row[j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            loss -= (y[i] * Math.Log(p)) + ((1 - y[i]) * Math.Log(1 - p));
            double s = p * (1 - p) * dot;
            for (int j = 0; j < d; j++)
            {
                hw[j] += s * row[j];
            }

            hb += s;
        }

        return loss;
    }
}
