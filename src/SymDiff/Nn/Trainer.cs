using System;
using System.Collections.Generic;
using System.Numerics;

namespace SymDiff.Nn;

/// <summary>Receives training progress; the samples draw it as a progress bar.</summary>
public interface ITrainingProgress
{
    /// <summary>Called after each epoch.</summary>
    /// <param name="epoch">The epoch just finished, from 1.</param>
    /// <param name="epochs">The epochs planned.</param>
    /// <param name="loss">The epoch's mean batch loss.</param>
    void Report(int epoch, int epochs, double loss);
}

/// <summary>What a step callback sees.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The step, from 1, counted over the whole run.</param>
/// <param name="Batch">The indices of the examples in the batch.</param>
/// <param name="Loss">The batch's loss before the update.</param>
public readonly record struct StepInfo(int Epoch, long Step, ReadOnlyMemory<int> Batch, double Loss);

/// <summary>What an epoch callback sees.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Loss">The mean of the epoch's batch losses.</param>
/// <param name="LearningRate">The learning rate used.</param>
public readonly record struct EpochInfo(int Epoch, double Loss, double LearningRate);

/// <summary>How to train.</summary>
public sealed class TrainingOptions
{
    /// <summary>Passes over the data, at least 1.</summary>
    public int Epochs
    {
        get;
        init => field = Require.AtLeast(value, 1, nameof(Epochs));
    } = 100;

    /// <summary>Examples per step; 0 (or at least the data size) for full-batch gradient descent.</summary>
    public int BatchSize
    {
        get;
        init => field = Require.AtLeast(value, 0, nameof(BatchSize), "0: the whole data");
    }

    /// <summary>Reshuffle the examples each epoch (seeded), instead of the fixed order 0, 1, 2, ….</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffles.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The objective.</summary>
    public Loss Loss { get; init; } = Loss.MeanSquaredError;

    /// <summary>The learning rate per epoch; null keeps the optimizer's.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the global gradient norm to this before each step.</summary>
    public double? ClipNorm
    {
        get;
        init => field = value is null ? null : Require.AboveZero(value.Value, nameof(ClipNorm));
    }

    /// <summary>Clip each gradient component to ± this before each step.</summary>
    public double? ClipValue
    {
        get;
        init => field = value is null ? null : Require.AboveZero(value.Value, nameof(ClipValue));
    }

    /// <summary>Stop when the epoch loss has not improved by <see cref="MinDelta"/> for this many epochs (0: never).</summary>
    public int Patience
    {
        get;
        init => field = Require.AtLeast(value, 0, nameof(Patience), "0: never stop early");
    }

    /// <summary>The improvement that counts for early stopping.</summary>
    public double MinDelta
    {
        get;
        init => field = Require.AtLeastZero(value, nameof(MinDelta));
    }

    /// <summary>Stop as soon as the epoch loss is at most this.</summary>
    public double TargetLoss
    {
        get;
        init => field = !double.IsNaN(value) ? value : throw new ArgumentOutOfRangeException(nameof(TargetLoss), value, $"{nameof(TargetLoss)} must be a number, not NaN.");
    } = double.NegativeInfinity;

    /// <summary>Called after every step (before the next batch).</summary>
    public Action<StepInfo>? OnStep { get; init; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochInfo>? OnEpoch { get; init; }

    /// <summary>Progress reports.</summary>
    public ITrainingProgress? Progress { get; init; }
}

/// <summary>The outcome of a <see cref="Trainer"/> run.</summary>
/// <param name="EpochLosses">The mean batch loss of each epoch run.</param>
/// <param name="StepLosses">The loss of each step.</param>
/// <param name="StoppedEarly">Whether early stopping or the target loss ended training.</param>
public sealed record TrainingHistory(IReadOnlyList<double> EpochLosses, IReadOnlyList<double> StepLosses, bool StoppedEarly);

/// <summary>Training stopped because a loss or gradient stopped being a finite number.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, naming the layer and the step.</param>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }
}

/// <summary>The training loop: epochs of (shuffled) mini-batches, each a forward pass, a backward pass and an optimizer step.</summary>
public static class Trainer
{
    /// <summary>The batches of one epoch: consecutive slices of the (shuffled) order; the last may be short.</summary>
    /// <param name="count">The number of examples.</param>
    /// <param name="batchSize">Examples per batch; 0 for one batch of all.</param>
    /// <param name="order">The epoch's order of example indices (a permutation of 0..count−1).</param>
    /// <returns>The batches.</returns>
    public static IEnumerable<ReadOnlyMemory<int>> Batches(int count, int batchSize, int[] order)
    {
        int size = batchSize <= 0 ? count : Math.Min(batchSize, count);
        for (int start = 0; start < count; start += size)
        {
            yield return order.AsMemory(start, Math.Min(size, count - start));
        }
    }

