using System;
using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks;

/// <summary>Generated gradients against hand-written ones (the baseline) and central differences.</summary>
[MemoryDiagnoser]
public class LineFitGradient
{
    [Benchmark(Baseline = true)]
    public double HandWritten() => Benchmarks.HandWritten.LineLossGradient(-3, 3, out _, out _);

    [Benchmark]
    public double Generated() => Models.LineLossGradient(-3, 3, out _, out _);

    [Benchmark]
    public double CentralDifferences()
    {
        const double h = 1e-6;
        double dw = (Models.LineLoss(-3 + h, 3) - Models.LineLoss(-3 - h, 3)) / (2 * h);
        double db = (Models.LineLoss(-3, 3 + h) - Models.LineLoss(-3, 3 - h)) / (2 * h);
        return Models.LineLoss(-3, 3) + dw + db;
    }
}

/// <summary>The 3-2-2 network's 14 gradients.</summary>
[MemoryDiagnoser]
public class NetworkGradient
{
    private readonly double[] w1 = { 0.1, 0.2, -0.1, -0.2, 0.1, 0.3 };
    private readonly double[] b1 = { 0.1, -0.1 };
    private readonly double[] w2 = { 0.2, -0.1, 0.1, 0.2 };
    private readonly double[] b2 = { 0.05, 0.1 };
    private readonly double[] x = { 4, 7, 0.85 };
    private readonly double[] y = { 0.9, 0.8 };
    private readonly double[] dW1 = new double[6], db1 = new double[2], dW2 = new double[4], db2 = new double[2];

    [Benchmark(Baseline = true)]
    public double HandWritten() => Benchmarks.HandWritten.NetLossGradient(w1, b1, w2, b2, x, y, dW1, db1, dW2, db2);

    [Benchmark]
    public double HandWrittenChecked() => Benchmarks.HandWritten.NetLossGradientChecked(w1, b1, w2, b2, x, y, dW1, db1, dW2, db2);

    [Benchmark]
    public double Generated() => Models.NetLossGradient(w1, b1, w2, b2, x, y, dW1, db1, dW2, db2);

    [Benchmark]
    public double CentralDifferences()
    {
        double sum = Central(w1, dW1) + Central(b1, db1) + Central(w2, dW2) + Central(b2, db2);
        return Models.NetLoss(w1, b1, w2, b2, x, y) + sum;
    }

    private double Central(double[] p, Span<double> g)
    {
        const double h = 1e-6;
        for (int i = 0; i < p.Length; i++)
        {
            double v = p[i];
            p[i] = v + h;
            double plus = Models.NetLoss(w1, b1, w2, b2, x, y);
            p[i] = v - h;
            double minus = Models.NetLoss(w1, b1, w2, b2, x, y);
            p[i] = v;
            g[i] = (plus - minus) / (2 * h);
        }

        return g[0];
    }
}
