using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

public sealed class ModelFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("symdiff-model-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void RoundTripIsBitIdenticalAndTrainingResumesExactly()
    {
        (Mlp<float> model, Adam<float> adam) = Trained();
        string path = Path.Combine(folder, "model.sdm");
        ModelFile.Save(path, model, adam);
        (Mlp<float> loaded, Optimizer<float>? optimizer) = ModelFile.Load<float>(path);

        Assert.Equal(model.Sizes, loaded.Sizes);
        Assert.Equal(model.Layers.Select(l => l.Activation), loaded.Layers.Select(l => l.Activation));
        Assert.Equal(model.Parameters.SelectMany(p => p.Value), loaded.Parameters.SelectMany(p => p.Value));
        var restored = Assert.IsType<Adam<float>>(optimizer);
        Assert.Equal(adam.Steps, restored.Steps);
        Assert.Equal(adam.State.SelectMany(s => s), restored.State.SelectMany(s => s));

        // Continuing both gives the same weights.
        Continue(model, adam);
        Continue(loaded, restored);
        Assert.Equal(model.Parameters.SelectMany(p => p.Value), loaded.Parameters.SelectMany(p => p.Value));
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        (Mlp<float> model, Adam<float> adam) = Trained();
        string path = Path.Combine(folder, "model.sdm");
        ModelFile.Save(path, model, adam);
        byte[] bytes = File.ReadAllBytes(path);
        foreach (int length in new[] { 0, 4, 8, 12, 20, bytes.Length / 2, bytes.Length - 5, bytes.Length - 1 })
        {
            string cut = Path.Combine(folder, "cut.sdm");
            File.WriteAllBytes(cut, bytes[..length]);
            var ex = Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(cut));
            Assert.Contains("cut.sdm", ex.Message);
        }
    }

    [Fact]
    public void CorruptWrongTypeAndWrongShapeAreRefused()
    {
        (Mlp<float> model, Adam<float> adam) = Trained();
        string path = Path.Combine(folder, "model.sdm");
        ModelFile.Save(path, model, adam);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        string corrupt = Path.Combine(folder, "corrupt.sdm");
        File.WriteAllBytes(corrupt, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(corrupt)).Message);

        Assert.Contains("Mlp<float>", Assert.Throws<InvalidDataException>(() => ModelFile.Load<double>(path)).Message);

        var other = Mlp<float>.Create([2, 4, 1], Activation.Relu, Activation.Identity, 1);
        float[] before = other.Parameters.SelectMany(p => p.Value).ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(path, other));
        Assert.Contains("2-8-1", ex.Message);
        Assert.Contains("2-4-1", ex.Message);
        Assert.Equal(before, other.Parameters.SelectMany(p => p.Value));

        string text = Path.Combine(folder, "notes.txt");
        File.WriteAllText(text, "hello, not a model");
        Assert.Contains("not a SymDiff model", Assert.Throws<InvalidDataException>(() => ModelFile.Load<float>(text)).Message);
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFile()
    {
        (Mlp<float> model, Adam<float> adam) = Trained();
        string path = Path.Combine(folder, "model.sdm");
        ModelFile.Save(path, model, adam);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<InvalidOperationException>(() => ModelFile.Save(path, model, new Failing(model.Parameters)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder));
    }

    private static (Mlp<float>, Adam<float>) Trained()
    {
        var model = Mlp<float>.Create([2, 8, 1], Activation.Tanh, Activation.Identity, seed: 4);
        var adam = new Adam<float>(model.Parameters, 0.01);
        Continue(model, adam);
        return (model, adam);
    }

    private static void Continue(Mlp<float> model, Optimizer<float> optimizer)
    {
        float[] x = [0, 0, 0, 1, 1, 0, 1, 1];
        float[] y = [0, 1, 1, 0];
        Trainer.Train(model, optimizer, x, y, 4, new TrainingOptions { Epochs = 20, BatchSize = 2, Seed = 5 });
    }

    // An optimizer whose settings cannot be written: Save fails half-way through serialising.
    private sealed class Failing(IReadOnlyList<Parameter<float>> parameters) : Optimizer<float>(parameters, 0.1, 0, 0)
    {
        public override string Name => "sgd";

        public override IReadOnlyList<double> Settings => throw new InvalidOperationException("disk full (simulated)");

        protected override void Update(Parameter<float> parameter, int firstBuffer, int start, int end)
        {
        }
    }
}
