using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using Playground;
using SymDiff.Nn;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return Options.Command(options =>
{
    try
    {
        return options.Float ? Run<float>(options) : Run<double>(options);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    catch (TrainingDivergedException e)
    {
        Console.Error.WriteLine($"Training diverged: {e.Message}");
        return 3;
    }
}).Parse(args).Invoke();

static int Run<T>(Options o)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    Dataset data = Datasets.Create(o.Dataset, o.Samples, o.Seed);
    T[] x = data.Inputs.Select(T.CreateTruncating).ToArray();
    T[] y = data.Targets.Select(T.CreateTruncating).ToArray();
    Loss loss = data.Classification ? Loss.BinaryCrossEntropyWithLogits : Loss.MeanSquaredError;
    var model = Mlp<T>.Create(o.Layers!, o.Activation, Activation.Identity, o.Seed);
    Optimizer<T> optimizer = o.CreateOptimizer(model.Parameters);

    Console.WriteLine($"{data.Name}: {data.Count} examples; layers {string.Join("-", o.Layers!)} ({o.Activation} hidden, identity output, {model.ParameterCount} parameters, {typeof(T).Name}); {optimizer.Name}, lr {o.LearningRate}, batch {(o.Batch == 0 ? "full" : o.Batch.ToString(CultureInfo.InvariantCulture))}, {o.Epochs} epochs; loss {loss}");
    double[] start = Gradients.Print(model, x, y, data.Count, loss, $"per-layer gradient magnitude at the start ({o.Activation})");
    var vanishing = new List<(string Activation, double[] Magnitudes)>();
    if (o.Vanishing)
    {
        vanishing.Add((o.Activation.ToString(), start));
        foreach (Activation a in new[] { Activation.Sigmoid, Activation.Relu }.Where(a => a != o.Activation))
        {
            var probe = Mlp<T>.Create(o.Layers!, a, Activation.Identity, o.Seed);
            vanishing.Add((a.ToString(), Gradients.Print(probe, x, y, data.Count, loss, $"same layers with {a}")));
        }
    }

    TrainingHistory history = TrainingDisplay.Run(o.Epochs, progress => Trainer.Train(model, optimizer, x, y, data.Count, new TrainingOptions
    {
        Epochs = o.Epochs,
        BatchSize = o.Batch,
        Seed = o.Seed,
        Loss = loss,
        Progress = progress,
    }));

    Gradients.Print(model, x, y, data.Count, loss, "per-layer gradient magnitude after training");
    if (data.Classification)
    {
        ReadOnlySpan<T> logits = model.Forward(x, data.Count);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            correct += (double.CreateTruncating(logits[i]) > 0) == (data.Targets[i] > 0.5) ? 1 : 0;
        }

        Console.WriteLine($"training accuracy: {100.0 * correct / data.Count:0.0}%");
    }

    Directory.CreateDirectory(o.Out);
    string lossPath = Path.Combine(o.Out, "loss.png");
    Plots.LossCurve(lossPath, history.EpochLosses, $"{data.Name}: loss per epoch ({string.Join("-", o.Layers!)}, {o.Activation}, {optimizer.Name})", loss.ToString());
    Console.WriteLine($"wrote {lossPath}");
    if (data.Classification)
    {
        var point = new T[2];
        string decisionPath = Path.Combine(o.Out, "decision.png");
        Plots.Decision(
            decisionPath,
            (px, py) =>
            {
                point[0] = T.CreateTruncating(px);
                point[1] = T.CreateTruncating(py);
                return Activations.Sigmoid(double.CreateTruncating(model.Forward(point, 1)[0]));
            },
            data.Inputs, data.Targets, $"{data.Name}: decision regions ({string.Join("-", o.Layers!)}, {o.Activation})");
        Console.WriteLine($"wrote {decisionPath}");
    }

    if (vanishing.Count > 0)
    {
        string gradientsPath = Path.Combine(o.Out, "gradients.png");
        Plots.GradientMagnitudes(gradientsPath, vanishing, $"{data.Name}: per-layer gradient magnitude at the start ({string.Join("-", o.Layers!)})");
        Console.WriteLine($"wrote {gradientsPath}");
    }

    string modelPath = Path.Combine(o.Out, "model.sdm");
    ModelFile.Save(modelPath, model, optimizer);
    Console.WriteLine($"wrote {modelPath}");
    return 0;
}
