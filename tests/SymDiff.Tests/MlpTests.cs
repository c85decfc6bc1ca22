using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

[Collection(nameof(ThreadLimit))]
public class MlpTests
{
    /// <summary>The seed article's 3-2-2 network with its weights (W row-major, outputs × inputs).</summary>
    internal static Mlp<double> SeedNetwork()
    {
        var mlp = new Mlp<double>([3, 2, 2], [Activation.Relu, Activation.Identity]);
        new double[] { 0.1, 0.2, -0.1, -0.2, 0.1, 0.3 }.CopyTo(mlp.Layers[0].Weights, 0);
        new double[] { 0.1, -0.1 }.CopyTo(mlp.Layers[0].Bias, 0);
        new double[] { 0.2, -0.1, 0.1, 0.2 }.CopyTo(mlp.Layers[1].Weights, 0);
        new double[] { 0.05, 0.1 }.CopyTo(mlp.Layers[1].Bias, 0);
        return mlp;
    }

    [Fact]
    public void SeedNetworkFigures()
    {
        Mlp<double> mlp = SeedNetwork();
        double loss = mlp.ComputeGradients([4, 7, 0.85], [0.9, 0.8], 1, Loss.SumSquaredError);

        Assert.Equal(0.5001125, loss, 12);
        Assert.Equal([1.815, 0.055], mlp.Layers[0].Z.ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal([0.4075, 0.2925], mlp.Layers[1].A.ToArray().Select(v => Math.Round(v, 12)));
        AssertAll([-1.194, -2.0895, -0.253725, -0.418, -0.7315, -0.088825], mlp.Layers[0].WeightGradient);
        AssertAll([-0.2985, -0.1045], mlp.Layers[0].BiasGradient);
        AssertAll([-1.787775, -0.054175, -1.842225, -0.055825], mlp.Layers[1].WeightGradient);
        AssertAll([-0.985, -1.015], mlp.Layers[1].BiasGradient);
    }

    [Fact]
    public void SeedNetworkSgdStep()
    {
        Mlp<double> mlp = SeedNetwork();
        mlp.ComputeGradients([4, 7, 0.85], [0.9, 0.8], 1, Loss.SumSquaredError);
        new Sgd<double>(mlp.Parameters, 0.01).Step();
        Assert.Equal(0.21787775, mlp.Layers[1].Weights[0], 12);
    }

    public static TheoryData<Activation, Loss> Configurations => new()
    {
        { Activation.Relu, Loss.MeanSquaredError },
        { Activation.Tanh, Loss.HalfSquaredError },
        { Activation.Sigmoid, Loss.BinaryCrossEntropyWithLogits },
        { Activation.Gelu, Loss.SoftmaxCrossEntropy },
        { Activation.Silu, Loss.SumSquaredError },
        { Activation.Softplus, Loss.MeanSquaredError },
        { Activation.LeakyRelu, Loss.MeanSquaredError },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void BackpropagationMatchesCentralDifferences(Activation hidden, Loss loss)
    {
        const int batch = 5;
        int[] sizes = [3, 6, 5, 4];
        Mlp<double> mlp = Mlp<double>.Create(sizes, hidden, Activation.Identity, seed: 11);
        double[] x = Numerical.Uniform(1, batch * 3, -1, 1);
        double[] y = Numerical.Uniform(2, batch * 4, 0, 1);
        if (loss == Loss.SoftmaxCrossEntropy)
        {
            y = Enumerable.Range(0, batch * 4).Select(i => i % 4 == i / 4 % 4 ? 1.0 : 0.0).ToArray();
        }

        double[] point = mlp.Parameters.SelectMany(p => p.Value).ToArray();
        Numerical.Check((theta, gradient) =>
        {
            Load(mlp, theta);
            double value = mlp.ComputeGradients(x, y, batch, loss);
            mlp.Parameters.SelectMany(p => p.Gradient).ToArray().CopyTo(gradient);
            return value;
        }, point, $"{hidden} network with {loss}");
    }

    [Fact]
    public void FloatNetworkMatchesDoubleNetwork()
    {
        Mlp<double> d = Mlp<double>.Create([4, 8, 3], Activation.Tanh, Activation.Identity, seed: 5);
        var f = new Mlp<float>(d.Sizes, d.Layers.Select(l => l.Activation).ToArray());
        for (int i = 0; i < d.Parameters.Count; i++)
        {
            for (int j = 0; j < d.Parameters[i].Value.Length; j++)
            {
                f.Parameters[i].Value[j] = (float)d.Parameters[i].Value[j];
                d.Parameters[i].Value[j] = f.Parameters[i].Value[j];
            }
        }

        double[] x = Numerical.Uniform(8, 24, -1, 1).Select(v => (double)(float)v).ToArray();
        double[] y = Numerical.Uniform(9, 18, -1, 1).Select(v => (double)(float)v).ToArray();
        double ld = d.ComputeGradients(x, y, 6, Loss.MeanSquaredError);
        double lf = f.ComputeGradients(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), 6, Loss.MeanSquaredError);
        Assert.Equal(ld, lf, 5);
        for (int i = 0; i < d.Parameters.Count; i++)
        {
            for (int j = 0; j < d.Parameters[i].Gradient.Length; j++)
            {
                Assert.True(Math.Abs(d.Parameters[i].Gradient[j] - f.Parameters[i].Gradient[j]) < 1e-5, d.Parameters[i].Name);
            }
        }
    }

    [Fact]
    public void ArrayAndSpanEntryPointsGiveTheSameGradients()
    {
        // ComputeGradients on arrays reads the inputs in place; on spans it copies them first;
        // Forward + Backward is the same pass in two calls.
        double[] x = Numerical.Uniform(11, 5 * 4, -1, 1), y = Numerical.Uniform(12, 5 * 3, -1, 1);
        Mlp<double> a = Mlp<double>.Create([4, 6, 3], Activation.Relu, Activation.Identity, seed: 2);
        Mlp<double> b = Mlp<double>.Create([4, 6, 3], Activation.Relu, Activation.Identity, seed: 2);
        Mlp<double> c = Mlp<double>.Create([4, 6, 3], Activation.Relu, Activation.Identity, seed: 2);
        double la = a.ComputeGradients(x, y, 5, Loss.MeanSquaredError);
        double lb = b.ComputeGradients((ReadOnlySpan<double>)x, y, 5, Loss.MeanSquaredError);
        ReadOnlySpan<double> output = c.Forward(x, 5);
        var dOutput = new double[output.Length];
        double lc = LossFunction.Compute(Loss.MeanSquaredError, output, y, 5, dOutput);
        c.Backward(dOutput);
        Assert.Equal(la, lb);
        Assert.Equal(la, lc);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            Assert.Equal(a.Parameters[i].Gradient, b.Parameters[i].Gradient);
            Assert.Equal(a.Parameters[i].Gradient, c.Parameters[i].Gradient);
        }

        Assert.Throws<ArgumentException>(() => c.Backward(new double[dOutput.Length - 1]));
        Assert.Throws<ArgumentException>(() => a.ComputeGradients(new double[19], y, 5, Loss.MeanSquaredError));
    }

