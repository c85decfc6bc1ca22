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

    /// <summary>The pull loop and pullbacks the runtime had before the activations became generic: activations written for one precision, dispatched per precision.</summary>
    [Benchmark]
    public T GeneratedConcrete()
    {
        PerPrecision(Function, z, dA, dZ);
        return dZ[Count / 2];
    }

    /// <summary>The loop of one precision, written out.</summary>
    protected abstract void Concrete(Activation function, T[] z, T[] dA, T[] dZ);

    /// <summary>The pull loop of <see cref="ActivationLayer"/>, dispatched the same way, over <see cref="ConcreteActivations"/>' generated pullbacks.</summary>
    private static void PerPrecision(Activation function, T[] z, T[] dA, T[] dZ)
    {
        switch (function)
        {
            case Activation.Relu: ConcreteLayer.Pull<T, ConcreteLayer.Relu>(z, dA, dZ); break;
            case Activation.Tanh: ConcreteLayer.Pull<T, ConcreteLayer.Tanh>(z, dA, dZ); break;
            default: ConcreteLayer.Pull<T, ConcreteLayer.Gelu>(z, dA, dZ); break;
        }
    }
}

/// <summary>Three activations written for double and for float, as the runtime had them before generic math.</summary>
public static partial class ConcreteActivations
{
    [Differentiable]
    public static double Relu(double z) => Math.Max(0, z);

    [Differentiable]
    public static double Tanh(double z) => Math.Tanh(z);

    [Differentiable]
    public static double Gelu(double z) => 0.5 * z * (1 + Math.Tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));

    [Differentiable]
    public static float Relu(float z) => MathF.Max(0, z);

    [Differentiable]
    public static float Tanh(float z) => MathF.Tanh(z);

    [Differentiable]
    public static float Gelu(float z) => 0.5f * z * (1 + MathF.Tanh(0.7978846f * (z + 0.044715f * z * z * z)));
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

/// <summary>
/// <see cref="ActivationLayer"/>'s pull loop as it was before the activations became generic: a
/// struct per activation with one pullback per precision, reinterpreted spans for float and double.
/// </summary>
internal static class ConcreteLayer
{
    public interface IConcrete
    {
        static abstract void Backward(double z, double dA, ref double dz);

        static abstract void Backward(float z, float dA, ref float dz);
    }

    public static void Pull<T, TFn>(ReadOnlySpan<T> z, ReadOnlySpan<T> dA, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IConcrete
    {
        dA = dA.Slice(0, z.Length);
        dZ = dZ.Slice(0, z.Length);
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> zf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(z), dAf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dA);
            Span<float> dZf = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dZ);
            for (int i = 0; i < zf.Length; i++)
            {
                float dz = 0;
                TFn.Backward(zf[i], dAf[i], ref dz);
                dZf[i] = dz;
            }

            return;
        }

        ReadOnlySpan<double> zd = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(z), dAd = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(dA);
        Span<double> dZd = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(dZ);
        for (int i = 0; i < zd.Length; i++)
        {
            double dz = 0;
            TFn.Backward(zd[i], dAd[i], ref dz);
            dZd[i] = dz;
        }
    }

    public readonly struct Relu : IConcrete
    {
        public static void Backward(double z, double dA, ref double dz) => ConcreteActivations.ReluBackward(z, dA, ref dz);

        public static void Backward(float z, float dA, ref float dz) => ConcreteActivations.ReluBackward(z, dA, ref dz);
    }

    public readonly struct Tanh : IConcrete
    {
        public static void Backward(double z, double dA, ref double dz) => ConcreteActivations.TanhBackward(z, dA, ref dz);

        public static void Backward(float z, float dA, ref float dz) => ConcreteActivations.TanhBackward(z, dA, ref dz);
    }

    public readonly struct Gelu : IConcrete
    {
        public static void Backward(double z, double dA, ref double dz) => ConcreteActivations.GeluBackward(z, dA, ref dz);

        public static void Backward(float z, float dA, ref float dz) => ConcreteActivations.GeluBackward(z, dA, ref dz);
    }
}
