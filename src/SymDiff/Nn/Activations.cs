using System.Numerics;

namespace SymDiff.Nn;

/// <summary>
/// The activation functions, written once as plain <c>[Differentiable]</c> generic-math methods
/// over T (<see cref="float"/>, <see cref="double"/> or any IEEE floating-point type). Their
/// derivatives are not written by hand anywhere: the generator emits <c>ReluBackward&lt;T&gt;</c>,
/// <c>SigmoidDerivative&lt;T&gt;</c> and the rest into this class, and <see cref="Mlp{T}"/> calls
/// those. The JIT compiles one copy per value type, so a float layer runs on float arithmetic and
/// MathF's functions, as if the methods had been written for float.
/// </summary>
public static partial class Activations
{
    /// <summary>The slope of <see cref="LeakyRelu{T}(T)"/> for negative inputs.</summary>
    public const double LeakySlope = 0.01;

    /// <summary>√(2/π), the constant of the tanh form of GELU.</summary>
    private const double GeluScale = 0.7978845608028654;

    /// <summary>a = z.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns><paramref name="z"/>.</returns>
    [Differentiable]
    public static T Identity<T>(T z)
        where T : IFloatingPointIeee754<T> => z;

    /// <summary>a = max(0, z). At z = 0 the slope is 0 (SymDiff's tie rule: the first argument wins).</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static T Relu<T>(T z)
        where T : IFloatingPointIeee754<T> => T.Max(T.Zero, z);

    /// <summary>a = max(z, 0.01·z): ReLU with a small slope for negative inputs, so no unit goes silent.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static T LeakyRelu<T>(T z)
        where T : IFloatingPointIeee754<T> => T.Max(z, T.CreateChecked(LeakySlope) * z);

    /// <summary>a = 1 / (1 + e^−z).</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (0, 1).</returns>
    [Differentiable]
    public static T Sigmoid<T>(T z)
        where T : IFloatingPointIeee754<T> => T.One / (T.One + T.Exp(-z));

    /// <summary>a = tanh(z).</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (−1, 1).</returns>
    [Differentiable]
    public static T Tanh<T>(T z)
        where T : IFloatingPointIeee754<T> => T.Tanh(z);

    /// <summary>GELU in its tanh form: a = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))).</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static T Gelu<T>(T z)
        where T : IFloatingPointIeee754<T> =>
        T.CreateChecked(0.5) * z * (T.One + T.Tanh(T.CreateChecked(GeluScale) * (z + T.CreateChecked(0.044715) * z * z * z)));

    /// <summary>SiLU (swish): a = z·σ(z) = z / (1 + e^−z).</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static T Silu<T>(T z)
        where T : IFloatingPointIeee754<T> => z / (T.One + T.Exp(-z));

    /// <summary>
    /// a = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^−|z|) so that large |z| neither overflows
    /// nor loses the answer to rounding. Its derivative is σ(z), exactly 0.5 at z = 0.
    /// </summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, positive.</returns>
    [Differentiable]
    public static T Softplus<T>(T z)
        where T : IFloatingPointIeee754<T> => T.Max(z, T.Zero) + T.Log(T.One + T.Exp(-T.Abs(z)));
}
