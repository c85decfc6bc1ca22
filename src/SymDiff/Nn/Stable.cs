using System;

namespace SymDiff.Nn;

/// <summary>
/// Functions whose derivatives are registered by hand with <see cref="CustomDerivativeAttribute"/>:
/// the worked examples of custom derivatives. Their formulas stay finite where the textbook
/// expressions overflow, and <c>[Differentiable]</c> code that calls them uses these rules.
/// </summary>
public static class Stable
{
    /// <summary>softplus(x) = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^(−|x|)) so that it never overflows.</summary>
    /// <param name="x">The input.</param>
    /// <returns>ln(1 + eˣ).</returns>
    [CustomDerivative(nameof(SoftPlusBackward), nameof(SoftPlusDerivative))]
    public static double SoftPlus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    /// <summary>The pullback of <see cref="SoftPlus"/>: dx += dSoftPlus · σ(x), with σ evaluated without overflow.</summary>
    /// <param name="x">The input.</param>
    /// <param name="dSoftPlus">The adjoint of the result.</param>
    /// <param name="dx">Accumulates the input's adjoint.</param>
    public static void SoftPlusBackward(double x, double dSoftPlus, ref double dx) => dx += dSoftPlus * Sigmoid(x);

    /// <summary>The directional derivative of <see cref="SoftPlus"/>: σ(x) · dx.</summary>
    /// <param name="x">The input.</param>
    /// <param name="dx">The input's tangent.</param>
    /// <returns>The result's tangent.</returns>
    public static double SoftPlusDerivative(double x, double dx) => Sigmoid(x) * dx;

    /// <summary>log Σᵢ e^(xᵢ), shifted by the maximum so that no exponential overflows.</summary>
    /// <param name="x">The inputs; at least one.</param>
    /// <returns>The log of the sum of exponentials.</returns>
    [CustomDerivative(nameof(LogSumExpBackward), nameof(LogSumExpDerivative))]
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("LogSumExp needs at least one value.", nameof(x));
        }

        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (double v in x)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>The pullback of <see cref="LogSumExp"/>: dx[i] += dLogSumExp · softmax(x)[i]. An empty <paramref name="dx"/> means "not needed".</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="dLogSumExp">The adjoint of the result.</param>
    /// <param name="dx">Accumulates the inputs' adjoints, or empty.</param>
    public static void LogSumExpBackward(ReadOnlySpan<double> x, double dLogSumExp, Span<double> dx)
    {
        if (dx.IsEmpty)
        {
            return;
        }

        Generated.Adjoint.RequireLength(dx, x.Length, nameof(dx));
        double lse = LogSumExp(x);
        for (int i = 0; i < x.Length; i++)
        {
            dx[i] += dLogSumExp * Math.Exp(x[i] - lse);
        }
    }

    /// <summary>The directional derivative of <see cref="LogSumExp"/>: Σᵢ softmax(x)[i] · dx[i]. An empty <paramref name="dx"/> is a zero tangent.</summary>
    /// <param name="x">The inputs.</param>
    /// <param name="dx">The inputs' tangents, or empty.</param>
    /// <returns>The result's tangent.</returns>
    public static double LogSumExpDerivative(ReadOnlySpan<double> x, ReadOnlySpan<double> dx)
    {
        if (dx.IsEmpty)
        {
            return 0;
        }

        double lse = LogSumExp(x);
        double tangent = 0;
        for (int i = 0; i < x.Length; i++)
        {
            tangent += Math.Exp(x[i] - lse) * dx[i];
        }

        return tangent;
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
