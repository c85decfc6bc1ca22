using System;
using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks;

/// <summary>
/// Rosenbrock's Hessian and Hessian-vector product: generated against hand-written (the
/// baseline), against central differences of the generated gradient, and against the gradient itself.
/// </summary>
[MemoryDiagnoser]
public class RosenbrockSecondOrder
{
    private readonly double[] h = new double[4];

    // Fields, not constants, so the JIT cannot fold the whole computation away.
    private double x = -1.2, y = 1, tx = 0.3, ty = -0.7;

    [Benchmark(Baseline = true)]
    public double HessianByHand() => SecondOrderModels.RosenbrockHessianByHand(x, y, out double dx, out double dy, h) + dx + dy;

    [Benchmark]
    public double Hessian() => SecondOrderModels.RosenbrockHessian(x, y, out double dx, out double dy, h) + dx + dy;

    [Benchmark]
    public double HessianByDifferences()
    {
        const double step = 1e-6;
        double f = SecondOrderModels.RosenbrockGradient(x, y, out _, out _);
        SecondOrderModels.RosenbrockGradient(x + step, y, out double px, out double py);
        SecondOrderModels.RosenbrockGradient(x - step, y, out double mx, out double my);
        h[0] = (px - mx) / (2 * step);
        h[2] = (py - my) / (2 * step);
        SecondOrderModels.RosenbrockGradient(x, y + step, out px, out py);
        SecondOrderModels.RosenbrockGradient(x, y - step, out mx, out my);
        h[1] = (px - mx) / (2 * step);
        h[3] = (py - my) / (2 * step);
        return f;
    }

    [Benchmark]
    public double ProductByHand() => SecondOrderModels.RosenbrockProductByHand(x, y, tx, ty, out double hx, out double hy) + hx + hy;

    [Benchmark]
    public double Product() => SecondOrderModels.RosenbrockHessianVectorProduct(x, y, tx, ty, out double hx, out double hy) + hx + hy;

    [Benchmark]
    public double Gradient() => SecondOrderModels.RosenbrockGradient(x, y, out double dx, out double dy) + dx + dy;

    /// <summary>The largest difference between the hand-written and the generated results.</summary>
    public static string Check()
    {
        double[] a = new double[4], b = new double[4];
        SecondOrderModels.RosenbrockHessianByHand(-1.2, 1, out _, out _, a);
        SecondOrderModels.RosenbrockHessian(-1.2, 1, out _, out _, b);
        SecondOrderModels.RosenbrockProductByHand(-1.2, 1, 0.3, -0.7, out double hx1, out double hy1);
        SecondOrderModels.RosenbrockHessianVectorProduct(-1.2, 1, 0.3, -0.7, out double hx2, out double hy2);
        double worst = Math.Max(Math.Abs(hx1 - hx2), Math.Abs(hy1 - hy2));
        for (int i = 0; i < 4; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        }

        return $"Rosenbrock: hand-written and generated Hessian and product differ by at most {worst:G3}";
    }
}

/// <summary>
/// The logistic loss over 32 examples of 8 features: 9 differentiated scalars, a 9×9 Hessian.
/// </summary>
[MemoryDiagnoser]
public class LogisticSecondOrder
{
    private const int D = SecondOrderModels.Features, M = D + 1;
    private readonly double[] w = new double[D], x = new double[SecondOrderModels.Rows * D], y = new double[SecondOrderModels.Rows];
    private readonly double[] tw = new double[D], dw = new double[D], hw = new double[D], h = new double[M * M];
    private readonly double[] plus = new double[D], minus = new double[D];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble() * 2 - 1;
        }

        for (int i = 0; i < D; i++)
        {
            w[i] = random.NextDouble() - 0.5;
            tw[i] = random.NextDouble() - 0.5;
        }

        for (int i = 0; i < y.Length; i++)
        {
            y[i] = i % 3 == 0 ? 1 : 0;
        }
    }

    [Benchmark(Baseline = true)]
    public double HessianByHand() => SecondOrderModels.LogisticHessianByHand(w, 0.1, x, y, dw, out _, h);

    [Benchmark]
    public double Hessian() => SecondOrderModels.LogisticHessian(w, 0.1, x, y, dw, out _, h);

    [Benchmark]
    public double HessianByDifferences()
    {
        const double step = 1e-6;
        double f = SecondOrderModels.LogisticGradient(w, 0.1, x, y, dw, out _);
        for (int j = 0; j < M; j++)
        {
            double bp = 0.1, bm = 0.1;
            if (j < D)
            {
                w[j] += step;
            }
            else
            {
                bp += step;
            }

            SecondOrderModels.LogisticGradient(w, bp, x, y, plus, out double dbp);
            if (j < D)
            {
                w[j] -= 2 * step;
            }
            else
            {
                bm -= step;
            }

            SecondOrderModels.LogisticGradient(w, bm, x, y, minus, out double dbm);
            if (j < D)
            {
                w[j] += step;
            }

            for (int i = 0; i < D; i++)
            {
                h[(i * M) + j] = (plus[i] - minus[i]) / (2 * step);
            }

            h[(D * M) + j] = (dbp - dbm) / (2 * step);
        }

        return f;
    }

    [Benchmark]
    public double ProductByHand() => SecondOrderModels.LogisticProductByHand(w, 0.1, x, y, tw, 0.2, hw, out _);

    [Benchmark]
    public double Product() => SecondOrderModels.LogisticHessianVectorProduct(w, 0.1, x, y, tw, 0.2, hw, out _);

    [Benchmark]
    public double Gradient() => SecondOrderModels.LogisticGradient(w, 0.1, x, y, dw, out _);

    /// <summary>The largest difference between the hand-written and the generated results.</summary>
    public string Check()
    {
        double[] a = new double[M * M], b = new double[M * M], p = new double[D], q = new double[D];
        SecondOrderModels.LogisticHessianByHand(w, 0.1, x, y, dw, out _, a);
        SecondOrderModels.LogisticHessian(w, 0.1, x, y, dw, out _, b);
        SecondOrderModels.LogisticProductByHand(w, 0.1, x, y, tw, 0.2, p, out double pb);
        SecondOrderModels.LogisticHessianVectorProduct(w, 0.1, x, y, tw, 0.2, q, out double qb);
        double worst = Math.Abs(pb - qb);
        for (int i = 0; i < M * M; i++)
        {
            worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        }

        for (int i = 0; i < D; i++)
        {
            worst = Math.Max(worst, Math.Abs(p[i] - q[i]));
        }

        return $"Logistic: hand-written and generated Hessian and product differ by at most {worst:G3}";
    }
}
