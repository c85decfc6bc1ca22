using System;

namespace SymDiff.Nn;

/// <summary>
/// The activation functions, written as plain <c>[Differentiable]</c> scalar methods, once in
/// <see cref="double"/> and once in <see cref="float"/> (so that single-precision layers run on
/// <see cref="MathF"/> without converting every element). Their derivatives are not written by
/// hand anywhere: the generator emits <c>ReluBackward</c>, <c>SigmoidDerivative</c> and the rest
/// into this class, for both precisions, and <see cref="Mlp{T}"/> calls those.
/// </summary>
public static partial class Activations
{
    /// <summary>The slope of <see cref="LeakyRelu(double)"/> for negative inputs.</summary>
    public const double LeakySlope = 0.01;

    /// <summary>√(2/π), the constant of the tanh form of GELU.</summary>
    private const double GeluScale = 0.7978845608028654;

    private const float LeakySlopeF = (float)LeakySlope;
    private const float GeluScaleF = (float)GeluScale;

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

    /// <summary>a = z, in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns><paramref name="z"/>.</returns>
    [Differentiable]
    public static float Identity(float z) => z;

    /// <summary>a = max(0, z), in single precision; the slope at 0 is 0, as for <see cref="Relu(double)"/>.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static float Relu(float z) => MathF.Max(0, z);

    /// <summary>a = max(z, 0.01·z), in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static float LeakyRelu(float z) => MathF.Max(z, LeakySlopeF * z);

    /// <summary>a = 1 / (1 + e^−z), in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (0, 1).</returns>
    [Differentiable]
    public static float Sigmoid(float z) => 1 / (1 + MathF.Exp(-z));

    /// <summary>a = tanh(z), in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, in (−1, 1).</returns>
    [Differentiable]
    public static float Tanh(float z) => MathF.Tanh(z);

    /// <summary>GELU in its tanh form, in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static float Gelu(float z) => 0.5f * z * (1 + MathF.Tanh(GeluScaleF * (z + 0.044715f * z * z * z)));

    /// <summary>SiLU (swish), in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation.</returns>
    [Differentiable]
    public static float Silu(float z) => z / (1 + MathF.Exp(-z));

    /// <summary>Softplus in its overflow-safe form, in single precision.</summary>
    /// <param name="z">The pre-activation.</param>
    /// <returns>The activation, positive.</returns>
    [Differentiable]
    public static float Softplus(float z) => MathF.Max(z, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(z)));
}
