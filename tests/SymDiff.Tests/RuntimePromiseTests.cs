using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>
/// Bad input refused before anything changes, with a message naming the value; the divergence
/// check after the last step; model files whose header lies about their sizes; files that save
/// must load; stale temporaries; a training step that allocates nothing.
/// </summary>
public sealed class RuntimePromiseTests : IDisposable
{
    private static readonly double[] X = [0, 1, 2, 3, 4, 0.5, 1.5, 2.5];
    private static readonly double[] Y = [1, 3, 5, 7, 9, 2, 4, 6];
    private readonly string folder = Directory.CreateTempSubdirectory("symdiff-promise").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string, Func<object>> BadHyperParameters()
    {
        Parameter<double>[] p = [Parameter<double>.Scalar("w", 0)];
        return new()
        {
            { "learningRate", () => new Sgd<double>(p, -0.1) },
            { "learningRate", () => new Sgd<double>(p, double.NaN) },
            { "learningRate", () => new Adam<double>(p, double.PositiveInfinity) },
            { "momentum", () => new Sgd<double>(p, 0.1, momentum: double.NaN) },
            { "momentum", () => new Sgd<double>(p, 0.1, momentum: -0.5) },
            { "nesterov", () => new Sgd<double>(p, 0.1, momentum: 0, nesterov: true) },
            { "weightDecay", () => new Sgd<double>(p, 0.1, weightDecay: double.NaN) },
            { "weightDecay", () => new Adam<double>(p, 0.1, weightDecay: -1) },
            { "beta1", () => new Adam<double>(p, 0.1, beta1: 1) },
            { "beta1", () => new Adam<double>(p, 0.1, beta1: -0.1) },
            { "beta2", () => new Adam<double>(p, 0.1, beta2: 1.5) },
            { "beta2", () => new Adam<double>(p, 0.1, beta2: double.NaN) },
            { "epsilon", () => new Adam<double>(p, 0.1, epsilon: -1e-8) },
            { "epsilon", () => new RmsProp<double>(p, 0.1, epsilon: double.NaN) },
            { "alpha", () => new RmsProp<double>(p, 0.1, alpha: 1.5) },
            { "ClipNorm", () => new TrainingOptions { ClipNorm = 0 } },
            { "ClipNorm", () => new TrainingOptions { ClipNorm = double.NaN } },
            { "ClipValue", () => new TrainingOptions { ClipValue = -1 } },
            { "MinDelta", () => new TrainingOptions { MinDelta = double.NaN } },
            { "Epochs", () => new TrainingOptions { Epochs = 0 } },
            { "BatchSize", () => new TrainingOptions { BatchSize = -1 } },
            { "Patience", () => new TrainingOptions { Patience = -2 } },
            { "Every", () => new LearningRateSchedule.Step(0.1, Every: 0, Gamma: 0.5) },
            { "Epochs", () => new LearningRateSchedule.Cosine(0.1, Epochs: 0) },
            { "Gamma", () => new LearningRateSchedule.Step(0.1, Every: 2, Gamma: double.NaN) },
            { "maxNorm", () => GradientClipping.ByGlobalNorm(p, double.NaN) },
            { "limit", () => { GradientClipping.ByValue(p, 0); return 0; } },
            { "activations", () => new Mlp<double>([2, 3, 1], [Activation.Tanh, (Activation)99]) },
            { "sizes", () => new Mlp<double>([2, 0, 1], [Activation.Tanh, Activation.Identity]) },
            { "activation", () => new DenseLayer<double>(2, 3, (Activation)(-1)) },
            { "rows", () => new DenseLayer<double>(2, 3, Activation.Tanh).Forward(new double[6], 0) },
            { "input", () => new DenseLayer<double>(2, 3, Activation.Tanh).Forward(new double[5], 3) },
        };
    }

