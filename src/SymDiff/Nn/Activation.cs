using System;
using System.Numerics;

namespace SymDiff.Nn;

/// <summary>The activation of a layer.</summary>
public enum Activation
{
    /// <summary>a = z (regression outputs, logits).</summary>
    Identity,

    /// <summary>a = max(0, z).</summary>
    Relu,

    /// <summary>a = max(z, 0.01·z).</summary>
    LeakyRelu,

    /// <summary>a = 1 / (1 + e^−z).</summary>
    Sigmoid,

    /// <summary>a = tanh(z).</summary>
    Tanh,

    /// <summary>GELU, tanh form.</summary>
    Gelu,

    /// <summary>a = z·σ(z).</summary>
    Silu,

    /// <summary>a = ln(1 + e^z).</summary>
    Softplus,
}

/// <summary>
/// Applies an <see cref="Activation"/> element-wise, and pulls an adjoint back through it with the
/// generated <c>Backward</c> of the scalar function in <see cref="Activations"/>.
/// </summary>
public static class ActivationLayer
{
    /// <summary>a = σ(z), element-wise.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="activation">σ.</param>
    /// <param name="z">The pre-activations.</param>
    /// <param name="a">Receives the activations.</param>
    public static void Forward<T>(Activation activation, ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity: z.CopyTo(a); break;
            case Activation.Relu: Map<T, Relu>(z, a); break;
            case Activation.LeakyRelu: Map<T, LeakyRelu>(z, a); break;
            case Activation.Sigmoid: Map<T, Sigmoid>(z, a); break;
            case Activation.Tanh: Map<T, Tanh>(z, a); break;
            case Activation.Gelu: Map<T, Gelu>(z, a); break;
            case Activation.Silu: Map<T, Silu>(z, a); break;
            case Activation.Softplus: Map<T, Softplus>(z, a); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>dZ = dA ⊙ σ′(z), element-wise, through the generated pullbacks.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="activation">σ.</param>
    /// <param name="z">The pre-activations of the forward pass.</param>
    /// <param name="dA">The adjoint of the activations.</param>
    /// <param name="dZ">Receives the adjoint of the pre-activations (may be <paramref name="dA"/> itself).</param>
    public static void Backward<T>(Activation activation, ReadOnlySpan<T> z, ReadOnlySpan<T> dA, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (activation)
        {
            case Activation.Identity: Pull<T, Identity>(z, dA, dZ); break;
            case Activation.Relu: Pull<T, Relu>(z, dA, dZ); break;
            case Activation.LeakyRelu: Pull<T, LeakyRelu>(z, dA, dZ); break;
            case Activation.Sigmoid: Pull<T, Sigmoid>(z, dA, dZ); break;
            case Activation.Tanh: Pull<T, Tanh>(z, dA, dZ); break;
            case Activation.Gelu: Pull<T, Gelu>(z, dA, dZ); break;
            case Activation.Silu: Pull<T, Silu>(z, dA, dZ); break;
            case Activation.Softplus: Pull<T, Softplus>(z, dA, dZ); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    private static void Map<T, TFn>(ReadOnlySpan<T> z, Span<T> a)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IScalarFunction
    {
        a = a.Slice(0, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            a[i] = TFn.Value(z[i]);
        }
    }

    private static void Pull<T, TFn>(ReadOnlySpan<T> z, ReadOnlySpan<T> dA, Span<T> dZ)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TFn : struct, IScalarFunction
    {
        dA = dA.Slice(0, z.Length);
        dZ = dZ.Slice(0, z.Length);
        for (int i = 0; i < z.Length; i++)
        {
            T dz = T.Zero;
            TFn.Backward(z[i], dA[i], ref dz);
            dZ[i] = dz;
        }
    }

    // One struct per activation, so the loops above are specialised and the calls inlined.
    private interface IScalarFunction
    {
        static abstract T Value<T>(T z)
            where T : IFloatingPointIeee754<T>;

        // The generated pullbacks: add dA · f'(z) to dz.
        static abstract void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T>;
    }

    private readonly struct Identity : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Identity(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.IdentityBackward(z, dA, ref dz);
    }

    private readonly struct Relu : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Relu(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.ReluBackward(z, dA, ref dz);
    }

    private readonly struct LeakyRelu : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.LeakyRelu(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.LeakyReluBackward(z, dA, ref dz);
    }

    private readonly struct Sigmoid : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Sigmoid(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.SigmoidBackward(z, dA, ref dz);
    }

    private readonly struct Tanh : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Tanh(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.TanhBackward(z, dA, ref dz);
    }

    private readonly struct Gelu : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Gelu(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.GeluBackward(z, dA, ref dz);
    }

    private readonly struct Silu : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Silu(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.SiluBackward(z, dA, ref dz);
    }

    private readonly struct Softplus : IScalarFunction
    {
        public static T Value<T>(T z)
            where T : IFloatingPointIeee754<T> => Activations.Softplus(z);

        public static void Backward<T>(T z, T dA, ref T dz)
            where T : IFloatingPointIeee754<T> => Activations.SoftplusBackward(z, dA, ref dz);
    }
}