    /// <summary>Trains <paramref name="model"/> on <paramref name="count"/> examples.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="model">The network.</param>
    /// <param name="optimizer">The optimizer over the network's parameters (all or some of them).</param>
    /// <param name="inputs">The examples, row-major.</param>
    /// <param name="targets">The targets, row-major.</param>
    /// <param name="count">The number of examples, at least 1.</param>
    /// <param name="options">How to train.</param>
    /// <returns>The loss history.</returns>
    /// <exception cref="TrainingDivergedException">A loss, gradient or weight became NaN or infinite.</exception>
    public static TrainingHistory Train<T>(Mlp<T> model, Optimizer<T> optimizer, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        Require.AtLeast(count, 1, nameof(count), "the number of examples");
        int inWidth = model.Sizes[0], outWidth = model.Sizes[^1];
        if (inputs.Length != (long)count * inWidth)
        {
            throw new ArgumentException($"{count} examples of width {inWidth} need {(long)count * inWidth} input values, not {inputs.Length}.", nameof(inputs));
        }

        if (targets.Length != (long)count * outWidth)
        {
            throw new ArgumentException($"{count} examples with {outWidth} outputs need {(long)count * outWidth} target values, not {targets.Length}.", nameof(targets));
        }

        // The data stays where the caller keeps it (no copy of a large data set): pinned for the
        // run, read through pointers by the batch function, which does not outlive this call.
        unsafe
        {
            fixed (T* x = inputs, y = targets)
            {
                var batches = new MlpBatches<T>(model, x, y, BatchLength(count, options), options.Loss);
                return Train(model.Parameters, optimizer, count, batches.Gradient, options);
            }
        }
    }

    /// <summary>
    /// Trains any model: <paramref name="lossAndGradient"/> computes one batch's loss and writes
    /// the gradient of every parameter (typically by calling a generated <c>Gradient</c> method
    /// on the batch's examples); this loop does the rest, as for an <see cref="Mlp{T}"/>: epochs
    /// of (shuffled) batches, the learning-rate schedule, clipping, the optimizer step, callbacks,
    /// early stopping, and the divergence checks (every loss and gradient before its update, every
    /// weight after the last one).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The model's parameters: the ones the checks and clipping look at.</param>
    /// <param name="optimizer">The optimizer over them (all or some of them).</param>
    /// <param name="count">The number of examples, at least 1.</param>
    /// <param name="lossAndGradient">One batch's loss, with every parameter's gradient written; the span holds the batch's example indices.</param>
    /// <param name="options">How to train (<see cref="TrainingOptions.Loss"/> is not used: the function is the loss).</param>
    /// <returns>The loss history.</returns>
    /// <exception cref="TrainingDivergedException">A loss, gradient or weight became NaN or infinite.</exception>
    public static TrainingHistory Train<T>(IReadOnlyList<Parameter<T>> parameters, Optimizer<T> optimizer, int count, BatchGradient lossAndGradient, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lossAndGradient);
        ArgumentNullException.ThrowIfNull(options);
        Require.AtLeast(count, 1, nameof(count), "the number of examples");
        int size = BatchLength(count, options), perEpoch = (count + size - 1) / size;

        // Everything the run keeps is allocated here, so a step allocates nothing.
        var order = new int[count];
        var random = new SeededRandom(options.Seed);
        var epochLosses = new List<double>(options.Epochs);
        var stepLosses = new List<double>((int)Math.Min((long)options.Epochs * perEpoch, 1 << 24));
        double best = double.PositiveInfinity;
        int stale = 0;
        bool early = false;
        long step = optimizer.Steps;
        for (int epoch = 1; epoch <= options.Epochs && !early; epoch++)
        {
            for (int i = 0; i < count; i++)
            {
                order[i] = i;
            }

            if (options.Shuffle)
            {
                random.Shuffle<int>(order);
            }

            if (options.Schedule is not null)
            {
                optimizer.LearningRate = options.Schedule.Rate(epoch - 1);
            }

            double sum = 0;
            for (int start = 0; start < count; start += size)
            {
                ReadOnlyMemory<int> batch = order.AsMemory(start, Math.Min(size, count - start));
                step++;
                double loss = lossAndGradient(batch.Span);
                CheckFinite(parameters, loss, epoch, step);
                if (options.ClipNorm is double norm)
                {
                    GradientClipping.ByGlobalNorm(parameters, norm);
                }

                if (options.ClipValue is double limit)
                {
                    GradientClipping.ByValue(parameters, limit);
                }

                optimizer.Step();
                stepLosses.Add(loss);
                options.OnStep?.Invoke(new StepInfo(epoch, step, batch, loss));
                sum += loss;
            }

            double epochLoss = sum / perEpoch;
            epochLosses.Add(epochLoss);
            options.OnEpoch?.Invoke(new EpochInfo(epoch, epochLoss, optimizer.LearningRate));
            options.Progress?.Report(epoch, options.Epochs, epochLoss);
            if (epochLoss < best - options.MinDelta)
            {
                best = epochLoss;
                stale = 0;
            }
            else if (options.Patience > 0 && ++stale >= options.Patience)
            {
                early = true;
            }

            early |= epochLoss <= options.TargetLoss;
        }

