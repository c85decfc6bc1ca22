using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SymDiff.Nn;

/// <summary>
/// A fully connected layer a = σ(z), z = W·x + b, over a mini-batch. W is <see cref="Outputs"/> ×
/// <see cref="Inputs"/> (row-major, like PyTorch's <c>nn.Linear</c>). The public methods and
/// properties take and give examples as rows (row-major, one row per example).
/// <para>
/// Inside, Z, A and dZ are kept unit by unit: row o holds unit o's values for every example of the
/// batch (<see cref="Outputs"/> × <see cref="Rows"/>), and <see cref="Mlp{T}"/> passes the layers
/// their inputs and ∂L/∂A that way too. Then everything a unit needs is one contiguous run, so the
/// threads share a layer by bands of units and each finds its band in its own cache from the
/// forward product to the optimizer: the forward product computes the band's rows of Z, the
/// element-wise passes work on them, the ∂L/∂W product reads them in place and writes the band's
/// rows of ∂L/∂W, and the optimizer updates the rows of W that the next forward product reads.
/// Kept example by example, Z came out of the product in bands of columns while the element-wise
/// passes, which need whole rows, took bands of rows: on the 2-vCPU VM of bench/RESULTS.md the data
/// crossing the cores cost more than the passes themselves.
/// </para>
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class DenseLayer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[] z = [];
    private T[] a = [];
    private T[] dZ = [];
    private T[] dInput = [];
    private T[] dInputExamples = [];
    private T[] dAByUnit = [];
    private T[] zExamples = [];
    private T[] aExamples = [];
    private T[][] partials = [];
    private UnitJob? unitJob;
    private InputBlockJob? blockJob;
    private OutputStep? outputStep;

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

        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"{(int)activation} is not an Activation value.");
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

    /// <summary>The pre-activations of the last forward pass, one row per example (a copy made on each read).</summary>
    public ReadOnlySpan<T> Z => ByExample(z, ref zExamples);

    /// <summary>The activations of the last forward pass, one row per example (a copy made on each read).</summary>
    public ReadOnlySpan<T> A => ByExample(a, ref aExamples);

    /// <summary>The activations unit by unit (<see cref="Outputs"/> × <see cref="Rows"/>), the next layer's input.</summary>
    internal T[] Output => a;

    /// <summary>The number of examples in the last forward pass.</summary>
    public int Rows { get; private set; }

    /// <summary>Z = X·Wᵀ + b, A = σ(Z) for <paramref name="rows"/> examples.</summary>
    /// <param name="input">The examples, <paramref name="rows"/> × <see cref="Inputs"/>.</param>
    /// <param name="rows">The batch size.</param>
    /// <returns>A, one row per example, valid until the next forward pass.</returns>
    public T[] Forward(T[] input, int rows)
    {
        ArgumentNullException.ThrowIfNull(input);
        RequireExamples(input.Length, rows);
        Forward(input, byUnit: false, rows);
        return Vectors.Transpose<T>(a, Outputs, rows, ref aExamples);
    }

    private void RequireExamples(int length, int rows)
    {
        Require.AtLeast(rows, 1, nameof(rows), "the batch size");
        if (length < (long)rows * Inputs)
        {
            throw new ArgumentException($"{rows} examples of {Inputs} inputs need {(long)rows * Inputs} values in input, not {length}.", "input");
        }
    }

    /// <summary>Z = W·X + b, A = σ(Z), kept unit by unit.</summary>
    /// <param name="input">The input: one row per example, or (<paramref name="byUnit"/>) one row per input unit.</param>
    /// <param name="byUnit">How <paramref name="input"/> is laid out.</param>
    /// <param name="rows">The batch size.</param>
    /// <returns>A, unit by unit.</returns>
    internal T[] Forward(T[] input, bool byUnit, int rows)
    {
        Rows = rows;
        Vectors.Grow(ref z, rows * Outputs);
        Vectors.Grow(ref a, rows * Outputs);
        int blocks = byUnit ? InputBlocks(rows) : 1;
        if (blocks > 1)
        {
            ForwardByInputBlocks(input, rows, blocks);
        }
        else
        {
            Layout xLayout = byUnit ? Layout.RowMajor(rows) : Layout.Transposed(Inputs);
            GemmSplit split = UnitBands(Outputs, rows, Inputs) ?? Gemm.Split<T>(Outputs, rows, Inputs, Layout.RowMajor(Inputs), xLayout);
            UnitJob? units = WithProduct(split, forward: true, []);
            Gemm.Multiply(Outputs, rows, Inputs, Weights, Layout.RowMajor(Inputs), input, xLayout, z, accumulate: false, split, units);
            if (units is not null)
            {
                return a;
            }
        }

        RunUnits(forward: true, []);
        return a;
    }

    // A small product over a wide layer's units (a 10-output layer over 256 hidden units) reads
    // every row of X, which the previous layer's threads made in bands of units. Cut by those
    // units instead, each block of units is a product that one thread does on its own rows of X,
    // and the blocks' partial sums are added in order: one thread or several, the same sums. The
    // number of blocks depends on the sizes only, never on the threads.
    private int InputBlocks(int rows) =>
        (long)Outputs * rows * Inputs >= Gemm.ThreadWork ? 1 : (int)Math.Clamp((long)Inputs * rows / (16 * 1024), 1, Math.Max(1, Inputs / 8));

    private void ForwardByInputBlocks(T[] input, int rows, int blocks)
    {
        GrowPartials(1, blocks, rows);
        blockJob ??= new InputBlockJob(this);
        (blockJob.Input, blockJob.Rows, blockJob.Blocks) = (input, rows, blocks);
        Workers.Run(blockJob, blocks, UnitThreads(Inputs, rows));
        blockJob.Input = [];
        AddPartials(z, blocks);
    }

    // Z's partial sum over the input units of block `block`, into `sum`.
    private void ForwardBlock(T[] input, int rows, int block, int blocks, T[] sum)
    {
        (int from, int to) = Gemm.Band(Inputs, block, blocks, 8);
        Gemm.Multiply(Outputs, rows, to - from, Weights, Layout.RowMajor(Inputs) with { Offset = from }, input, Layout.RowMajor(rows) with { Offset = from * rows },
            sum, accumulate: false, Gemm.RowBands(1));
    }

    // Room for the partial sums of blocks `first` … `blocks` − 1.
    private void GrowPartials(int first, int blocks, int rows)
    {
        if (partials.Length < blocks)
        {
            Array.Resize(ref partials, blocks);
        }

        for (int b = first; b < blocks; b++)
        {
            partials[b] ??= [];
            Vectors.Grow(ref partials[b], rows * Outputs);
        }
    }

    /// <summary>
    /// When set (by <see cref="Mlp{T}.TrainStep(T[], T[], int, Loss, Optimizer{T})"/>), the
    /// backward pass, or <see cref="TrainOutput"/>, also updates the layer's parameters once
    /// their gradients are final and nothing later in the pass reads them. Without ∂L/∂X (the
    /// first layer) and with ∂L/∂W's product cut into bands of units, each band's update follows
    /// its product on the same thread, while that band of ∂L/∂W is in the core's cache; in
    /// <see cref="TrainOutput"/>, each block of W's columns is updated after its ∂L/∂W and ∂L/∂X
    /// by the thread that made them; otherwise the whole update follows ∂L/∂X.
    /// </summary>
    internal IUnitUpdate? ParameterUpdate { get; set; }

    /// <summary>Whether <see cref="TrainOutput"/> applies: the layer's input is laid out unit by unit and its forward product is cut into blocks of input units.</summary>
    /// <param name="rows">The batch size.</param>
    internal bool TrainsInBlocks(int rows) => InputBlocks(rows) > 1;

    /// <summary>
    /// The output layer's share of a training step, for an input laid out unit by unit whose
    /// forward product is cut into blocks of input units (<see cref="TrainsInBlocks"/>): Z, A,
    /// the loss and its gradient, dZ, ∂L/∂b, ∂L/∂W and ∂L/∂X, in one parallel job of two
    /// phases (see <see cref="OutputStep"/>). The results are those of <see cref="Forward(T[], bool, int)"/>,
    /// <see cref="LossFunction.Compute"/> and <see cref="Backward(T[], bool, T[], bool)"/>, bit for bit.
    /// </summary>
    /// <param name="input">The input, unit by unit (<see cref="Inputs"/> × <paramref name="rows"/>).</param>
    /// <param name="rows">The batch size.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="targets">The targets, one row per example.</param>
    /// <returns>The loss, and ∂L/∂X unit by unit.</returns>
    internal (double Loss, T[] DInput) TrainOutput(T[] input, int rows, Loss loss, T[] targets)
    {
        Rows = rows;
        int blocks = InputBlocks(rows), count = rows * Outputs;
        Vectors.Grow(ref z, count);
        Vectors.Grow(ref a, count);
        Vectors.Grow(ref dZ, count);
        Vectors.Grow(ref dInput, rows * Inputs);
        GrowPartials(0, blocks, rows);
        int threads = UnitThreads(Inputs, rows);
        outputStep ??= new OutputStep(this);
        outputStep.Prepare(input, targets, loss, blocks, threads);
        try
        {
            Workers.Run(outputStep, blocks, blocks, threads);
            ParameterUpdate?.Bias();
            return (outputStep.Value, dInput);
        }
        finally
        {
            (outputStep.Input, outputStep.Targets) = ([], []);
        }
    }

    /// <summary>
    /// The backward pass in matrix form: dZ = dA ⊙ σ′(Z), ∂L/∂W = dZᵀ·X, ∂L/∂b = Σ rows of dZ,
    /// and (unless <paramref name="needInputGradient"/> is false) ∂L/∂X = dZ·W.
    /// </summary>
    /// <param name="input">The input of the forward pass, one row per example.</param>
    /// <param name="dA">∂L/∂A, one row per example.</param>
    /// <param name="needInputGradient">Whether to compute ∂L/∂X (not needed for the first layer).</param>
    /// <returns>∂L/∂X, one row per example (valid until the next backward pass), or null.</returns>
    public T[]? Backward(T[] input, ReadOnlySpan<T> dA, bool needInputGradient)
    {
        int count = Rows * Outputs;
        if (dA.Length < count)
        {
            throw new ArgumentException($"dA needs {count} values, not {dA.Length}.", nameof(dA));
        }

        ArgumentNullException.ThrowIfNull(input);
        RequireExamples(input.Length, Rows);

        T[]? dX = Backward(input, byUnit: false, Vectors.Transpose(dA, Rows, Outputs, ref dAByUnit), needInputGradient);
        return dX is null ? null : Vectors.Transpose<T>(dX, Inputs, Rows, ref dInputExamples);
    }

    /// <summary>The backward pass with ∂L/∂A and ∂L/∂X unit by unit.</summary>
    /// <param name="input">The input of the forward pass, laid out as it was then.</param>
    /// <param name="byUnit">How <paramref name="input"/> is laid out.</param>
    /// <param name="dA">∂L/∂A, <see cref="Outputs"/> × <see cref="Rows"/>.</param>
    /// <param name="needInputGradient">Whether to compute ∂L/∂X.</param>
    /// <returns>∂L/∂X unit by unit (<see cref="Inputs"/> × <see cref="Rows"/>), or null.</returns>
    internal T[]? Backward(T[] input, bool byUnit, T[] dA, bool needInputGradient)
    {
        int rows = Rows;
        Vectors.Grow(ref dZ, rows * Outputs);
        Layout xLayout = byUnit ? Layout.Transposed(rows) : Layout.RowMajor(Inputs);
        GemmSplit split = (byUnit ? InputBands(rows) : null) ?? Gemm.Split<T>(Outputs, Inputs, rows, Layout.RowMajor(rows), xLayout);
        UnitJob? units = WithProduct(split, forward: false, dA);
        if (units is null)
        {
            RunUnits(forward: false, dA);
        }

        // Without ∂L/∂X nothing reads W after ∂L/∂W's product, so each band's update can follow it
        // (UnitJob.AfterRows); otherwise the whole update follows ∂L/∂X.
        bool updateWithProduct = units is not null && !needInputGradient;
        if (updateWithProduct)
        {
            units!.Update = ParameterUpdate;
        }

        Gemm.Multiply(Outputs, Inputs, rows, dZ, Layout.RowMajor(rows), input, xLayout, WeightGradient, accumulate: false, split, units);
        if (units is not null)
        {
            (units.DA, units.Update) = ([], null);
        }

        if (needInputGradient)
        {
            Vectors.Grow(ref dInput, rows * Inputs);
            Gemm.Multiply(Inputs, rows, Outputs, Weights, Layout.Transposed(Inputs), dZ, Layout.RowMajor(rows), dInput, accumulate: false,
                UnitBands(Inputs, rows, Outputs));
        }

        if (!updateWithProduct)
        {
            ParameterUpdate?.All();
        }

        return needInputGradient ? dInput : null;
    }

    // The threads that share the element-wise passes of `units` units over `rows` examples, each
    // a band of whole units (RunUnits).
    private static int UnitThreads(int units, int rows) => Workers.Parts((long)units * rows, 16 * 1024);

    // A product whose result is `units` × `rows`, unit by unit, that is too small to share by
    // itself (a 10-output layer's ∂L/∂X over 256 hidden units) is still cut into the bands of
    // units the element-wise passes over that result use, so that each thread writes the units
    // it reads next; a larger product is cut as products are best cut (null).
    private static GemmSplit? UnitBands(int units, int rows, int k)
    {
        int threads = UnitThreads(units, rows);
        return threads > 1 && Workers.Parts((long)units * rows * k, Gemm.ThreadWork) == 1 ? Gemm.RowBands(threads) : null;
    }

    // ∂L/∂W's columns are the input units: a product too small to share by itself (a 10-output
    // layer over 256 hidden units) is still cut into the previous layer's bands of units, so that
    // each thread reads (and packs) the rows of X that its threads made.
    private GemmSplit? InputBands(int rows)
    {
        int threads = UnitThreads(Inputs, rows);
        return threads > 1 && Workers.Parts((long)Outputs * Inputs * rows, Gemm.ThreadWork) == 1 ? Gemm.ColumnBands<T>(threads) : null;
    }

    // The element-wise passes done by the product whose rows are the layer's units, band by band
    // (forward: after the product made Z's rows; backward: before ∂L/∂W's product reads dZ's),
    // when the product is shared by rows among at least as many threads as a pass of its own
    // would be: each thread then works on its rows while they are in its cache, and there is one
    // parallel region fewer to join. Null when the passes must run on their own.
    private UnitJob? WithProduct(GemmSplit split, bool forward, T[] dA)
    {
        return !split.ByRows || split.Threads < UnitThreads(Outputs, Rows) ? null : Units(forward, dA);
    }

    // The layer's job for its element-wise passes, set for one of them.
    private UnitJob Units(bool forward, T[] dA)
    {
        unitJob ??= new UnitJob(this);
        unitJob.Forward = forward;
        unitJob.DA = dA;
        return unitJob;
    }

    // The element-wise passes, by chunks of whole units: forward Z += b, A = σ(Z); backward
    // dZ = dA ⊙ σ′(Z) and ∂L/∂b. Units are independent, so threads share a large pass with
    // identical results.
    private void RunUnits(bool forward, T[] dA)
    {
        UnitJob units = Units(forward, dA);
        units.UnitsPerChunk = Math.Max(1, 2048 / Math.Max(1, Rows));
        Workers.Run(units, (Outputs + units.UnitsPerChunk - 1) / units.UnitsPerChunk, UnitThreads(Outputs, Rows));
        units.DA = [];
    }

    private void ElementWise(bool forward, ReadOnlySpan<T> dA, int from, int to)
    {
        if (forward)
        {
            Activate(z, a, from, to);
        }
        else
        {
            int at = from * Rows, count = (to - from) * Rows;
            ActivationLayer.Backward<T>(Activation, z.AsSpan(at, count), dA.Slice(at, count), dZ.AsSpan(at, count));
            SumBiasGradient(dZ, from, to);
        }
    }

    // Z += b, A = σ(Z) on units [from, to) of `z` and `a`, the layer's own or a thread's copies.
    private void Activate(T[] z, T[] a, int from, int to)
    {
        int rows = Rows, at = from * rows, count = (to - from) * rows;
        for (int o = from; o < to; o++)
        {
            Vectors.Add(z.AsSpan(o * rows, rows), Bias[o]);
        }

        ActivationLayer.Forward<T>(Activation, z.AsSpan(at, count), a.AsSpan(at, count));
    }

    // ∂L/∂b for units [from, to): each unit's row sum of `dZ`.
    private void SumBiasGradient(T[] dZ, int from, int to)
    {
        for (int o = from; o < to; o++)
        {
            BiasGradient[o] = Vectors.Sum<T>(dZ.AsSpan(o * Rows, Rows));
        }
    }

    // Z = the partial sums of the input blocks, added in block order, into `z` (which holds the
    // first block's already).
    private void AddPartials(T[] z, int blocks)
    {
        int count = Rows * Outputs;
        for (int b = 1; b < blocks; b++)
        {
            Vectors.Add(z.AsSpan(0, count), partials[b].AsSpan(0, count));
        }
    }

    // Values kept unit by unit, one row per example: a copy.
    private ReadOnlySpan<T> ByExample(T[] byUnit, ref T[] copy) =>
        Vectors.Transpose<T>(byUnit, Outputs, Rows, ref copy).AsSpan(0, Rows * Outputs);

    private sealed class InputBlockJob(DenseLayer<T> layer) : IParallelWork
    {
        public T[] Input { get; set; } = [];

        public int Rows { get; set; }

        public int Blocks { get; set; }

        public void Execute(int chunk) => layer.ForwardBlock(Input, Rows, chunk, Blocks, chunk == 0 ? layer.z : layer.partials[chunk]);
    }

    // The output layer's share of a training step (TrainOutput), in two phases over the blocks of
    // input units that the previous layer's threads made. First, block by block: Z's partial sum
    // over the block. Between, on every thread, its own copy of what needs all of Z and is small
    // (10 × 128 on 784-256-10): Z = the partial sums in block order + b, A = σ(Z), the loss and
    // ∂L/∂A, dZ = ∂L/∂A ⊙ σ′(Z). Second, block by block: the block's columns of ∂L/∂W = dZ·Xᵀ and
    // its rows of ∂L/∂X = Wᵀ·dZ, which the previous layer's backward pass reads on the same
    // thread. One fork and join instead of three parallel regions with a serial step between,
    // and only the partial sums cross between the cores. (On the 2-vCPU VM of bench/RESULTS.md
    // the job takes no less time on two threads than on one: each of its blocks runs at about half
    // its one-thread speed, and the block of ∂L/∂X's rows 128–255 at a third, on whichever thread
    // computes it, with copies of dZ and W of its own too; the cause is not found, see sessions 14
    // and 16 there.)
    private sealed class OutputStep(DenseLayer<T> layer) : IPhasedWork
    {
        private Copy[] copies = [];

        public T[] Input { get; set; } = [];

        public T[] Targets { get; set; } = [];

        public Loss Loss { get; private set; }

        public int Blocks { get; private set; }

        // The caller's loss (every thread computes the same).
        public double Value { get; private set; }

        // Set before the job starts: each thread then touches only its own copy.
        public void Prepare(T[] input, T[] targets, Loss loss, int blocks, int threads)
        {
            (Input, Targets, Loss, Blocks) = (input, targets, loss, blocks);
            if (copies.Length < threads)
            {
                Array.Resize(ref copies, threads);
            }

            for (int t = 0; t < threads; t++)
            {
                copies[t] ??= new Copy();
            }
        }

        public void First(int chunk) => layer.ForwardBlock(Input, layer.Rows, chunk, Blocks, layer.partials[chunk]);

        public void Between(int thread)
        {
            int rows = layer.Rows, count = rows * layer.Outputs;
            Copy own = Own(thread, count);
            Span<T> z = own.Z.AsSpan(0, count);
            layer.partials[0].AsSpan(0, count).CopyTo(z);
            layer.AddPartials(own.Z, Blocks);
            layer.Activate(own.Z, own.A, 0, layer.Outputs);
            Gemm.Transpose<T>(own.A.AsSpan(0, count), layer.Outputs, rows, own.Examples.AsSpan(0, count));
            double value = LossFunction.Compute<T>(Loss, own.Examples.AsSpan(0, count), Targets.AsSpan(0, count), rows, own.DExamples.AsSpan(0, count));
            Gemm.Transpose<T>(own.DExamples.AsSpan(0, count), rows, layer.Outputs, own.DA.AsSpan(0, count));
            ActivationLayer.Backward<T>(layer.Activation, z, own.DA.AsSpan(0, count), own.DZ.AsSpan(0, count));
            if (thread == 0)
            {
                Value = value;
                layer.SumBiasGradient(own.DZ, 0, layer.Outputs);
            }
        }

        public void Second(int chunk, int thread)
        {
            int rows = layer.Rows, inputs = layer.Inputs, outputs = layer.Outputs;
            T[] dZ = copies[thread].DZ;
            (int from, int to) = Gemm.Band(inputs, chunk, Blocks, 8);
            Gemm.MultiplyBlock(outputs, inputs, rows, dZ, Layout.RowMajor(rows), Input, Layout.Transposed(rows), layer.WeightGradient, accumulate: false, (0, outputs), (from, to));
            Gemm.MultiplyBlock(inputs, rows, outputs, layer.Weights, Layout.Transposed(inputs), dZ, Layout.RowMajor(rows), layer.dInput, accumulate: false, (from, to), (0, rows));

            // Nothing else in the step reads these columns of W: they are updated here, on the
            // thread that reads them in the next step's first phase (b, which every thread reads
            // between the phases, after the job).
            layer.ParameterUpdate?.Inputs(from, to);
        }

        // The thread's buffers: the layer's own Z, A and dZ for the caller, copies for the others.
        private Copy Own(int thread, int count)
        {
            Copy own = copies[thread];
            if (thread == 0)
            {
                (own.Z, own.A, own.DZ) = (layer.z, layer.a, layer.dZ);
            }
            else
            {
                Vectors.Grow(ref own.Z, count);
                Vectors.Grow(ref own.A, count);
                Vectors.Grow(ref own.DZ, count);
            }

            Vectors.Grow(ref own.Examples, count);
            Vectors.Grow(ref own.DExamples, count);
            Vectors.Grow(ref own.DA, count);
            return own;
        }

        private sealed class Copy
        {
            public T[] Z = [], A = [], DZ = [], Examples = [], DExamples = [], DA = [];
        }
    }

    private sealed class UnitJob(DenseLayer<T> layer) : IParallelWork, IRowBandWork
    {
        public bool Forward { get; set; }

        public T[] DA { get; set; } = [];

        // In a backward pass, the update of each band's parameters after its ∂L/∂W (null: none).
        public IUnitUpdate? Update { get; set; }

        public int UnitsPerChunk { get; set; } = 1;

        public void Execute(int chunk)
        {
            int from = chunk * UnitsPerChunk;
            layer.ElementWise(Forward, DA, from, Math.Min(layer.Outputs, from + UnitsPerChunk));
        }

        public void BeforeRows(int start, int end)
        {
            if (!Forward)
            {
                layer.ElementWise(forward: false, DA, start, end);
            }
        }

        public void AfterRows(int start, int end)
        {
            if (Forward)
            {
                layer.ElementWise(forward: true, DA, start, end);
            }
            else
            {
                Update?.Units(start, end);
            }
        }
    }
}

