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
    /// <summary>Passes over the data.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Examples per step; 0 (or at least the data size) for full-batch gradient descent.</summary>
    public int BatchSize { get; init; }

    /// <summary>Reshuffle the examples each epoch (seeded), instead of the fixed order 0, 1, 2, ….</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The seed of the shuffles.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The objective.</summary>
    public Loss Loss { get; init; } = Loss.MeanSquaredError;

    /// <summary>The learning rate per epoch; null keeps the optimizer's.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the global gradient norm to this before each step.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Clip each gradient component to ± this before each step.</summary>
    public double? ClipValue { get; init; }

    /// <summary>Stop when the epoch loss has not improved by <see cref="MinDelta"/> for this many epochs (0: never).</summary>
    public int Patience { get; init; }

    /// <summary>The improvement that counts for early stopping.</summary>
    public double MinDelta { get; init; }

    /// <summary>Stop as soon as the epoch loss is at most this.</summary>
    public double TargetLoss { get; init; } = double.NegativeInfinity;

    /// <summary>Called after every step (before the next batch).</summary>
    public Action<StepInfo>? OnStep { get; init; }

    /// <summary>Called after every epoch.</summary>
    public Action<EpochInfo>? OnEpoch { get; init; }

    /// <summary>Progress reports.</summary>
    public ITrainingProgress? Progress { get; init; }
}

/// <summary>The outcome of <see cref="Trainer.Train{T}"/>.</summary>
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
    /// <param name="optimizer">The optimizer over the network's parameters.</param>
    /// <param name="inputs">The examples, row-major.</param>
    /// <param name="targets">The targets, row-major.</param>
    /// <param name="count">The number of examples.</param>
    /// <param name="options">How to train.</param>
    /// <returns>The loss history.</returns>
    /// <exception cref="TrainingDivergedException">A loss or gradient became NaN or infinite.</exception>
    public static TrainingHistory Train<T>(Mlp<T> model, Optimizer<T> optimizer, ReadOnlySpan<T> inputs, ReadOnlySpan<T> targets, int count, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inWidth = model.Sizes[0], outWidth = model.Sizes[^1];
        if (inputs.Length != count * inWidth || targets.Length != count * outWidth)
        {
            throw new ArgumentException($"{count} examples need {count * inWidth} inputs and {count * outWidth} targets; got {inputs.Length} and {targets.Length}.");
        }

        int size = options.BatchSize <= 0 ? count : Math.Min(options.BatchSize, count);
        var x = new T[size * inWidth];
        var y = new T[size * outWidth];
        var order = new int[count];
        var random = new SeededRandom(options.Seed);
        var epochLosses = new List<double>();
        var stepLosses = new List<double>();
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
            int batches = 0;
            foreach (ReadOnlyMemory<int> batch in Batches(count, size, order))
            {
                ReadOnlySpan<int> rows = batch.Span;
                for (int r = 0; r < rows.Length; r++)
                {
                    inputs.Slice(rows[r] * inWidth, inWidth).CopyTo(x.AsSpan(r * inWidth));
                    targets.Slice(rows[r] * outWidth, outWidth).CopyTo(y.AsSpan(r * outWidth));
                }

                step++;
                double loss = model.ComputeGradients(x, y, rows.Length, options.Loss); // the batch buffers, read in place
                CheckFinite(model, loss, epoch, step);
                if (options.ClipNorm is double norm)
                {
                    GradientClipping.ByGlobalNorm(model.Parameters, norm);
                }

                if (options.ClipValue is double limit)
                {
                    GradientClipping.ByValue(model.Parameters, limit);
                }

                optimizer.Step();
                stepLosses.Add(loss);
                options.OnStep?.Invoke(new StepInfo(epoch, step, batch, loss));
                sum += loss;
                batches++;
            }

            double epochLoss = sum / batches;
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

        return new TrainingHistory(epochLosses, stepLosses, early);
    }

    private static void CheckFinite<T>(Mlp<T> model, double loss, int epoch, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException($"The loss became {loss} at step {step} (epoch {epoch}), computed from the output of layer {model.Layers.Count}. Lower the learning rate or clip gradients.");
        }

        foreach (Parameter<T> p in model.Parameters)
        {
            foreach (T g in p.Gradient)
            {
                if (!T.IsFinite(g))
                {
                    throw new TrainingDivergedException($"The gradient of {p.Name} (layer {p.Layer}) became {g} at step {step} (epoch {epoch}). Lower the learning rate or clip gradients.");
                }
            }
        }
    }
}