    public static TheoryData<int, int, Activation, Loss> OutputLayerSteps => new()
    {
        // A small output layer over a wide hidden one is trained in blocks of hidden units
        // (DenseLayer.TrainOutput): 512 hidden units × 64 examples make two blocks, 1024 four.
        { 512, 1, Activation.Identity, Loss.MeanSquaredError },
        { 512, 2, Activation.Identity, Loss.MeanSquaredError },
        { 512, 2, Activation.Sigmoid, Loss.BinaryCrossEntropyWithLogits },
        { 1024, 1, Activation.Tanh, Loss.SoftmaxCrossEntropy },
        { 1024, 2, Activation.Tanh, Loss.SoftmaxCrossEntropy },
    };

    [Theory]
    [MemberData(nameof(OutputLayerSteps))]
    public void TheOutputLayerTrainedInBlocksGivesWhatItsSeparatePassesGive(int hidden, int threads, Activation output, Loss loss)
    {
        using var limit = ThreadLimit.Set(threads);
        const int batch = 64;
        int[] sizes = [20, hidden, 3];
        double[] x = Numerical.Uniform(21, batch * 20, -1, 1), y = Numerical.Uniform(22, batch * 3, 0, 1);
        Mlp<double> oneStep = Mlp<double>.Create(sizes, Activation.Relu, output, seed: 4);
        Mlp<double> fromSpans = Mlp<double>.Create(sizes, Activation.Relu, output, seed: 4);
        Mlp<double> passes = Mlp<double>.Create(sizes, Activation.Relu, output, seed: 4);

        double stepLoss = oneStep.ComputeGradients(x, y, batch, loss);
        double spanLoss = fromSpans.ComputeGradients((ReadOnlySpan<double>)x, y, batch, loss);
        ReadOnlySpan<double> outputs = passes.Forward(x, batch);
        var dOutput = new double[outputs.Length];
        double passLoss = LossFunction.Compute(loss, outputs, y, batch, dOutput);
        passes.Backward(dOutput);

        Assert.Equal(passLoss, stepLoss);
        Assert.Equal(passLoss, spanLoss);
        Assert.Equal(passes.Layers[1].Z.ToArray(), oneStep.Layers[1].Z.ToArray());
        Assert.Equal(passes.Layers[1].A.ToArray(), oneStep.Layers[1].A.ToArray());
        for (int i = 0; i < passes.Parameters.Count; i++)
        {
            Assert.Equal(passes.Parameters[i].Gradient, oneStep.Parameters[i].Gradient);
            Assert.Equal(passes.Parameters[i].Gradient, fromSpans.Parameters[i].Gradient);
        }

        // And the gradients are right: central differences on a sample of each parameter.
        var random = new SeededRandom(5);
        foreach (Parameter<double> parameter in oneStep.Parameters)
        {
            for (int s = 0; s < 6; s++)
            {
                int at = (int)(random.NextDouble(0, 1) * parameter.Value.Length);
                double saved = parameter.Value[at], h = 1e-5 * Math.Max(1, Math.Abs(saved));
                parameter.Value[at] = saved + h;
                double plus = oneStep.Evaluate(x, y, batch, loss);
                parameter.Value[at] = saved - h;
                double minus = oneStep.Evaluate(x, y, batch, loss);
                parameter.Value[at] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - parameter.Gradient[at]) <= 1e-6 + (1e-4 * Math.Abs(numeric)), $"{parameter.Name}[{at}]: {parameter.Gradient[at]} against {numeric}");
            }
        }
    }

    public static TheoryData<string, int, string> TrainingSteps()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (int threads in new[] { 1, 2 })
        {
            // 784-256-10: the first layer's update follows its ∂L/∂W product band by band (by
            // two threads in sixteen bands, or one thread in one), the output layer's its job.
            foreach (string optimizer in new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw" })
            {
                cases.Add("784-256-10", threads, optimizer);
            }

            // Three layers: the upper two are updated after their ∂L/∂X, the first with its product.
            cases.Add("30-300-40-5", threads, "adam");
            cases.Add("30-300-40-5", threads, "nesterov");

            // One layer, which is both the first and the last.
            cases.Add("12-4", threads, "rmsprop");

            // An input width that is not a whole number of vectors, in bands of 512 units.
            cases.Add("301-512-10", threads, "adamw");
            cases.Add("301-512-10", threads, "momentum");
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(TrainingSteps))]
    public void ATrainingStepGivesWhatGradientsAndThenAnOptimizerStepGive(string shape, int threads, string optimizer)
    {
        using var limit = ThreadLimit.Set(threads);
        int[] sizes = shape.Split('-').Select(int.Parse).ToArray();
        int batch = sizes[0] == 784 ? 128 : 24;
        float[] x = Floats(31, batch * sizes[0]), y = Floats(32, batch * sizes[^1]);
        Mlp<float> fused = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 6);
        Mlp<float> separate = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 6);
        Optimizer<float> fusedOptimizer = MakeOptimizer(optimizer, fused.Parameters);
        Optimizer<float> separateOptimizer = MakeOptimizer(optimizer, separate.Parameters);

        // Three steps: momentum's and Adam's first step differ from the later ones.
        for (int step = 0; step < 3; step++)
        {
            double fusedLoss = step == 1
                ? fused.TrainStep((ReadOnlySpan<float>)x, y, batch, Loss.MeanSquaredError, fusedOptimizer)
                : fused.TrainStep(x, y, batch, Loss.MeanSquaredError, fusedOptimizer);
            double separateLoss = separate.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
            separateOptimizer.Step();
            Assert.Equal(separateLoss, fusedLoss);
        }

        Assert.Equal(3, fusedOptimizer.Steps);
        for (int i = 0; i < fused.Parameters.Count; i++)
        {
            Assert.Equal(separate.Parameters[i].Value, fused.Parameters[i].Value);
            Assert.Equal(separate.Parameters[i].Gradient, fused.Parameters[i].Gradient);
        }

        for (int i = 0; i < fusedOptimizer.State.Count; i++)
        {
            Assert.Equal(separateOptimizer.State[i], fusedOptimizer.State[i]);
        }

        // The step trained: the weights moved from where the seed put them.
        Mlp<float> initial = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 6);
        Assert.NotEqual(initial.Parameters[0].Value, fused.Parameters[0].Value);
    }

    [Fact]
    public void ATrainingStepUpdatesOnlyWhatItsOptimizerUpdatesAndChecksItFirst()
    {
        using var limit = ThreadLimit.Set(2);
        int[] sizes = [784, 256, 10];
        float[] x = Floats(33, 128 * 784), y = Floats(34, 128 * 10);
        Mlp<float> fused = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 7);
        Mlp<float> separate = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 7);
        Mlp<float> other = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 7);

        // An optimizer of the weights only, listed last layer first.
        var weightsOnly = new Sgd<float>([fused.Parameters[2], fused.Parameters[0]], 0.05, momentum: 0.9);
        var separateWeights = new Sgd<float>([separate.Parameters[2], separate.Parameters[0]], 0.05, momentum: 0.9);
        fused.TrainStep(x, y, 128, Loss.MeanSquaredError, weightsOnly);
        separate.ComputeGradients(x, y, 128, Loss.MeanSquaredError);
        separateWeights.Step();
        for (int i = 0; i < fused.Parameters.Count; i++)
        {
            Assert.Equal(separate.Parameters[i].Value, fused.Parameters[i].Value);
        }

        Assert.Equal(other.Parameters[1].Value, fused.Parameters[1].Value);

        // Another network's parameters, a parameter listed twice, or too few targets: nothing
        // changes, not even the optimizer's step count.
        float[] before = fused.Parameters[0].Value.ToArray();
        var foreign = new Sgd<float>(other.Parameters, 0.05);
        var error = Assert.Throws<ArgumentException>(() => fused.TrainStep(x, y, 128, Loss.MeanSquaredError, foreign));
        Assert.Contains("'layer 1 weights' is not one of this network's", error.Message);
        error = Assert.Throws<ArgumentException>(() => new Sgd<float>([fused.Parameters[0], fused.Parameters[0]], 0.05));
        Assert.Contains("is listed twice", error.Message);
        error = Assert.Throws<ArgumentException>(() => fused.TrainStep(x, new float[10], 128, Loss.MeanSquaredError, weightsOnly));
        Assert.Contains("targets", error.Message);
        Assert.Equal("targets", error.ParamName);
        foreach (int rows in new[] { 0, -1 })
        {
            Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => fused.TrainStep(x, y, rows, Loss.MeanSquaredError, weightsOnly)).ParamName);
            Assert.Equal("rows", Assert.Throws<ArgumentOutOfRangeException>(() => fused.TrainStep(x.AsSpan(), y, rows, Loss.MeanSquaredError, weightsOnly)).ParamName);
        }

        Assert.Equal("loss", Assert.Throws<ArgumentOutOfRangeException>(() => fused.TrainStep(x, y, 128, (Loss)99, weightsOnly)).ParamName);
        Assert.Equal(1, weightsOnly.Steps);
        Assert.Equal(0, foreign.Steps);
        Assert.Equal(before, fused.Parameters[0].Value);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TrainingStepsAllocateNothing(int threads)
    {
        using var limit = ThreadLimit.Set(threads);
        foreach (int[] sizes in new[] { new[] { 784, 256, 10 }, new[] { 30, 300, 40, 5 } })
        {
            int batch = sizes[0] == 784 ? 128 : 24;
            float[] x = Floats(35, batch * sizes[0]), y = Floats(36, batch * sizes[^1]);
            Mlp<float> mlp = Mlp<float>.Create(sizes, Activation.Relu, Activation.Identity, seed: 8);
            var adam = new Adam<float>(mlp.Parameters, 0.01);

            // The first steps size the buffers; after them a step allocates nothing, either way.
            for (int i = 0; i < 2; i++)
            {
                mlp.TrainStep(x, y, batch, Loss.MeanSquaredError, adam);
                mlp.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
                adam.Step();
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++)
            {
                mlp.TrainStep(x, y, batch, Loss.MeanSquaredError, adam);
            }

            long afterTrainSteps = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++)
            {
                mlp.ComputeGradients(x, y, batch, Loss.MeanSquaredError);
                adam.Step();
            }

            long afterSeparateSteps = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(0, afterTrainSteps - before);
            Assert.Equal(0, afterSeparateSteps - afterTrainSteps);
        }
    }

    private static Optimizer<float> MakeOptimizer(string name, System.Collections.Generic.IReadOnlyList<Parameter<float>> parameters) => name switch
    {
        "sgd" => new Sgd<float>(parameters, 0.05),
        "momentum" => new Sgd<float>(parameters, 0.05, momentum: 0.9),
        "nesterov" => new Sgd<float>(parameters, 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        "rmsprop" => new RmsProp<float>(parameters, 0.01, weightDecay: 0.01),
        "adam" => new Adam<float>(parameters, 0.01),
        _ => new Adam<float>(parameters, 0.01, weightDecay: 0.05, decoupled: true),
    };

    private static float[] Floats(int seed, int count) => Numerical.Uniform(seed, count, -1, 1).Select(v => (float)v).ToArray();

    [Fact]
    public void SameSeedGivesBitIdenticalWeights()
    {
        foreach (Initializer init in Enum.GetValues<Initializer>())
        {
            var a = Mlp<float>.Create([5, 7, 2], Activation.Relu, Activation.Identity, 42, init);
            var b = Mlp<float>.Create([5, 7, 2], Activation.Relu, Activation.Identity, 42, init);
            var c = Mlp<float>.Create([5, 7, 2], Activation.Relu, Activation.Identity, 43, init);
            Assert.Equal(a.Parameters.SelectMany(p => p.Value), b.Parameters.SelectMany(p => p.Value));
            Assert.NotEqual(a.Parameters.SelectMany(p => p.Value), c.Parameters.SelectMany(p => p.Value));
        }
    }

    [Theory]
    [InlineData(Initializer.XavierUniform, 2.0 / (400 + 300))]
    [InlineData(Initializer.XavierNormal, 2.0 / (400 + 300))]
    [InlineData(Initializer.HeUniform, 2.0 / 400)]
    [InlineData(Initializer.HeNormal, 2.0 / 400)]
    public void InitialWeightsHaveTheSchemesVariance(Initializer init, double variance)
    {
        var w = new double[400 * 300];
        WeightInit.Fill<double>(init, w, 400, 300, new SeededRandom(3));
        double mean = w.Average();
        double measured = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.True(Math.Abs(mean) < 0.01 * Math.Sqrt(variance) * 10, $"mean {mean}");
        Assert.True(Math.Abs(measured / variance - 1) < 0.02, $"variance {measured}, expected {variance}");
    }

    private static void Load(Mlp<double> mlp, ReadOnlySpan<double> theta)
    {
        int at = 0;
        foreach (Parameter<double> p in mlp.Parameters)
        {
            theta.Slice(at, p.Value.Length).CopyTo(p.Value);
            at += p.Value.Length;
        }
    }

    private static void AssertAll(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 12);
        }
    }
}