/// <summary>Updates one layer's parameters during the training step that computed their gradients (see <see cref="DenseLayer{T}.ParameterUpdate"/>).</summary>
internal interface IUnitUpdate
{
    /// <summary>Updates units [<paramref name="start"/>, <paramref name="end"/>): their rows of W and their entries of b.</summary>
    /// <param name="start">The first unit.</param>
    /// <param name="end">One past the last unit.</param>
    void Units(int start, int end);

    /// <summary>Updates the columns of W for inputs [<paramref name="start"/>, <paramref name="end"/>), in every unit's row.</summary>
    /// <param name="start">The first input.</param>
    /// <param name="end">One past the last input.</param>
    void Inputs(int start, int end);

    /// <summary>Updates b.</summary>
    void Bias();

    /// <summary>Updates every unit, with as many threads as the optimizer uses.</summary>
    void All();
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

    /// <summary>The transpose of <paramref name="src"/> (<paramref name="rows"/> × <paramref name="cols"/>, row-major) in <paramref name="buffer"/>, grown when short.</summary>
    /// <returns><paramref name="buffer"/>: its first <paramref name="cols"/> × <paramref name="rows"/> values, row-major, are srcᵀ.</returns>
    public static T[] Transpose<T>(ReadOnlySpan<T> src, int rows, int cols, ref T[] buffer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Grow(ref buffer, rows * cols);
        Gemm.Transpose(src, rows, cols, buffer);
        return buffer;
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

    /// <summary>x += c.</summary>
    public static void Add<T>(Span<T> x, T c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vc = new Vector<T>(c);
            for (; i + Vector<T>.Count <= x.Length; i += Vector<T>.Count)
            {
                (new Vector<T>(x.Slice(i)) + vc).CopyTo(x.Slice(i));
            }
        }

        for (; i < x.Length; i++)
        {
            x[i] += c;
        }
    }

