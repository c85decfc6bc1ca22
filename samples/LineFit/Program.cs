using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using LineFit;
using SymDiff;

// Fits y = w·x + b to five points on y = 2x + 1 by gradient descent, with every gradient
// coming from the code SymDiff generated for Model.Loss and Model.BatchLoss.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var learningRate = Cli.Number("--lr", "Learning rate (try 1.5 to watch it diverge)", 0.1, v => v > 0, "must be positive");
var steps = Cli.Whole("--steps", "Full-batch steps", 30, v => v >= 0, "must be 0 or more");
var batchSize = Cli.Whole("--batch", "Mini-batch SGD with batches of this size instead of full batch (0: full batch)", 0, v => v >= 0, "must be 0 or more");
var epochs = Cli.Whole("--epochs", "Epochs of mini-batch SGD", 10, v => v >= 1, "must be at least 1");
var order = Cli.OneOf("--order", "Order of the points in each epoch of mini-batch SGD", "fixed", "fixed", "shuffled");
var seed = Cli.Whole("--seed", "Seed of the shuffled order", 1, _ => true, string.Empty);
var startW = Cli.Number("--w", "Starting w", -3, _ => true, string.Empty);
var startB = Cli.Number("--b", "Starting b", 3, _ => true, string.Empty);
var explain = new Option<bool>("--explain") { Description = "Print the chain rule of step 0 (the loss at the starting w, b) step by step with its numbers, instead of training" };
var html = new Option<string?>("--html") { Description = "Write step 0's chain rule as an HTML page to this file, instead of training", HelpName = "FILE" };

var command = new RootCommand("Fits y = w·x + b to five points by gradient descent on the gradient SymDiff generated.")
{
    learningRate, steps, batchSize, epochs, order, seed, startW, startB, explain, html,
};
command.SetAction(parse => parse.GetValue(explain) || parse.GetValue(html) is not null
    ? Explain(parse.GetValue(startW), parse.GetValue(startB), parse.GetValue(explain), parse.GetValue(html))
    : Fit(new Options(
    parse.GetValue(learningRate), parse.GetValue(steps), parse.GetValue(batchSize) is > 0 and int size ? size : null, parse.GetValue(epochs),
    parse.GetValue(order)!, parse.GetValue(seed), parse.GetValue(startW), parse.GetValue(startB))));
return command.Parse(args).Invoke();

// The gradient of step 0 as the generated LossTrace records it: every forward value, then every
// chain-rule step of the backward pass (adjoint = local derivative × incoming adjoint).
static int Explain(double w, double b, bool text, string? page)
{
    var trace = new GradientTrace();
    Model.LossTrace(w, b, trace);
    if (text)
    {
        Console.WriteLine(trace.ToText());
    }

    if (page is not null)
    {
        if (Cli.TryWrite("--html", page, trace.ToHtml()) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }

        Console.WriteLine($"Wrote the chain rule of step 0 to {Path.GetFullPath(page)}");
    }

    return 0;
}

static int Fit(Options options)
{
    Console.WriteLine("SymDiff line fit: y = w·x + b on x = [-2, -1, 0, 1, 2], y = [-3, -1, 1, 3, 5]");
    string generated = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "obj", "Generated",
        "SymDiff.Generators", "SymDiff.Generators.DifferentiableGenerator", "LineFit.Model.Loss.g.cs");
    Console.WriteLine(File.Exists(generated)
        ? $"Generated gradient code: {Path.GetFullPath(generated)}"
        : "Generated gradient code: build with EmitCompilerGeneratedFiles (see LineFit.csproj) to write it to obj/Generated");

    // Check the generated gradient against central differences once before trusting it.
    GradCheckReport check = GradCheck.Check(
        (p, g) => Model.LossGradient(p[0], p[1], out g[0], out g[1]),
        [options.W, options.B],
        ["w", "b"]).ThrowIfFailed();
    Console.WriteLine(check);
    Console.WriteLine();

    double w = options.W, b = options.B;
    if (options.Batch is null)
    {
        Console.WriteLine($"Full-batch gradient descent, learning rate {options.LearningRate}");
        Table.Header("step", "of the loss");
        for (int step = 0; step <= options.Steps; step++)
        {
            double loss = Model.LossGradient(w, b, out double dw, out double db);
            Table.Row(step.ToString(CultureInfo.InvariantCulture), loss, w, b, dw, db);
            if (!double.IsFinite(loss) || loss > 1e12)
            {
                Console.WriteLine("The loss is exploding: the learning rate is too large, so every step overshoots further.");
                return 0;
            }

            w -= options.LearningRate * dw;
            b -= options.LearningRate * db;
        }
    }
    else
    {
        int size = options.Batch.Value;
        Console.WriteLine($"Mini-batch SGD, batch size {size}, {options.Order} order, learning rate {options.LearningRate}");
        Table.Header("epoch.batch  points", "of the batch's loss");
        var random = new Random(options.Seed);
        int[] order = Enumerable.Range(0, Model.X.Length).ToArray();
        double[] xs = new double[size], ys = new double[size];
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.Order == "shuffled")
            {
                random.Shuffle(order);
            }

            for (int start = 0, batch = 1; start < order.Length; start += size, batch++)
            {
                int n = Math.Min(size, order.Length - start);
                for (int k = 0; k < n; k++)
                {
                    xs[k] = Model.X[order[start + k]];
                    ys[k] = Model.Y[order[start + k]];
                }

                Model.BatchLossGradient(w, b, xs.AsSpan(0, n), ys.AsSpan(0, n), out double dw, out double db);
                double loss = Model.Loss(w, b);
                string points = string.Join(",", order.Skip(start).Take(n));
                Table.Row($"{epoch}.{batch}  [{points}]", loss, w, b, dw, db);
                if (!double.IsFinite(loss) || loss > 1e12)
                {
                    Console.WriteLine("The loss is exploding: the learning rate is too large, so every step overshoots further.");
                    return 0;
                }

                w -= options.LearningRate * dw;
                b -= options.LearningRate * db;
            }
        }
    }

    Console.WriteLine();
    Console.WriteLine($"Result: w = {Table.Number(w, 4)}, b = {Table.Number(b, 4)} (the data lie on w = 2, b = 1)");
    return 0;
}

internal sealed record Options(double LearningRate, int Steps, int? Batch, int Epochs, string Order, int Seed, double W, double B);

internal static class Table
{
    // Both runs print the same columns: each row is one step, taken from (w, b) as shown.
    public static void Header(string first, string gradient)
    {
        Console.WriteLine($"Each row: w and b before the step; the loss on all five points there; dw, db the gradient {gradient} the step follows.");
        Console.WriteLine($"{first,-22} {"loss",12} {"w",10} {"b",10} {"dw",12} {"db",12}");
    }

    public static void Row(string first, double loss, double w, double b, double dw, double db) =>
        Console.WriteLine($"{first,-22} {Number(loss),12} {Number(w, 4),10} {Number(b, 4),10} {Number(dw),12} {Number(db),12}");

    // Readable at any size: 54, 0.001234, 1.0e+300 (never 300 digits), NaN.
    public static string Number(double value, int decimals = -1)
    {
        double size = Math.Abs(value);
        if (!double.IsFinite(value) || (size != 0 && (size >= 1e6 || size < 1e-4)))
        {
            return double.IsFinite(value) ? value.ToString("0.0##e+00", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
        }

        return decimals >= 0 ? value.ToString("F" + decimals, CultureInfo.InvariantCulture) : value.ToString("G6", CultureInfo.InvariantCulture);
    }
}
