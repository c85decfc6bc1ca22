using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Globalization;
using System.Linq;
using SymDiff.Nn;

namespace Playground;

/// <summary>The playground's command line.</summary>
internal sealed record Options
{
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

    public static readonly string[] Optimizers = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];

    /// <summary>
    /// The command line: System.CommandLine parses and validates it (--help, a message naming the
    /// option and the reason for a bad value, an error for an unknown option, exit code 1), and
    /// <paramref name="run"/> gets the options of a valid one.
    /// </summary>
    public static RootCommand Command(Func<Options, int> run)
    {
        var dataset = Cli.OneOf("--dataset", "The dataset", "xor", Datasets.Names.ToArray());
        var layers = new Option<int[]?>("--layers")
        {
            Description = "Widths from input to output, e.g. 2,8,1 [default: 2,8,1; 1,8,1 for sine]",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
                int[] widths = text.Split(',').Select(w => int.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : -1).ToArray();
                if (widths.Length < 2 || widths.Any(w => w <= 0))
                {
                    result.AddError($"--layers: '{text}' is not a list of two or more positive widths such as 2,8,1.");
                }

                return widths;
            },
        };
        string[] activations = Enum.GetNames<Activation>().Select(n => n.ToLowerInvariant()).ToArray();
        var activation = Cli.OneOf("--activation", "The hidden layers' activation", "tanh", activations);
        var optimizer = Cli.OneOf("--optimizer", "The optimizer", "adam", Optimizers);
        var learningRate = Cli.Number("--lr", "Learning rate", 0.01, v => v > 0, "must be positive");
        var batch = Cli.Whole("--batch", "Mini-batch size, 0 for full batch", 32, v => v >= 0, "must be 0 or more");
        var epochs = Cli.Whole("--epochs", "Passes over the data", 300, v => v >= 1, "must be at least 1");
        var samples = Cli.Whole("--samples", "Dataset size", 400, v => v >= 1, "must be at least 1");
        var seed = Cli.Whole("--seed", "Seed of the data, the weights and the shuffles", 1, v => v >= 0, "must be 0 or more");
        var single = new Option<bool>("--float") { Description = "Train in single precision (default double)" };
        var vanishing = new Option<bool>("--vanishing") { Description = "Also compare per-layer gradient magnitudes of the same layers with sigmoid and with ReLU, and plot them" };
        var output = new Option<string>("--out") { Description = "The directory loss.png, decision.png, gradients.png (with --vanishing) and model.sdm go to", DefaultValueFactory = _ => "playground-out" };

        var command = new RootCommand("SymDiff playground: train a small network on a synthetic dataset and look at what it learned. Classification datasets train a logit output with binary cross-entropy; sine trains with mean squared error.")
        {
            dataset, layers, activation, optimizer, learningRate, batch, epochs, samples, seed, single, vanishing, output,
        };
        command.Validators.Add(result =>
        {
            // The layers must fit the dataset: its inputs in, one output. An option that did not parse
            // has its own error already (reading its value throws): nothing to add then.
            string name;
            int[]? widths;
            try
            {
                name = result.GetValue(dataset) ?? "xor";
                widths = result.GetValue(layers);
            }
            catch (InvalidOperationException)
            {
                return;
            }

            int inputs = name == "sine" ? 1 : 2;
            if (widths is { Length: >= 2 } && (widths[0] != inputs || widths[^1] != 1))
            {
                result.AddError($"--layers must start with {inputs} (the {name} inputs) and end with 1; got {string.Join(",", widths)}.");
            }
        });
        command.SetAction(parse =>
        {
            string name = parse.GetValue(dataset)!;
            var options = new Options
            {
                Dataset = name,
                Layers = parse.GetValue(layers) is { Length: > 0 } given ? given : [name == "sine" ? 1 : 2, 8, 1],
                Activation = Enum.Parse<Activation>(parse.GetValue(activation)!, ignoreCase: true),
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(learningRate),
                Batch = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs),
                Samples = parse.GetValue(samples),
                Seed = (ulong)parse.GetValue(seed),
                Float = parse.GetValue(single),
                Vanishing = parse.GetValue(vanishing),
                Out = parse.GetValue(output)!,
            };

            // Where the results go is checked before training, not after minutes of it.
            if (options.OutputProblem() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }

            return run(options);
        });
        return command;
    }

    /// <summary>Why the results can't be written to <see cref="Out"/>, in one line; null when they can.</summary>
    public string? OutputProblem()
    {
        if (File.Exists(Out))
        {
            return $"--out: '{Out}' is a file; give a directory for the pictures and model.sdm.";
        }

        try
        {
            Directory.CreateDirectory(Out);
            string probe = Path.Combine(Out, ".write-test");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"--out: cannot write to '{Out}': {e.Message}";
        }
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
}