        // The checks above run before each update; the last update is checked here, so a run
        // never returns normally with weights that are not finite.
        CheckWeights(parameters, step);
        return new TrainingHistory(epochLosses, stepLosses, early);
    }

    private static int BatchLength(int count, TrainingOptions options) =>
        options.BatchSize <= 0 ? count : Math.Min(options.BatchSize, count);

    private static void CheckFinite<T>(IReadOnlyList<Parameter<T>> parameters, double loss, int epoch, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.IsFinite(loss))
        {
            // Say where it came from when a weight is already not finite (a NaN weight in layer 2
            // is reported as layer 2, not as the output layer the loss is computed from).
            (Parameter<T>? holder, int at) = FirstNotFinite(parameters, gradients: false);
            string source = holder is null ? "" : $": {holder.Name} holds {holder.Value[at]} at index {at}";
            throw new TrainingDivergedException($"The loss became {loss} at step {step} (epoch {epoch}){source}. Lower the learning rate or clip gradients.");
        }

        (Parameter<T>? bad, int index) = FirstNotFinite(parameters, gradients: true);
        if (bad is not null)
        {
            throw new TrainingDivergedException($"The gradient of {bad.Name} became {bad.Gradient[index]} at index {index}, step {step} (epoch {epoch}). Lower the learning rate or clip gradients.");
        }
    }

    private static void CheckWeights<T>(IReadOnlyList<Parameter<T>> parameters, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Parameter<T>? bad, int index) = FirstNotFinite(parameters, gradients: false);
        if (bad is not null)
        {
            throw new TrainingDivergedException($"{bad.Name} became {bad.Value[index]} at index {index} in the update of step {step}, the last of the run. Lower the learning rate or clip gradients.");
        }
    }

    // The first parameter whose values (or gradients) hold a NaN or an infinity, and where; (null, −1) when none does.
    private static (Parameter<T>? Parameter, int Index) FirstNotFinite<T>(IReadOnlyList<Parameter<T>> parameters, bool gradients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int p = 0; p < parameters.Count; p++)
        {
            T[] values = gradients ? parameters[p].Gradient : parameters[p].Value;
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i]))
                {
                    return (parameters[p], i);
                }
            }
        }

        return (null, -1);
    }

    // An Mlp's batch gradient: the batch's rows copied into buffers the network reads in place.
    private sealed unsafe class MlpBatches<T>(Mlp<T> model, T* inputs, T* targets, int size, Loss loss)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int inWidth = model.Sizes[0];
        private readonly int outWidth = model.Sizes[^1];
        private readonly T[] x = new T[size * model.Sizes[0]];
        private readonly T[] y = new T[size * model.Sizes[^1]];

        public double Gradient(ReadOnlySpan<int> rows)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                new ReadOnlySpan<T>(inputs + ((long)rows[r] * inWidth), inWidth).CopyTo(x.AsSpan(r * inWidth));
                new ReadOnlySpan<T>(targets + ((long)rows[r] * outWidth), outWidth).CopyTo(y.AsSpan(r * outWidth));
            }

            return model.ComputeGradients(x, y, rows.Length, loss);
        }
    }
}

/// <summary>
/// One batch's loss, with the gradient of every trained parameter written into its
/// <see cref="Parameter{T}.Gradient"/> (overwritten, not added to).
/// </summary>
/// <param name="batch">The indices of the batch's examples.</param>
/// <returns>The batch's loss.</returns>
public delegate double BatchGradient(ReadOnlySpan<int> batch);
