using System;

namespace SymDiff.Nn;

/// <summary>
/// The activation functions, written once as plain <c>[Differentiable]</c> scalar methods. Their
/// derivatives are not written by hand anywhere: the generator emits <c>ReluBackward</c>,
/// <c>SigmoidDerivative</c> and the rest into this class, and <see cref="Mlp{T}"/> calls those.
/// </summary>
public static partial class Activations
{
    /// <summary>The slope of <see cref="LeakyRelu"/> for negative inputs.</summary>
    public const double LeakySlope = 0.01;

    /// <summary>√(2/π), the constant of the tanh form of GELU.</summary>
    private const double GeluScale = 0.7978845608028654;

    /// <summary>a = z.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns><paramref name="z"/>.</returns>
    [Differentiable]
    public static double Identity(double z) => z;

    /// <summary>a = max(0, z). At z = 0 the slope is 0 (SymDiff's tie rule: the first argument wins).</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static double Relu(double z) => Math.Max(0, z);

    /// <summary>a = max(z, 0.01·z): ReLU with a small slope for negative inputs, so no unit goes silent.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static double LeakyRelu(double z) => Math.Max(z, LeakySlope * z);

    /// <summary>a = 1 / (1 + e^−z).</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (0, 1).</returns>
    [Differentiable]
    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>a = tanh(z).</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (−1, 1).</returns>
    [Differentiable]
    public static double Tanh(double z) => Math.Tanh(z);

    /// <summary>GELU in its tanh form: a = ½·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))).</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static double Gelu(double z) => 0.5 * z * (1 + Math.Tanh(GeluScale * (z + 0.044715 * z * z * z)));

    /// <summary>SiLU (swish): a = z·σ(z) = z / (1 + e^−z).</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static double Silu(double z) => z / (1 + Math.Exp(-z));

    /// <summary>
    /// a = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^−|z|) so that large |z| neither overflows
    /// nor loses the answer to rounding. Its derivative is σ(z), exactly 0.5 at z = 0.
    /// </summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, positive.</returns>
    [Differentiable]
    public static double Softplus(double z) => Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
}
