using System;
using System.Numerics;

namespace SymDiff.Nn;

/// <summary>
/// A fully connected layer a = σ(z), z = W·x + b, over a mini-batch: rows of the input, Z and A
/// are examples (row-major), W is <see cref="Outputs"/> × <see cref="Inputs"/> (row-major, like
/// PyTorch's <c>nn.Linear</c>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DenseLayer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] z = [];
    private T[] a = [];
    private T[] dZ = [];
    private T[] dInput = [];
    private T[] dACopy = [];
    private RowJob? rowJob;

    /// <summary>Creates a layer with zero weights.</summary>
    /// <param name="inputs">Inputs per example.</param>
    /// <param name="outputs">Outputs per example.</param>
    /// <param name="activation">σ.</param>
    public DenseLayer(int inputs, int outputs, Activation activation)
    {
        if (inputs <= 0 || outputs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputs), "A layer needs at least one input and one output.");
        }

        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        Weights = new T[outputs * inputs];
        Bias = new T[outputs];
        WeightGradient = new T[outputs * inputs];
        BiasGradient = new T[outputs];
    }

    /// <summary>Inputs per example.</summary>
    public int Inputs { get; }

    /// <summary>Outputs per example.</summary>
    public int Outputs { get; }

    /// <summary>σ.</summary>
    public Activation Activation { get; }

    /// <summary>W, <see cref="Outputs"/> rows of <see cref="Inputs"/>.</summary>
    public T[] Weights { get; }

    /// <summary>b.</summary>
    public T[] Bias { get; }

    /// <summary>∂L/∂W after <see cref="Backward(T[], ReadOnlySpan{T}, bool)"/>.</summary>
    public T[] WeightGradient { get; }

    /// <summary>∂L/∂b after <see cref="Backward(T[], ReadOnlySpan{T}, bool)"/>.</summary>
    public T[] BiasGradient { get; }

    /// <summary>The pre-activations of the last forward pass, one row per example.</summary>
    public ReadOnlySpan<T> Z => z.AsSpan(0, Rows * Outputs);

    /// <summary>The activations of the last forward pass, one row per example.</summary>
    public ReadOnlySpan<T> A => a.AsSpan(0, Rows * Outputs);

    /// <summary>The activation buffer (its first <see cref="Rows"/> rows are <see cref="A"/>), the next layer's input.</summary>
    internal T[] Output => a;

    /// <summary>The number of examples in the last forward pass.</summary>
    public int Rows { get; private set; }

    /// <summary>Z = X·Wᵀ + b, A = σ(Z) for <paramref name="rows"/> examples.</summary>
    /// <param name="input">The examples, <paramref name="rows"/> × <see cref="Inputs"/>.</param>
    /// <param name="rows">The batch size.</param>
    /// <returns>A, valid until the next forward pass.</returns>
    public T[] Forward(T[] input, int rows)
    {
        Rows = rows;
        Vectors.Grow(ref z, rows * Outputs);
        Vectors.Grow(ref a, rows * Outputs);
        Gemm.Multiply(rows, Outputs, Inputs, input, Layout.RowMajor(Inputs), Weights, Layout.Transposed(Inputs), z, accumulate: false);
        RunRows(forward: true, []);
        return a;
    }

    /// <summary>
    /// The backward pass in matrix form: dZ = dA ⊙ σ′(Z), ∂L/∂W = dZᵀ·X, ∂L/∂b = Σ rows of dZ,
    /// and (unless <paramref name="needInputGradient"/> is false) ∂L/∂X = dZ·W.
    /// </summary>
    /// <param name="input">The input of the forward pass.</param>
    /// <param name="dA">∂L/∂A.</param>
    /// <param name="needInputGradient">Whether to compute ∂L/∂X (not needed for the first layer).</param>
    /// <returns>∂L/∂X (valid until the next backward pass), or null.</returns>
    public T[]? Backward(T[] input, ReadOnlySpan<T> dA, bool needInputGradient)
    {
        int count = Rows * Outputs;
        if (dA.Length < count)
        {
            throw new ArgumentException($"dA needs {count} values, not {dA.Length}.", nameof(dA));
        }

        Vectors.Grow(ref dACopy, count);
        dA.Slice(0, count).CopyTo(dACopy);
        return Backward(input, dACopy, needInputGradient);
    }

    /// <summary><see cref="Backward(T[], ReadOnlySpan{T}, bool)"/> on an array the threads can share without a copy.</summary>
    /// <param name="input">The input of the forward pass.</param>
    /// <param name="dA">∂L/∂A, at least <see cref="Rows"/> × <see cref="Outputs"/> values.</param>
    /// <param name="needInputGradient">Whether to compute ∂L/∂X.</param>
    /// <returns>∂L/∂X, or null.</returns>
    internal T[]? Backward(T[] input, T[] dA, bool needInputGradient)
    {
        int rows = Rows;
        Vectors.Grow(ref dZ, rows * Outputs);
        RunRows(forward: false, dA);
        Gemm.Multiply(Outputs, Inputs, rows, dZ, Layout.Transposed(Outputs), input, Layout.RowMajor(Inputs), WeightGradient, accumulate: false);
        BiasGradient.AsSpan().Clear();
        for (int r = 0; r < rows; r++)
        {
            Vectors.Add(BiasGradient, dZ.AsSpan(r * Outputs, Outputs));
        }

        if (!needInputGradient)
        {
            return null;
        }

        Vectors.Grow(ref dInput, rows * Inputs);
        Gemm.Multiply(rows, Inputs, Outputs, dZ, Layout.RowMajor(Outputs), Weights, Layout.RowMajor(Inputs), dInput, accumulate: false);
        return dInput;
    }

    // The element-wise passes, by chunks of rows: forward Z += b, A = σ(Z); backward dZ = dA ⊙ σ′(Z).
    // Rows are independent, so a large batch is shared between threads with identical results.
    private void RunRows(bool forward, T[] dA)
    {
        rowJob ??= new RowJob(this);
        rowJob.Forward = forward;
        rowJob.DA = dA;
        rowJob.RowsPerChunk = Math.Max(1, 2048 / Outputs);
        Workers.Run(rowJob, (Rows + rowJob.RowsPerChunk - 1) / rowJob.RowsPerChunk, Workers.Parts((long)Rows * Outputs, 16 * 1024));
        rowJob.DA = [];
    }

    private void ElementWise(bool forward, ReadOnlySpan<T> dA, int from, int to)
    {
        int at = from * Outputs, count = (to - from) * Outputs;
        if (forward)
        {
            for (int r = from; r < to; r++)
            {
                Vectors.Add(z.AsSpan(r * Outputs, Outputs), Bias);
            }

            ActivationLayer.Forward<T>(Activation, z.AsSpan(at, count), a.AsSpan(at, count));
        }
        else
        {
            ActivationLayer.Backward<T>(Activation, z.AsSpan(at, count), dA.Slice(at, count), dZ.AsSpan(at, count));
        }
    }

    private sealed class RowJob(DenseLayer<T> layer) : IParallelWork
    {
        public bool Forward { get; set; }

        public T[] DA { get; set; } = [];

        public int RowsPerChunk { get; set; } = 1;

        public void Execute(int chunk)
        {
            int from = chunk * RowsPerChunk;
            layer.ElementWise(Forward, DA, from, Math.Min(layer.Rows, from + RowsPerChunk));
        }
    }
}

/// <summary>Element-wise span arithmetic with <see cref="Vector{T}"/>, and the reused buffers it works in.</summary>
internal static class Vectors
{
    /// <summary>Replaces <paramref name="buffer"/> with a larger array if it holds fewer than <paramref name="length"/> values (contents are not kept).</summary>
    public static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }

    /// <summary>x += y.</summary>
    public static void Add<T>(Span<T> x, ReadOnlySpan<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (new Vector<T>(x.Slice(i)) + new Vector<T>(y.Slice(i))).CopyTo(x.Slice(i));
            }
        }

        for (; i < x.Length; i++)
        {
            x[i] += y[i];
        }
    }

    /// <summary>Σ xᵢ², in double.</summary>
    public static double SumOfSquares<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double sum = 0;
        foreach (T v in x)
        {
            double d = double.CreateTruncating(v);
            sum += d * d;
        }

        return sum;
    }
}
