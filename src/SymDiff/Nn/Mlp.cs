using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;

namespace SymDiff.Nn;

/// <summary>
/// One trainable array and its gradient, named for messages and model files (<c>layer 2
/// weights</c>, or a name of your own: <c>new Parameter&lt;double&gt;("kernel", kernel, dKernel)</c>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Name">A readable name, unique within a model.</param>
/// <param name="Layer">The 1-based layer of an <see cref="Mlp{T}"/> the parameter belongs to; 0 for a parameter of your own model.</param>
/// <param name="Value">The values, updated in place by an optimizer.</param>
/// <param name="Gradient">∂L/∂value after a backward pass, as long as <paramref name="Value"/>.</param>
public sealed record Parameter<T>(string Name, int Layer, T[] Value, T[] Gradient)
{
    /// <summary>A parameter of your own model: <paramref name="value"/> and its gradient array, of the same length.</summary>
    /// <param name="name">A readable name, unique within the model.</param>
    /// <param name="value">The values, updated in place by an optimizer.</param>
    /// <param name="gradient">Where the model's gradient function writes ∂L/∂value.</param>
    /// <exception cref="ArgumentException">The arrays differ in length, or the name is empty.</exception>
    public Parameter(string name, T[] value, T[] gradient)
        : this(name, 0, value, gradient)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(gradient);
        if (value.Length != gradient.Length)
        {
            throw new ArgumentException($"'{name}' has {value.Length} values but {gradient.Length} gradient entries; they must be as long.", nameof(gradient));
        }
    }

    /// <summary>
    /// A scalar parameter (a bias, a rate constant) as a one-element array: read and write it as
    /// <c>Value[0]</c>, its gradient as <c>Gradient[0]</c>.
    /// </summary>
    /// <param name="name">A readable name, unique within the model.</param>
    /// <param name="initial">The starting value.</param>
    /// <returns>The parameter.</returns>
    public static Parameter<T> Scalar(string name, T initial) => new(name, [initial], new T[1]);
}

