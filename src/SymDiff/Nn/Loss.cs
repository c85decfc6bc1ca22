using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SymDiff.Nn;

/// <summary>The training objective.</summary>
public enum Loss
{
    /// <summary>Mean of (p − t)² over every output of every example (PyTorch's <c>MSELoss</c>).</summary>
    MeanSquaredError,

    /// <summary>½·Σ (p − t)² per example, averaged over the batch.</summary>
    HalfSquaredError,

    /// <summary>Σ (p − t)² per example, averaged over the batch.</summary>
    SumSquaredError,

    /// <summary>Binary cross-entropy on logits, averaged over every output of every example.</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary>Softmax cross-entropy on logits per example (targets are class probabilities), averaged over the batch.</summary>
    SoftmaxCrossEntropy,
}

/// <summary>Evaluates a <see cref="Loss"/> over a batch and its gradient, through the generated methods of <see cref="Losses"/>.</summary>
public static class LossFunction
{
    [ThreadStatic]
    private static double[]? scratch;

    /// <summary>The loss of a batch and ∂loss/∂prediction.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="loss">The objective.</param>
    /// <param name="prediction">The outputs, <paramref name="batch"/> rows, row-major.</param>
    /// <param name="target">The targets, shaped like <paramref name="prediction"/>.</param>
    /// <param name="batch">The number of examples.</param>
    /// <param name="dPrediction">Receives the gradient (overwritten); empty to skip it.</param>
    /// <returns>The loss.</returns>
    public static double Compute<T>(Loss loss, ReadOnlySpan<T> prediction, ReadOnlySpan<T> target, int batch, Span<T> dPrediction)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (prediction.Length != target.Length || batch <= 0 || prediction.Length % batch != 0)
        {
            throw new ArgumentException($"Prediction ({prediction.Length}) and target ({target.Length}) must both hold {batch} rows of the same width.");
        }

        int n = prediction.Length;
        int width = n / batch;
        bool wantGradient = !dPrediction.IsEmpty;
        if (scratch is null || scratch.Length < 3 * n)
        {
            scratch = new double[3 * n];
        }

        Span<double> p = Widen(prediction, scratch.AsSpan(0, n));
        Span<double> t = Widen(target, scratch.AsSpan(n, n));
        Span<double> g = scratch.AsSpan(2 * n, n);
        double value = 0;
        switch (loss)
        {
            case Loss.MeanSquaredError:
                value = wantGradient ? Losses.MeanSquaredErrorGradient(p, t, g) : Losses.MeanSquaredError(p, t);
                break;
            case Loss.BinaryCrossEntropyWithLogits:
                value = wantGradient ? Losses.BinaryCrossEntropyWithLogitsGradient(p, t, g) : Losses.BinaryCrossEntropyWithLogits(p, t);
                break;
            default:
                // Per-example losses, averaged: each row's gradient is scaled by 1/batch.
                double scale = 1.0 / batch;
                for (int r = 0; r < batch; r++)
                {
                    ReadOnlySpan<double> pr = p.Slice(r * width, width), tr = t.Slice(r * width, width);
                    value += scale * (wantGradient ? RowGradient(loss, pr, tr, g.Slice(r * width, width)) : Row(loss, pr, tr));
                }

                if (wantGradient)
                {
                    for (int i = 0; i < n; i++)
                    {
                        g[i] *= scale;
                    }
                }

                break;
        }

        if (wantGradient)
        {
            for (int i = 0; i < n; i++)
            {
                dPrediction[i] = T.CreateTruncating(g[i]);
            }
        }

        return value;
    }

    private static double Row(Loss loss, ReadOnlySpan<double> p, ReadOnlySpan<double> t) => loss switch
    {
        Loss.HalfSquaredError => Losses.HalfSquaredError(p, t),
        Loss.SumSquaredError => Losses.SumSquaredError(p, t),
        Loss.SoftmaxCrossEntropy => Losses.SoftmaxCrossEntropy(p, t),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };

    // The row's loss, with its gradient written into g, in one pass through the generated Gradient.
    private static double RowGradient(Loss loss, ReadOnlySpan<double> p, ReadOnlySpan<double> t, Span<double> g) => loss switch
    {
        Loss.HalfSquaredError => Losses.HalfSquaredErrorGradient(p, t, g),
        Loss.SumSquaredError => Losses.SumSquaredErrorGradient(p, t, g),
        Loss.SoftmaxCrossEntropy => Losses.SoftmaxCrossEntropyGradient(p, t, g),
        _ => throw new ArgumentOutOfRangeException(nameof(loss)),
    };

    private static Span<double> Widen<T>(ReadOnlySpan<T> values, Span<double> into)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            MemoryMarshal.Cast<T, double>(values).CopyTo(into);
            return into;
        }

        for (int i = 0; i < values.Length; i++)
        {
            into[i] = double.CreateTruncating(values[i]);
        }

        return into;
    }
}
