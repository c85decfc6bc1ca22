using System;
using System.Linq;
using System.Numerics;
using BenchmarkDotNet.Attributes;
using SymDiff.Nn;

namespace SymDiff.Benchmarks;

/// <summary>
/// The activations are one generic-math method each (<see cref="Activations"/>), and so are their
/// generated pullbacks. This measures what that costs: <see cref="ActivationLayer.Backward{T}"/>
/// over 4,096 pre-activations, through the generic generated <c>ReluBackward&lt;T&gt;</c>,
/// <c>TanhBackward&lt;T&gt;</c> and <c>GeluBackward&lt;T&gt;</c>, against the same loop written
/// for one precision by hand (the formulas the generator derives, spelled with Math or MathF), in
/// the same process.
/// </summary>
[MemoryDiagnoser]
public abstract class ActivationBackward<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Count = 4096;
    private T[] z = [];
    private T[] dA = [];
    private T[] dZ = [];

    /// <summary>The activation pulled back through.</summary>
    [Params(Activation.Relu, Activation.Tanh, Activation.Gelu)]
    public Activation Function { get; set; } = Activation.Relu;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(3);
        z = Enumerable.Range(0, Count).Select(_ => T.CreateTruncating(random.NextDouble(-3, 3))).ToArray();
        dA = Enumerable.Range(0, Count).Select(_ => T.CreateTruncating(random.NextDouble(-1, 1))).ToArray();
        dZ = new T[Count];
    }

    [Benchmark(Baseline = true)]
    public T HandWritten()
    {
        Concrete(Function, z, dA, dZ);
        return dZ[Count / 2];
    }

    [Benchmark]
    public T GeneratedGeneric()
    {
        ActivationLayer.Backward<T>(Function, z, dA, dZ);
        return dZ[Count / 2];
    }

    /// <summary>The loop of one precision, written out.</summary>
    protected abstract void Concrete(Activation function, T[] z, T[] dA, T[] dZ);
}

/// <summary>Single precision: the baseline is written with float and MathF.</summary>
public class ActivationBackwardFloat : ActivationBackward<float>
{
    protected override void Concrete(Activation function, float[] z, float[] dA, float[] dZ)
    {
        switch (function)
        {
            case Activation.Relu:
                for (int i = 0; i < z.Length; i++)
                {
                    dZ[i] = Branchless.Select(z[i] > 0, dA[i], 0f);
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++)
                {
                    float t = MathF.Tanh(z[i]);
                    dZ[i] = dA[i] * (1 - t * t);
                }

                break;
            default:
                for (int i = 0; i < z.Length; i++)
                {
                    float x = z[i];
                    float u = 0.7978846f * (x + 0.044715f * x * x * x);
                    float t = MathF.Tanh(u);
                    dZ[i] = dA[i] * (0.5f * (1 + t) + 0.5f * x * (1 - t * t) * 0.7978846f * (1 + 3 * 0.044715f * x * x));
                }

                break;
        }
    }
}

/// <summary>Double precision: the baseline is written with double and Math.</summary>
public class ActivationBackwardDouble : ActivationBackward<double>
{
    protected override void Concrete(Activation function, double[] z, double[] dA, double[] dZ)
    {
        switch (function)
        {
            case Activation.Relu:
                for (int i = 0; i < z.Length; i++)
                {
                    dZ[i] = Branchless.Select(z[i] > 0, dA[i], 0.0);
                }

                break;
            case Activation.Tanh:
                for (int i = 0; i < z.Length; i++)
                {
                    double t = Math.Tanh(z[i]);
                    dZ[i] = dA[i] * (1 - t * t);
                }

                break;
            default:
                for (int i = 0; i < z.Length; i++)
                {
                    double x = z[i];
                    double u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
                    double t = Math.Tanh(u);
                    dZ[i] = dA[i] * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * x * x));
                }

                break;
        }
    }
}