/// <summary>
/// A multi-layer perceptron: dense layers with an activation each, sizes chosen at run time.
/// Forward and backward work on whole mini-batches in matrix form; every activation and loss
/// derivative comes from code SymDiff generated.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Mlp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseLayer<T>[] layers;
    private T[] input = [];
    private T[] source = [];
    private T[] dOutput = [];
    private T[] dOutputByUnit = [];
    private T[] targetCopy = [];
    private (Optimizer<T>? Optimizer, LayerUpdate[] Layers) updates = (null, []);

    /// <summary>A network with zero weights: <paramref name="sizes"/> are the widths from input to output, one activation per layer.</summary>
    /// <param name="sizes">Input width, hidden widths, output width (at least two entries).</param>
    /// <param name="activations">One activation per layer: <c>sizes.Length − 1</c> of them.</param>
    public Mlp(IReadOnlyList<int> sizes, IReadOnlyList<Activation> activations)
    {
        if (sizes.Count < 2)
        {
            throw new ArgumentException("An MLP needs an input size and at least one layer.", nameof(sizes));
        }

        if (activations.Count != sizes.Count - 1)
        {
            throw new ArgumentException($"{sizes.Count - 1} layers need {sizes.Count - 1} activations, not {activations.Count}.", nameof(activations));
        }

        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException("Mlp supports float and double.");
        }

        for (int i = 0; i < sizes.Count; i++)
        {
            if (sizes[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(sizes), sizes[i], $"Size {i} is {sizes[i]}; every width must be at least 1.");
            }
        }

        for (int l = 0; l < activations.Count; l++)
        {
            if (!Enum.IsDefined(activations[l]))
            {
                throw new ArgumentOutOfRangeException(nameof(activations), activations[l], $"The activation of layer {l + 1} is {(int)activations[l]}, which is not an Activation value.");
            }
        }

        layers = Enumerable.Range(0, sizes.Count - 1).Select(l => new DenseLayer<T>(sizes[l], sizes[l + 1], activations[l])).ToArray();
        Sizes = sizes.ToArray();
        Parameters = layers.SelectMany((layer, l) => new[]
        {
            new Parameter<T>($"layer {l + 1} weights", l + 1, layer.Weights, layer.WeightGradient),
            new Parameter<T>($"layer {l + 1} biases", l + 1, layer.Bias, layer.BiasGradient),
        }).ToArray();
    }

    /// <summary>
    /// A network whose hidden layers use <paramref name="hidden"/> and whose output layer uses
    /// <paramref name="output"/>, initialised from <paramref name="seed"/> (He for the ReLU
    /// family, Xavier otherwise, unless <paramref name="initializer"/> says).
    /// </summary>
    /// <param name="sizes">Input width, hidden widths, output width.</param>
    /// <param name="hidden">The hidden layers' activation.</param>
    /// <param name="output">The output layer's activation.</param>
    /// <param name="seed">The seed: equal seeds give bit-identical weights.</param>
    /// <param name="initializer">The weight scheme, or null for the usual one per activation.</param>
    /// <returns>The network.</returns>
    public static Mlp<T> Create(IReadOnlyList<int> sizes, Activation hidden, Activation output, ulong seed, Initializer? initializer = null)
    {
        var activations = Enumerable.Range(0, sizes.Count - 1).Select(l => l == sizes.Count - 2 ? output : hidden).ToArray();
        var mlp = new Mlp<T>(sizes, activations);
        mlp.Initialize(seed, initializer);
        return mlp;
    }

    /// <summary>Widths from input to output.</summary>
    public IReadOnlyList<int> Sizes { get; }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<DenseLayer<T>> Layers => layers;

    /// <summary>Weights and biases of every layer with their gradients, in layer order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters { get; }

    /// <summary>The number of trainable values.</summary>
    public int ParameterCount => Parameters.Sum(p => p.Value.Length);

    /// <summary>Re-initialises every weight from <paramref name="seed"/> and zeroes the biases.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="initializer">The scheme, or null for the usual one per activation.</param>
    public void Initialize(ulong seed, Initializer? initializer = null)
    {
        var random = new SeededRandom(seed);
        foreach (DenseLayer<T> layer in layers)
        {
            WeightInit.Fill<T>(initializer ?? WeightInit.For(layer.Activation), layer.Weights, layer.Inputs, layer.Outputs, random);
            layer.Bias.AsSpan().Clear();
        }
    }

    /// <summary>The outputs for <paramref name="rows"/> examples.</summary>
    /// <param name="inputs">The examples, <paramref name="rows"/> × input width, row-major.</param>
    /// <param name="rows">The batch size.</param>
    /// <returns>The outputs, <paramref name="rows"/> × output width, valid until the next forward pass.</returns>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> inputs, int rows) => Run(CopyInputs(inputs, rows), rows);

    /// <summary>Back-propagates ∂L/∂output of the last forward pass into every <see cref="Parameter{T}.Gradient"/> (overwritten).</summary>
    /// <param name="dOutputs">∂L/∂output, shaped like the output.</param>
    public void Backward(ReadOnlySpan<T> dOutputs)
    {
        int count = layers[^1].Rows * Sizes[^1];
        if (dOutputs.Length < count)
        {
            throw new ArgumentException($"The output has {count} values, but dOutputs has {dOutputs.Length}.", nameof(dOutputs));
        }

        Vectors.Grow(ref dOutput, count);
        dOutputs.Slice(0, count).CopyTo(dOutput);
        BackwardFrom(dOutput);
    }

    /// <summary>One forward and backward pass: the batch's loss, with every gradient filled in.</summary>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <returns>The loss.</returns>
    public double ComputeGradients(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int rows, Loss loss) =>
        Train(CopyInputs(inputs, rows), rows, targets, null, loss);

    /// <summary>
    /// <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Loss)"/> on arrays: the
    /// network reads <paramref name="inputs"/> in place instead of copying them, which saves the
    /// copy and, with several threads, keeps the examples in every core's cache. A later
    /// <see cref="Backward"/> without a new forward pass reads the same array.
    /// </summary>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <returns>The loss.</returns>
    public double ComputeGradients(T[] inputs, T[] targets, int rows, Loss loss)
    {
        RequireInputs(inputs.Length, rows);
        return Train(inputs, rows, targets, targets, loss);
    }

    /// <summary>
    /// One training step: <see cref="ComputeGradients(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Loss)"/>
    /// and then <paramref name="optimizer"/>'s <see cref="Optimizer{T}.Step"/>, with the same
    /// parameters, optimizer state and gradients after it, bit for bit. Each layer's parameters
    /// are updated as soon as nothing else in the step reads them, by the thread whose cache
    /// holds them: in the first layer each band of weights just after its gradient was computed,
    /// in a small output layer over a wide hidden one each block of columns inside the layer's
    /// parallel job (see <see cref="DenseLayer{T}.ParameterUpdate"/>). Use the two calls instead
    /// when the gradients must be looked at (or clipped) before the update.
    /// </summary>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="optimizer">An optimizer of this network's parameters (of all or some of them).</param>
    /// <returns>The loss before the update.</returns>
    public double TrainStep(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int rows, Loss loss, Optimizer<T> optimizer)
    {
        T[] x = CopyInputs(inputs, rows);
        return Step(x, rows, targets, null, loss, optimizer);
    }

    /// <summary>
    /// <see cref="TrainStep(ReadOnlySpan{T}, ReadOnlySpan{T}, int, Loss, Optimizer{T})"/> on
    /// arrays, read in place as <see cref="ComputeGradients(T[], T[], int, Loss)"/> reads them.
    /// </summary>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="optimizer">An optimizer of this network's parameters (of all or some of them).</param>
    /// <returns>The loss before the update.</returns>
    public double TrainStep(T[] inputs, T[] targets, int rows, Loss loss, Optimizer<T> optimizer)
    {
        RequireInputs(inputs.Length, rows);
        return Step(inputs, rows, targets, targets, loss, optimizer);
    }

    private double Step(T[] x, int rows, ReadOnlySpan<T> targets, T[]? targetArray, Loss loss, Optimizer<T> optimizer)
    {
        // Everything is checked before the optimizer counts the step: a refused call changes nothing.
        ArgumentNullException.ThrowIfNull(optimizer);
        RequireRows(targets.Length, rows, Sizes[^1], nameof(targets));
        RequireLoss(loss);
        LayerUpdate[] layerUpdates = UpdatesBy(optimizer);
        optimizer.StartStep();
        for (int l = 0; l < layers.Length; l++)
        {
            layers[l].ParameterUpdate = layerUpdates[l];
        }

        try
        {
            return Train(x, rows, targets, targetArray, loss);
        }
        finally
        {
            foreach (DenseLayer<T> layer in layers)
            {
                layer.ParameterUpdate = null;
            }
        }
    }

    // Which of each layer's parameters `optimizer` updates, and where they are in its list:
    // worked out once per optimizer (in a method of its own, whose lambda would otherwise cost
    // an allocation on every call).
    private LayerUpdate[] UpdatesBy(Optimizer<T> optimizer)
    {
        if (!ReferenceEquals(updates.Optimizer, optimizer))
        {
            updates = (optimizer, LayerUpdates(optimizer));
        }

        return updates.Layers;
    }

    private LayerUpdate[] LayerUpdates(Optimizer<T> optimizer)
    {
        int[] positions = optimizer.PositionsIn(Parameters, "this network's", "TrainStep needs an optimizer of this network's parameters");
        int[] index = new int[Parameters.Count];
        Array.Fill(index, -1);
        for (int i = 0; i < positions.Length; i++)
        {
            index[positions[i]] = i;
        }

        return layers.Select((layer, l) => new LayerUpdate(optimizer, index[2 * l], index[2 * l + 1], layer.Inputs, layer.Outputs)).ToArray();
    }

    // A forward and backward pass reading the batch in place from `x`; `targetArray`, when not
    // null, holds `targets` (the output layer's threads then read it in place too).
    private double Train(T[] x, int rows, ReadOnlySpan<T> targets, T[]? targetArray, Loss loss)
    {
        DenseLayer<T> last = layers[^1];
        if (layers.Length == 1 || !last.TrainsInBlocks(rows))
        {
            return Gradients(Run(x, rows), targets, rows, loss);
        }

        // A small output layer over a wide hidden one (784-256-10): its forward pass, the loss
        // and its backward pass are one job of the hidden layer's threads (see DenseLayer.TrainOutput).
        x = ForwardThrough(x, rows, layers.Length - 1);
        int count = rows * last.Outputs;
        ReadOnlySpan<T> batchTargets = targets.Slice(0, count);
        if (targetArray is null)
        {
            Vectors.Grow(ref targetCopy, count);
            batchTargets.CopyTo(targetCopy);
        }

        (double value, T[] dA) = last.TrainOutput(x, rows, loss, targetArray ?? targetCopy);
        BackwardThrough(layers.Length - 2, dA);
        return value;
    }

    // The batch copied into the network's own input buffer.
    private T[] CopyInputs(ReadOnlySpan<T> inputs, int rows)
    {
        RequireInputs(inputs.Length, rows);
        Vectors.Grow(ref input, rows * Sizes[0]);
        inputs.Slice(0, rows * Sizes[0]).CopyTo(input);
        return input;
    }

    private static void RequireLoss(Loss loss)
    {
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, $"{(int)loss} is not a Loss value.");
        }
    }

    private void RequireInputs(int length, int rows) => RequireRows(length, rows, Sizes[0], "inputs");

    // That `length` values hold `rows` examples of `width` values each.
    private static void RequireRows(int length, int rows, int width, string parameter)
    {
        Require.AtLeast(rows, 1, nameof(rows), "the batch size");
        if (length < (long)rows * width)
        {
            throw new ArgumentException($"{rows} examples of width {width} need {(long)rows * width} values in {parameter}, not {length}.", parameter);
        }
    }

    private ReadOnlySpan<T> Run(T[] x, int rows)
    {
        ForwardThrough(x, rows, layers.Length);
        return layers[^1].A;
    }

    // The first `count` layers' forward passes from the batch `x`; the last one's A, unit by unit.
    private T[] ForwardThrough(T[] x, int rows, int count)
    {
        source = x;
        for (int l = 0; l < count; l++)
        {
            x = layers[l].Forward(x, byUnit: l > 0, rows);
        }

        return x;
    }

    private double Gradients(ReadOnlySpan<T> output, ReadOnlySpan<T> targets, int rows, Loss loss)
    {
        Vectors.Grow(ref dOutput, output.Length);
        double value = LossFunction.Compute(loss, output, targets.Slice(0, output.Length), rows, dOutput.AsSpan(0, output.Length));
        BackwardFrom(dOutput);
        return value;
    }

    // The layers pass arrays down, unit by unit (see DenseLayer), so the threads of a layer share
    // them without copies.
    private void BackwardFrom(T[] dOut)
    {
        DenseLayer<T> last = layers[^1];
        BackwardThrough(layers.Length - 1, Vectors.Transpose<T>(dOut, last.Rows, last.Outputs, ref dOutputByUnit));
    }

    // Layers `top` down to the first, from ∂L/∂A of layer `top`, unit by unit.
    private void BackwardThrough(int top, T[] dOut)
    {
        T[]? dA = dOut;
        for (int l = top; l >= 0; l--)
        {
            T[] x = l == 0 ? source : layers[l - 1].Output;
            dA = layers[l].Backward(x, byUnit: l > 0, dA!, needInputGradient: l > 0);
        }
    }

    /// <summary>The loss of a batch without gradients.</summary>
    /// <param name="inputs">The examples.</param>
    /// <param name="targets">Their targets.</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <returns>The loss.</returns>
    public double Evaluate(ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int rows, Loss loss)
    {
        ReadOnlySpan<T> output = Forward(inputs, rows);
        return LossFunction.Compute<T>(loss, output, targets.Slice(0, output.Length), rows, default);
    }

    // One layer's parameters as the optimizer updates them (index −1: not updated).
    private sealed class LayerUpdate(Optimizer<T> optimizer, int weights, int biases, int inputs, int outputs) : IUnitUpdate
    {
        public void Units(int start, int end)
        {
            if (weights >= 0)
            {
                optimizer.UpdateRange(weights, start * inputs, end * inputs);
            }

            if (biases >= 0)
            {
                optimizer.UpdateRange(biases, start, end);
            }
        }

        public void Inputs(int start, int end)
        {
            for (int o = 0; weights >= 0 && o < outputs; o++)
            {
                optimizer.UpdateRange(weights, (o * inputs) + start, (o * inputs) + end);
            }
        }

        public void Bias()
        {
            if (biases >= 0)
            {
                optimizer.UpdateRange(biases, 0, outputs);
            }
        }

        public void All()
        {
            if (weights >= 0)
            {
                optimizer.UpdateWhole(weights);
            }

            if (biases >= 0)
            {
                optimizer.UpdateWhole(biases);
            }
        }
    }
}
