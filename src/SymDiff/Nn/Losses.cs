using System;

namespace SymDiff.Nn;

/// <summary>
/// The loss functions of one example (or one flattened batch), as <c>[Differentiable]</c>
/// methods: the generator writes their gradients, which <see cref="LossFunction"/> calls.
/// </summary>
public static partial class Losses
{
    /// <summary>Mean squared error: (1/n)·Σᵢ (pᵢ − tᵢ)².</summary>
    /// <param name="prediction">The network's outputs.</param>
    /// <param name="target">The targets, as long as <paramref name="prediction"/>.</param>
    /// <returns>The loss.</returns>
    [Differentiable]
    public static double MeanSquaredError(ReadOnlySpan<double> prediction, [NoGradient] ReadOnlySpan<double> target) =>
        SumSquaredError(prediction, target) / prediction.Length;

    /// <summary>Half squared error: ½·Σᵢ (pᵢ − tᵢ)², whose gradient is simply p − t.</summary>
    /// <param name="prediction">The network's outputs.</param>
    /// <param name="target">The targets, as long as <paramref name="prediction"/>.</param>
    /// <returns>The loss.</returns>
    [Differentiable]
    public static double HalfSquaredError(ReadOnlySpan<double> prediction, [NoGradient] ReadOnlySpan<double> target) =>
        0.5 * SumSquaredError(prediction, target);

    /// <summary>Squared error summed over the outputs: Σᵢ (pᵢ − tᵢ)² (the seed article's 3-2-2 network uses it).</summary>
    /// <param name="prediction">The network's outputs.</param>
    /// <param name="target">The targets, as long as <paramref name="prediction"/>.</param>
    /// <returns>The loss.</returns>
    [Differentiable]
    public static double SumSquaredError(ReadOnlySpan<double> prediction, [NoGradient] ReadOnlySpan<double> target)
    {
        double sum = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            double error = prediction[i] - target[i];
            sum += error * error;
        }

        return sum;
    }

    /// <summary>
    /// Binary cross-entropy on logits, averaged: (1/n)·Σᵢ [max(zᵢ, 0) − zᵢ·tᵢ + ln(1 + e^−|zᵢ|)],
    /// which equals −t·ln σ(z) − (1 − t)·ln(1 − σ(z)) without ever forming σ(z) (no overflow, no log 0).
    /// </summary>
    /// <param name="logits">The outputs before the sigmoid.</param>
    /// <param name="target">The targets in [0, 1].</param>
    /// <returns>The loss.</returns>
    [Differentiable]
    public static double BinaryCrossEntropyWithLogits(ReadOnlySpan<double> logits, [NoGradient] ReadOnlySpan<double> target)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double z = logits[i];
            sum += Math.Max(z, 0) - z * target[i] + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        }

        return sum / logits.Length;
    }

    /// <summary>
    /// Softmax cross-entropy on the logits of one example: Σᵢ tᵢ·(LSE(z) − zᵢ) with
    /// LSE(z) = m + ln Σⱼ e^(zⱼ − m). The shift m does not change the value or the gradient; pass
    /// the largest logit (as <see cref="SoftmaxCrossEntropy"/> does) so no exponential overflows.
    /// </summary>
    /// <param name="logits">The outputs before the softmax.</param>
    /// <param name="target">Class probabilities (a one-hot row for a label).</param>
    /// <param name="shift">The stabilising shift m, a constant for differentiation.</param>
    /// <returns>The loss.</returns>
    [Differentiable]
    public static double ShiftedSoftmaxCrossEntropy(ReadOnlySpan<double> logits, [NoGradient] ReadOnlySpan<double> target, [NoGradient] double shift)
    {
        double total = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            total += Math.Exp(logits[j] - shift);
        }

        double logSumExp = shift + Math.Log(total);
        double loss = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            loss += target[i] * (logSumExp - logits[i]);
        }

        return loss;
    }

    /// <summary>Softmax cross-entropy on logits, stabilised by the largest logit.</summary>
    /// <param name="logits">The outputs before the softmax.</param>
    /// <param name="target">Class probabilities (a one-hot row for a label).</param>
    /// <returns>The loss.</returns>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<double> logits, ReadOnlySpan<double> target) =>
        ShiftedSoftmaxCrossEntropy(logits, target, Max(logits));

    /// <summary>The value of <see cref="SoftmaxCrossEntropy"/> and its gradient, through the generated gradient.</summary>
    /// <param name="logits">The outputs before the softmax.</param>
    /// <param name="target">Class probabilities.</param>
    /// <param name="dLogits">Overwritten with ∂loss/∂logits.</param>
    /// <returns>The loss.</returns>
    public static double SoftmaxCrossEntropyGradient(ReadOnlySpan<double> logits, ReadOnlySpan<double> target, Span<double> dLogits) =>
        ShiftedSoftmaxCrossEntropyGradient(logits, target, Max(logits), dLogits);

    /// <summary>The gradient of <see cref="SoftmaxCrossEntropy"/>, through the generated pullback.</summary>
    /// <param name="logits">The outputs before the softmax.</param>
    /// <param name="target">Class probabilities.</param>
    /// <param name="seed">The adjoint of the loss.</param>
    /// <param name="dLogits">Accumulates seed · ∂loss/∂logits.</param>
    public static void SoftmaxCrossEntropyBackward(ReadOnlySpan<double> logits, ReadOnlySpan<double> target, double seed, Span<double> dLogits) =>
        ShiftedSoftmaxCrossEntropyBackward(logits, target, Max(logits), seed, dLogits);

    private static double Max(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }
}
