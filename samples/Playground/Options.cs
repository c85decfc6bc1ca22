using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Nn;

namespace Playground;

/// <summary>The playground's command line.</summary>
internal sealed record Options
{
    public const string Help = """
        SymDiff playground: train a small network on a synthetic dataset and look at what it learned.

        Usage: dotnet run --project samples/Playground -- [options]

          --dataset <name>       xor | moons | spirals | sine                    (default xor)
          --layers <sizes>       widths from input to output, e.g. 2,8,1         (default 2,8,1; 1,...,1 for sine)
          --activation <name>    hidden activation: identity | relu | leakyrelu | sigmoid | tanh | gelu | silu | softplus  (default tanh)
          --optimizer <name>     sgd | momentum | nesterov | rmsprop | adam | adamw  (default adam)
          --lr <rate>            learning rate                                   (default 0.01)
          --batch <n>            mini-batch size, 0 for full batch              (default 32)
          --epochs <n>           passes over the data                            (default 300)
          --samples <n>          dataset size                                    (default 400)
          --seed <n>             seed of the data, the weights and the shuffles  (default 1)
          --float                train in single precision (default double)
          --vanishing            also print per-layer gradient magnitudes of the same layers with sigmoid and with ReLU
          --out <dir>            where loss.svg, decision.svg and model.sdm go   (default playground-out)
          --help                 this text

        Classification datasets train a logit output with binary cross-entropy; sine trains with mean squared error.
        """;

    public string Dataset { get; init; } = "xor";

    public int[]? Layers { get; init; }

    public Activation Activation { get; init; } = Activation.Tanh;

    public string Optimizer { get; init; } = "adam";

    public double LearningRate { get; init; } = 0.01;

    public int Batch { get; init; } = 32;

    public int Epochs { get; init; } = 300;

    public int Samples { get; init; } = 400;

    public ulong Seed { get; init; } = 1;

    public bool Float { get; init; }

    public bool Vanishing { get; init; }

    public string Out { get; init; } = "playground-out";

    public bool ShowHelp { get; init; }

    /// <summary>Parses the arguments, or throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            o = name switch
            {
                "--help" or "-h" or "-?" => o with { ShowHelp = true },
                "--dataset" => o with { Dataset = Value().ToLowerInvariant() },
                "--layers" => o with { Layers = Value().Split(',').Select(s => Int(name, s)).ToArray() },
                "--activation" => o with { Activation = ParseActivation(Value()) },
                "--optimizer" => o with { Optimizer = Value().ToLowerInvariant() },
                "--lr" => o with { LearningRate = Double(name, Value()) },
                "--batch" => o with { Batch = Int(name, Value()) },
                "--epochs" => o with { Epochs = Int(name, Value()) },
                "--samples" => o with { Samples = Int(name, Value()) },
                "--seed" => o with { Seed = (ulong)Int(name, Value()) },
                "--float" => o with { Float = true },
                "--vanishing" => o with { Vanishing = true },
                "--out" => o with { Out = Value() },
                _ => throw new ArgumentException($"Unknown option '{name}'. Run with --help for the list."),
            };
        }

        if (!Datasets.Names.Contains(o.Dataset))
        {
            throw new ArgumentException($"Unknown dataset '{o.Dataset}'; choose one of {string.Join(", ", Datasets.Names)}.");
        }

        int inputs = o.Dataset == "sine" ? 1 : 2;
        int[] layers = o.Layers ?? [inputs, 8, 1];
        if (layers.Length < 2 || layers[0] != inputs || layers[^1] != 1 || layers.Any(l => l <= 0))
        {
            throw new ArgumentException($"--layers must start with {inputs} (the {o.Dataset} inputs), end with 1 and have positive widths; got {string.Join(",", layers)}.");
        }

        if (o.Epochs <= 0 || o.Samples <= 0 || o.Batch < 0 || !(o.LearningRate > 0))
        {
            throw new ArgumentException("--epochs and --samples must be positive, --batch at least 0 and --lr positive.");
        }

        return o with { Layers = layers };
    }

    public Optimizer<T> CreateOptimizer<T>(IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => Optimizer switch
        {
            "sgd" => new Sgd<T>(parameters, LearningRate),
            "momentum" => new Sgd<T>(parameters, LearningRate, momentum: 0.9),
            "nesterov" => new Sgd<T>(parameters, LearningRate, momentum: 0.9, nesterov: true),
            "rmsprop" => new RmsProp<T>(parameters, LearningRate),
            "adam" => new Adam<T>(parameters, LearningRate),
            "adamw" => new Adam<T>(parameters, LearningRate, weightDecay: 0.01, decoupled: true),
            _ => throw new ArgumentException($"Unknown optimizer '{Optimizer}'; choose sgd, momentum, nesterov, rmsprop, adam or adamw."),
        };

    private static Activation ParseActivation(string s) =>
        Enum.TryParse(s, ignoreCase: true, out Activation a) && Enum.IsDefined(a)
            ? a
            : throw new ArgumentException($"Unknown activation '{s}'; choose one of {string.Join(", ", Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()))}.");

    private static int Int(string option, string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"{option}: '{s}' is not a whole number.");

    private static double Double(string option, string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"{option}: '{s}' is not a number.");
}
