using System;
using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks;

/// <summary>The 3-2-2 network with one scalar per weight: 14 <c>out</c> adjoints.</summary>
[MemoryDiagnoser]
public class FlatNetworkGradient
{
    // Fields, not literals: the JIT would fold constant arguments into an inlined baseline.
    private double w00 = 0.1, w01 = 0.2, w02 = -0.1, w10 = -0.2, w11 = 0.1, w12 = 0.3, b0 = 0.1, b1 = -0.1;
    private double v00 = 0.2, v01 = -0.1, v10 = 0.1, v11 = 0.2, c0 = 0.05, c1 = 0.1;
    private readonly double[] g = new double[14];

    [Benchmark(Baseline = true)]
    public double HandWritten() => HandWrittenForms.FlatNetLossGradient(
        w00, w01, w02, w10, w11, w12, b0, b1, v00, v01, v10, v11, c0, c1,
        out g[0], out g[1], out g[2], out g[3], out g[4], out g[5], out g[6], out g[7], out g[8], out g[9], out g[10], out g[11], out g[12], out g[13]);

    [Benchmark]
    public double Generated() => FormModels.FlatNetLossGradient(
        w00, w01, w02, w10, w11, w12, b0, b1, v00, v01, v10, v11, c0, c1,
        out g[0], out g[1], out g[2], out g[3], out g[4], out g[5], out g[6], out g[7], out g[8], out g[9], out g[10], out g[11], out g[12], out g[13]);
}

/// <summary>A taped loop: the recurrence over 64 inputs.</summary>
[MemoryDiagnoser]
public class TapedLoopGradient
{
    [Benchmark(Baseline = true)]
    public double HandWritten() => HandWrittenForms.RecurrenceGradient(0.8, 0.5, FormModels.Sequence, out _, out _);

    [Benchmark]
    public double Generated() => FormModels.RecurrenceGradient(0.8, 0.5, FormModels.Sequence, out _, out _);
}

/// <summary>An <c>[Output]</c> dense layer, 32 inputs to 16 outputs: its Backward.</summary>
[MemoryDiagnoser]
public class DenseLayerGradient
{
    private const int Inputs = 32, Outputs = 16;
    private readonly double[] w = new double[Inputs * Outputs], b = new double[Outputs], x = new double[Inputs];
    private readonly double[] z = new double[Outputs], dz = new double[Outputs];
    private readonly double[] dW = new double[Inputs * Outputs], db = new double[Outputs];

    [GlobalSetup]
    public void Setup()
    {
        for (int k = 0; k < w.Length; k++)
        {
            w[k] = 0.3 * Math.Sin(1.3 * k);
        }

        for (int o = 0; o < Outputs; o++)
        {
            b[o] = 0.1 * Math.Cos(o);
            dz[o] = 1.0 / (o + 1);
        }

        for (int i = 0; i < Inputs; i++)
        {
            x[i] = Math.Sin(0.4 * i);
        }
    }

    [Benchmark(Baseline = true)]
    public double HandWritten()
    {
        HandWrittenForms.DenseBackward(w, b, x, z, dz, dW, db);
        return db[0];
    }

    [Benchmark]
    public double HandWrittenSliced()
    {
        HandWrittenForms.DenseBackwardSliced(w, b, x, z, dz, dW, db);
        return db[0];
    }

    [Benchmark]
    public double Generated()
    {
        FormModels.DenseBackward(w, b, x, z, dz, dW, db);
        return db[0];
    }

    /// <summary>The largest difference between the two, after one call of each from zero adjoints.</summary>
    public double Check()
    {
        var dW2 = new double[dW.Length];
        var db2 = new double[db.Length];
        Array.Clear(dW);
        Array.Clear(db);
        HandWrittenForms.DenseBackward(w, b, x, z, dz, dW, db);
        FormModels.DenseBackward(w, b, x, new double[Outputs], dz, dW2, db2);
        double worst = 0;
        for (int k = 0; k < dW.Length; k++)
        {
            worst = Math.Max(worst, Math.Abs(dW[k] - dW2[k]));
        }

        for (int o = 0; o < db.Length; o++)
        {
            worst = Math.Max(worst, Math.Abs(db[o] - db2[o]));
        }

        return worst;
    }
}

/// <summary>Compares each hand-written baseline with the generated method before they are timed.</summary>
public static class GradientFormChecks
{
    public static string Run()
    {
        double[] p = { 0.1, 0.2, -0.1, -0.2, 0.1, 0.3, 0.1, -0.1, 0.2, -0.1, 0.1, 0.2, 0.05, 0.1 };
        var hand = new double[14];
        var generated = new double[14];
        double lossHand = HandWrittenForms.FlatNetLossGradient(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
            out hand[0], out hand[1], out hand[2], out hand[3], out hand[4], out hand[5], out hand[6], out hand[7],
            out hand[8], out hand[9], out hand[10], out hand[11], out hand[12], out hand[13]);
        double lossGenerated = FormModels.FlatNetLossGradient(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
            out generated[0], out generated[1], out generated[2], out generated[3], out generated[4], out generated[5], out generated[6], out generated[7],
            out generated[8], out generated[9], out generated[10], out generated[11], out generated[12], out generated[13]);
        double flat = Math.Abs(lossHand - lossGenerated);
        for (int k = 0; k < 14; k++)
        {
            flat = Math.Max(flat, Math.Abs(hand[k] - generated[k]));
        }

        double rh = HandWrittenForms.RecurrenceGradient(0.8, 0.5, FormModels.Sequence, out double daHand, out double dbHand);
        double rg = FormModels.RecurrenceGradient(0.8, 0.5, FormModels.Sequence, out double daGenerated, out double dbGenerated);
        double taped = Math.Max(Math.Abs(rh - rg), Math.Max(Math.Abs(daHand - daGenerated), Math.Abs(dbHand - dbGenerated)));

        var dense = new DenseLayerGradient();
        dense.Setup();
        return FormattableString.Invariant(
            $"largest difference, hand-written against generated: flat network {flat:E1}, taped loop {taped:E1}, dense layer {dense.Check():E1}");
    }
}
