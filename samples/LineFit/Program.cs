using System;
using System.Globalization;
using System.IO;
using System.Linq;
using LineFit;
using SymDiff;

// Fits y = w·x + b to five points on y = 2x + 1 by gradient descent, with every gradient
// coming from the code SymDiff generated for Model.Loss and Model.BatchLoss.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
if (options is null)
{
    Console.WriteLine("""
        Usage: dotnet run --project samples/LineFit -- [options]
          --lr <rate>           learning rate (default 0.1; try 1.5 to watch divergence)
          --steps <n>           full-batch steps (default 30)
          --batch <n>           mini-batch SGD with this batch size instead of full batch
          --epochs <n>          epochs for mini-batch SGD (default 10)
          --order fixed|shuffled  mini-batch order per epoch (default fixed)
          --seed <n>            shuffling seed (default 1)
          --w <value> --b <value> starting point (default -3, 3)
        """);
    return 1;
}

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
    Table.Header("step");
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
    Table.Header("epoch.batch  points");
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
            w -= options.LearningRate * dw;
            b -= options.LearningRate * db;
            string points = string.Join(",", order.Skip(start).Take(n));
            Table.Row($"{epoch}.{batch}  [{points}]".PadRight(20), Model.Loss(w, b), w, b, dw, db);
        }
    }
}

Console.WriteLine();
Console.WriteLine($"Result: w = {w:F4}, b = {b:F4} (the data lie on w = 2, b = 1)");
return 0;

internal sealed record Options(double LearningRate, int Steps, int? Batch, int Epochs, string Order, int Seed, double W, double B)
{
    public static Options? Parse(string[] args)
    {
        var o = new Options(0.1, 30, null, 10, "fixed", 1, -3, 3);
        for (int i = 0; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            double D() => double.Parse(Next() ?? "x", CultureInfo.InvariantCulture);
            int I() => int.Parse(Next() ?? "x", CultureInfo.InvariantCulture);
            try
            {
                o = args[i] switch
                {
                    "--lr" => o with { LearningRate = D() },
                    "--steps" => o with { Steps = I() },
                    "--batch" => o with { Batch = I() },
                    "--epochs" => o with { Epochs = I() },
                    "--order" => Next() is "fixed" or "shuffled" ? o with { Order = args[i] } : throw new FormatException(),
                    "--seed" => o with { Seed = I() },
                    "--w" => o with { W = D() },
                    "--b" => o with { B = D() },
                    _ => throw new FormatException(),
                };
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return o.Batch is <= 0 ? null : o;
    }
}

internal static class Table
{
    public static void Header(string first) =>
        Console.WriteLine($"{first,-20} {"loss",14} {"w",10} {"b",10} {"dw",12} {"db",12}");

    public static void Row(string first, double loss, double w, double b, double dw, double db) =>
        Console.WriteLine($"{first,-20} {loss,14:G6} {w,10:F4} {b,10:F4} {dw,12:G6} {db,12:G6}");
}
