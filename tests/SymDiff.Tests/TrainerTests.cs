using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

public class TrainerTests
{
    private static readonly double[] X = [-2, -1, 0, 1, 2];
    private static readonly double[] Y = [-3, -1, 1, 3, 5];

    [Fact]
    public void FiveExamplesInBatchesOfTwoGiveBatchesOfTwoTwoAndOne()
    {
        // The seed article's table: 5 points, batch size 2 → 3 updates per epoch, every point once.
        var model = LineModel(-3, 3);
        var batches = new List<int[]>();
        Trainer.Train(model, new Sgd<double>(model.Parameters, 0.01), X, Y, 5, new TrainingOptions
        {
            Epochs = 3,
            BatchSize = 2,
            Shuffle = true,
            Seed = 7,
            OnStep = s => batches.Add(s.Batch.ToArray()),
        });

        Assert.Equal([2, 2, 1, 2, 2, 1, 2, 2, 1], batches.Select(b => b.Length));
        for (int epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal([0, 1, 2, 3, 4], batches.Skip(3 * epoch).Take(3).SelectMany(b => b).Order());
        }

        Assert.NotEqual(batches.Take(3).SelectMany(b => b), batches.Skip(3).Take(3).SelectMany(b => b));
    }

    [Fact]
    public void FixedOrderBatchesAreConsecutive()
    {
        var model = LineModel(-3, 3);
        var batches = new List<int[]>();
        Trainer.Train(model, new Sgd<double>(model.Parameters, 0.01), X, Y, 5, new TrainingOptions
        {
            Epochs = 2,
            BatchSize = 2,
            Shuffle = false,
            OnStep = s => batches.Add(s.Batch.ToArray()),
        });
        Assert.Equal(new[] { new[] { 0, 1 }, [2, 3], [4], [0, 1], [2, 3], [4] }, batches);
    }

    [Fact]
    public void FullBatchLineFitMatchesTheSeedFigures()
    {
        // A 1-1 identity network is the line y = w·x + b; MSE gives loss 54, dw −20, db 4 at (−3, 3).
        var model = LineModel(-3, 3);
        double loss = model.ComputeGradients(X, Y, 5, Loss.MeanSquaredError);
        Assert.Equal(54, loss, 12);
        Assert.Equal(-20, model.Layers[0].WeightGradient[0], 12);
        Assert.Equal(4, model.Layers[0].BiasGradient[0], 12);

        TrainingHistory history = Trainer.Train(model, new Sgd<double>(model.Parameters, 0.1), X, Y, 5, new TrainingOptions { Epochs = 200, Shuffle = false });
        Assert.Equal(54, history.StepLosses[0], 12);
        Assert.Equal(2, model.Layers[0].Weights[0], 6);
        Assert.Equal(1, model.Layers[0].Bias[0], 6);
    }

    [Fact]
    public void SameSeedTrainsBitIdentically()
    {
        float[] Run()
        {
            var model = Mlp<float>.Create([1, 8, 1], Activation.Tanh, Activation.Identity, seed: 9);
            var x = X.Select(v => (float)v).ToArray();
            var y = Y.Select(v => (float)(v * v / 10)).ToArray();
            Trainer.Train(model, new Adam<float>(model.Parameters, 0.01), x, y, 5, new TrainingOptions { Epochs = 50, BatchSize = 2, Seed = 3 });
            return model.Parameters.SelectMany(p => p.Value).ToArray();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void DivergenceStopsWithTheLayerAndStep()
    {
        var model = LineModel(-3, 3);
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Train(model, new Sgd<double>(model.Parameters, 5), X, Y, 5, new TrainingOptions { Epochs = 1000, Shuffle = false }));
        Assert.Matches("(layer 1|loss).*step \\d+", ex.Message);
    }

    [Fact]
    public void NaNGradientNamesTheLayer()
    {
        var model = Mlp<double>.Create([1, 2, 1], Activation.Tanh, Activation.Identity, seed: 1);
        model.Layers[1].Weights[0] = double.NaN;
        var ex = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Train(model, new Sgd<double>(model.Parameters, 0.1), X, Y, 5, new TrainingOptions { Epochs = 1 }));
        Assert.Contains("step 1", ex.Message);
    }

    [Fact]
    public void EarlyStoppingAndCallbacks()
    {
        var model = LineModel(-3, 3);
        int epochs = 0;
        var progress = new Recorder();
        TrainingHistory history = Trainer.Train(model, new Sgd<double>(model.Parameters, 0.1), X, Y, 5, new TrainingOptions
        {
            Epochs = 10_000,
            Shuffle = false,
            Patience = 3,
            MinDelta = 1e-9,
            OnEpoch = _ => epochs++,
            Progress = progress,
        });

        Assert.True(history.StoppedEarly);
        Assert.True(history.EpochLosses.Count < 10_000);
        Assert.Equal(history.EpochLosses.Count, epochs);
        Assert.Equal(history.EpochLosses.Count, progress.Reports);
    }

    [Fact]
    public void ScheduleSetsTheLearningRatePerEpoch()
    {
        var model = LineModel(-3, 3);
        var rates = new List<double>();
        Trainer.Train(model, new Sgd<double>(model.Parameters, 0.1), X, Y, 5, new TrainingOptions
        {
            Epochs = 4,
            Schedule = new LearningRateSchedule.Step(0.1, 2, 0.5),
            OnEpoch = e => rates.Add(e.LearningRate),
        });
        Assert.Equal([0.1, 0.1, 0.05, 0.05], rates);
    }

    internal static Mlp<double> LineModel(double w, double b)
    {
        var model = new Mlp<double>([1, 1], [Activation.Identity]);
        model.Layers[0].Weights[0] = w;
        model.Layers[0].Bias[0] = b;
        return model;
    }

    private sealed class Recorder : ITrainingProgress
    {
        public int Reports { get; private set; }

        public void Report(int epoch, int epochs, double loss) => Reports++;
    }
}