    /// <summary>
    /// Σ xᵢ in a fixed order that does not depend on the CPU or the runtime's vector width: eight
    /// partial sums (sⱼ adds x[j], x[j + 8], x[j + 16], … in turn), added as
    /// ((s₀ + s₁) + (s₂ + s₃)) + ((s₄ + s₅) + (s₆ + s₇)), then the tail of fewer than eight
    /// values in order. 256-bit vectors compute the partial sums where the CPU has them.
    /// </summary>
    public static T Sum<T>(ReadOnlySpan<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Lanes = 8;
        int i = 0, blocks = x.Length / Lanes * Lanes;
        Span<T> partial = stackalloc T[Lanes];
        partial.Clear();
        if (Vector256.IsHardwareAccelerated && blocks > 0)
        {
            // 8 floats are one vector, 8 doubles two; lane j of the pair is partial sum j.
            int w = Vector256<T>.Count;
            Vector256<T> low = Vector256<T>.Zero, high = Vector256<T>.Zero;
            ref T at = ref MemoryMarshal.GetReference(x);
            for (; i < blocks; i += Lanes)
            {
                low += Vector256.LoadUnsafe(ref at, (nuint)i);
                if (w < Lanes)
                {
                    high += Vector256.LoadUnsafe(ref at, (nuint)(i + w));
                }
            }

            low.CopyTo(partial);
            if (w < Lanes)
            {
                high.CopyTo(partial.Slice(w));
            }
        }
        else
        {
            for (; i < blocks; i += Lanes)
            {
                for (int j = 0; j < Lanes; j++)
                {
                    partial[j] += x[i + j];
                }
            }
        }

        T sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
        for (; i < x.Length; i++)
        {
            sum += x[i];
        }

        return sum;
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