    [Theory]
    [MemberData(nameof(BadHyperParameters))]
    public void Bad_hyper_parameters_are_refused_at_construction_naming_the_value(string name, Func<object> create)
    {
        var error = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Documented_differences_from_pytorch_hold()
    {
        // AdamW's weight decay defaults to 0 (torch.optim.AdamW: 1e-2).
        Parameter<double>[] p = [new Parameter<double>("w", [3.0, 4.0], [0.0, 0.0])];
        Assert.Equal(0, new Adam<double>(p, decoupled: true).WeightDecay);

        // A global norm within 1e-6 under the limit leaves the gradients exactly as they were
        // (PyTorch would scale them by max / (norm + 1e-6) ≈ 1 − 2e-7).
        p[0].Gradient[0] = 3;
        p[0].Gradient[1] = 4;
        Assert.Equal(5, GradientClipping.ByGlobalNorm(p, 5 + 1e-7));
        Assert.Equal([3.0, 4.0], p[0].Gradient);
    }

    [Fact]
    public void A_learning_rate_set_later_is_checked_too()
    {
        var sgd = new Sgd<double>([Parameter<double>.Scalar("w", 0)], 0.1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.NaN);
        Assert.Equal(0.1, sgd.LearningRate);
    }

    [Fact]
    public void Zero_examples_are_refused()
    {
        var model = Mlp<double>.Create([1, 1], Activation.Identity, Activation.Identity, seed: 1);
        var sgd = new Sgd<double>(model.Parameters, 0.1);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, sgd, [], [], 0, new TrainingOptions())).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => Trainer.Train(model, sgd, X.AsSpan(0, 3), Y, 8, new TrainingOptions())).ParamName);
        Assert.Equal(0, sgd.Steps);
    }

    [Fact]
    public void A_run_never_returns_with_weights_that_are_not_finite()
    {
        // One step whose update overflows float: the loss and gradient before it are finite.
        var model = Mlp<float>.Create([1, 1], Activation.Identity, Activation.Identity, seed: 1);
        var sgd = new Sgd<float>(model.Parameters, 1e300);
        float[] x = X.Select(v => (float)v).ToArray(), y = Y.Select(v => (float)v).ToArray();
        var error = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(model, sgd, x, y, 8, new TrainingOptions { Epochs = 1 }));
        Assert.Contains("the last of the run", error.Message);
        Assert.Contains("layer 1", error.Message);
    }

    [Fact]
    public void A_weight_that_is_not_finite_is_reported_by_its_own_layer()
    {
        var model = Mlp<double>.Create([1, 3, 1], Activation.Tanh, Activation.Identity, seed: 1);
        model.Layers[1].Weights[2] = double.NaN;
        var error = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(model, new Sgd<double>(model.Parameters, 0.1), X, Y, 8, new TrainingOptions { Epochs = 1 }));
        Assert.Contains("layer 2 weights holds NaN at index 2", error.Message);
    }

    [Fact]
    public void The_element_type_message_uses_csharp_names()
    {
        var model = Mlp<float>.Create([2, 1], Activation.Identity, Activation.Identity, seed: 1);
        string path = Path.Combine(folder, "f.sdm");
        ModelFile.Save(path, model);
        string message = Assert.Throws<InvalidDataException>(() => ModelFile.Load<double>(path)).Message;
        Assert.Contains("Mlp<float>, not Mlp<double>", message);
        Assert.DoesNotContain("Double", message);
    }

    // Files whose checksum is right but whose header declares more than the file holds (or sizes
    // that overflow int): refused before anything of that size is allocated.
    [Theory]
    [InlineData(4, 1048576, 3)]
    [InlineData(4, 16777216, 3)]
    [InlineData(65536, 65536, 1)]
    [InlineData(46341, 46341, 1)]
    [InlineData(int.MaxValue, int.MaxValue, int.MaxValue)]
    public void Declared_sizes_are_checked_against_the_bytes_before_allocating(int a, int b, int c)
    {
        var body = new MemoryStream();
        var w = new BinaryWriter(body);
        w.Write(Encoding.ASCII.GetBytes("SYMDIFF1"));
        w.Write(2);
        w.Write(4);
        w.Write((byte)1);
        w.Write(3);
        w.Write(a);
        w.Write(b);
        w.Write(c);
        w.Write(0);
        w.Write(0);
        w.Write(new byte[100]);
        w.Flush();
        byte[] bytes = body.ToArray();
        string path = Path.Combine(folder, $"lie-{a}-{b}.sdm");
        File.WriteAllBytes(path, [.. bytes, .. BitConverter.GetBytes(Crc32(bytes))]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "more than 1 MB allocated before refusing");
        Assert.Contains("declares", error.Message);
    }

    [Fact]
    public void An_mlp_saved_with_an_optimizer_over_some_parameters_loads_back()
    {
        var model = Mlp<double>.Create([2, 3, 1], Activation.Tanh, Activation.Identity, seed: 4);
        var adam = new Adam<double>([model.Parameters[2], model.Parameters[0]], 0.01);
        Trainer.Train(model, adam, X, Y.AsSpan(0, 4), 4, new TrainingOptions { Epochs = 3, BatchSize = 2 });
        string path = Path.Combine(folder, "partial.sdm");
        ModelFile.Save(path, model, adam);
        (Mlp<double> loaded, Optimizer<double>? optimizer) = ModelFile.Load<double>(path);
        Assert.NotNull(optimizer);
        Assert.Equal(["layer 2 weights", "layer 1 weights"], optimizer.Parameters.Select(p => p.Name));
        Assert.Same(loaded.Parameters[2], optimizer.Parameters[0]);
        Assert.Equal(adam.State, optimizer.State);
        Assert.Equal(adam.Steps, optimizer.Steps);

        var other = Mlp<double>.Create([2, 3, 1], Activation.Tanh, Activation.Identity, seed: 4);
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, model, new Sgd<double>(other.Parameters, 0.1)));
    }

    [Fact]
    public void The_next_save_removes_temporaries_a_crash_left_and_nothing_else()
    {
        var model = Mlp<double>.Create([2, 1], Activation.Identity, Activation.Identity, seed: 1);
        string path = Path.Combine(folder, "m.sdm");
        string stale = Path.Combine(folder, $".m.sdm.{Guid.NewGuid():N}.tmp");
        string foreign = Path.Combine(folder, ".m.sdm.notours.tmp");
        string otherModel = Path.Combine(folder, $".n.sdm.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "half a model");
        File.WriteAllText(foreign, "someone else's");
        File.WriteAllText(otherModel, "another save's");
        ModelFile.Save(path, model);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(otherModel));
        Assert.Equal(model.Parameters[0].Value, ModelFile.Load<double>(path).Model.Parameters[0].Value);
    }

    [Fact]
    public void A_training_step_allocates_nothing_once_warm()
    {
        var model = Mlp<double>.Create([2, 4, 1], Activation.Tanh, Activation.Identity, seed: 2);
        var adam = new Adam<double>(model.Parameters, 0.01);
        long[] allocated = new long[40];
        int step = 0;
        Trainer.Train(model, adam, X, Y.AsSpan(0, 4), 4, new TrainingOptions
        {
            Epochs = 20,
            BatchSize = 2,
            ClipNorm = 1,
            OnStep = _ => allocated[step++] = GC.GetAllocatedBytesForCurrentThread(),
        });
        Assert.Equal(40, step);
        for (int i = 11; i < allocated.Length; i++)
        {
            Assert.True(allocated[i] == allocated[i - 1], $"step {i + 1} allocated {allocated[i] - allocated[i - 1]} bytes");
        }
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
