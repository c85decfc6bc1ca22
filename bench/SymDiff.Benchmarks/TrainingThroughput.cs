using System;
using System.Linq;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using SymDiff.Nn;

namespace SymDiff.Benchmarks;

/// <summary>
/// One SGD training step of an MLP (ReLU hidden layers, identity output, MSE, lr 0.01) on one
/// mini-batch, as in ../shared/peers/w3_torch.py: samples per second = batch / mean time.
/// The baseline is the same step written as plain C# loops.
/// </summary>
[MemoryDiagnoser]
public abstract class TrainingThroughput<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Mlp<T> mlp = null!;
    private Sgd<T> sgd = null!;
    private PlainMlp<T> plain = null!;
    private T[] x = [];
    private T[] y = [];
    private int batch;

    /// <summary>a: 2-16-16-1 batch 32; b: 64-128-128-10 batch 64; c: 784-256-10 batch 128.</summary>
    [Params("a", "b", "c")]
    public string Config { get; set; } = "a";

    /// <summary>Threads the GEMM may use.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        (int[] sizes, batch) = Config switch
        {
            "a" => (new[] { 2, 16, 16, 1 }, 32),
            "b" => (new[] { 64, 128, 128, 10 }, 64),
            _ => (new[] { 784, 256, 10 }, 128),
        };
        Gemm.MaxThreads = Threads;
        mlp = Mlp<T>.Create(sizes, Activation.Relu, Activation.Identity, seed: 1);
        sgd = new Sgd<T>(mlp.Parameters, 0.01);
        plain = new PlainMlp<T>(mlp);
        var random = new SeededRandom(2);
        x = Enumerable.Range(0, batch * sizes[0]).Select(_ => T.CreateTruncating(random.NextDouble(-1, 1))).ToArray();
        y = Enumerable.Range(0, batch * sizes[^1]).Select(_ => T.CreateTruncating(random.NextDouble(-1, 1))).ToArray();
    }

    [Benchmark(Baseline = true)]
    public double PlainLoops() => plain.Step(x, y, batch, 0.01);

    [Benchmark]
    public double SymDiffMlp()
    {
        double loss = mlp.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
        sgd.Step();
        return loss;
    }

    /// <summary>The same step in one call, each layer's update done as soon as its gradients are final.</summary>
    [Benchmark]
    public double SymDiffTrainStep() => mlp.TrainStep(x, y, batch, Loss.MeanSquaredError, sgd);
}

/// <summary>Single precision.</summary>
public class TrainingThroughputFloat : TrainingThroughput<float>;

/// <summary>Double precision.</summary>
public class TrainingThroughputDouble : TrainingThroughput<double>;

/// <summary>The hand-written baseline: the same network as straightforward loops, no SIMD, no blocking.</summary>
internal sealed class PlainMlp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] sizes;
    private readonly T[][] w, b, a, d;

    public PlainMlp(Mlp<T> source)
    {
        sizes = source.Sizes.ToArray();
        int layers = sizes.Length - 1;
        w = source.Layers.Select(l => (T[])l.Weights.Clone()).ToArray();
        b = source.Layers.Select(l => (T[])l.Bias.Clone()).ToArray();
        a = new T[layers + 1][];
        d = new T[layers + 1][];
    }

    public double Step(T[] x, T[] y, int n, double rate)
    {
        int layers = sizes.Length - 1;
        a[0] = x;
        for (int l = 0; l < layers; l++)
        {
            int ni = sizes[l], no = sizes[l + 1];
            T[] z = a[l + 1] ??= new T[n * no];
            for (int r = 0; r < n; r++)
            {
                for (int o = 0; o < no; o++)
                {
                    T s = b[l][o];
                    for (int i = 0; i < ni; i++)
                    {
                        s += a[l][r * ni + i] * w[l][o * ni + i];
                    }

                    z[r * no + o] = l < layers - 1 ? T.Max(T.Zero, s) : s;
                }
            }
        }

        int m = n * sizes[^1];
        T[] top = d[layers] ??= new T[m];
        double loss = 0;
        T scale = T.CreateTruncating(2.0 / m);
        for (int i = 0; i < m; i++)
        {
            T e = a[layers][i] - y[i];
            loss += double.CreateTruncating(e * e);
            top[i] = scale * e;
        }

        T lr = T.CreateTruncating(rate);
        for (int l = layers - 1; l >= 0; l--)
        {
            int ni = sizes[l], no = sizes[l + 1];
            T[] dz = d[l + 1];
            if (l > 0)
            {
                T[] da = d[l] ??= new T[n * ni];
                for (int r = 0; r < n; r++)
                {
                    for (int i = 0; i < ni; i++)
                    {
                        T s = T.Zero;
                        for (int o = 0; o < no; o++)
                        {
                            s += dz[r * no + o] * w[l][o * ni + i];
                        }

                        da[r * ni + i] = a[l][r * ni + i] > T.Zero ? s : T.Zero;
                    }
                }
            }

            for (int o = 0; o < no; o++)
            {
                T gb = T.Zero;
                for (int r = 0; r < n; r++)
                {
                    gb += dz[r * no + o];
                }

                for (int i = 0; i < ni; i++)
                {
                    T g = T.Zero;
                    for (int r = 0; r < n; r++)
                    {
                        g += dz[r * no + o] * a[l][r * ni + i];
                    }

                    w[l][o * ni + i] -= lr * g;
                }

                b[l][o] -= lr * gb;
            }
        }

        return loss / m;
    }
}
