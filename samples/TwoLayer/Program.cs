using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using SymDiff;
using SymDiff.Nn;
using TwoLayer;

// The seed article's 3-2-2 network, end to end: forward pass, loss, all fourteen gradients
// (computed twice: through the generated gradient of one [Differentiable] method, and through
// the Mlp runtime whose activation and loss derivatives are also generated), one SGD step,
// then training to near-zero loss.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// --help describes the sample; --explain and --html show the generated chain rule instead of the
// run; anything else is an error (exit code 1).
var explain = new Option<bool>("--explain") { Description = "Print the network's forward and backward pass step by step with its numbers (every z, a and adjoint, the fourteen gradients), instead of the run" };
var html = new Option<string?>("--html") { Description = "Write the same trace as an HTML page to this file, instead of the run", HelpName = "FILE" };
var root = new RootCommand("The seed article's 3-2-2 network end to end: forward pass, loss, all fourteen gradients (generated, and through the Mlp runtime), one SGD step, then training to near-zero loss.") { explain, html };
ParseResult command = root.Parse(args);
if (command.Action is not null)
{
    return command.Invoke();
}

double[] W1 = [0.1, 0.2, -0.1, -0.2, 0.1, 0.3], b1 = [0.1, -0.1], W2 = [0.2, -0.1, 0.1, 0.2], b2 = [0.05, 0.1];
double[] x = [4, 7, 0.85], y = [0.9, 0.8];
if (command.GetValue(explain) || command.GetValue(html) is not null)
{
    var trace = new GradientTrace(maxStepsPerLine: 50);
    Network.LossTrace(W1, b1, W2, b2, x, y, trace);
    if (command.GetValue(explain))
    {
        Console.WriteLine(trace.ToText());
    }

    if (command.GetValue(html) is { } page)
    {
        if (Cli.TryWrite("--html", page, trace.ToHtml()) is { } error)
        {
            Console.Error.WriteLine(error);
            return 2;
        }

        Console.WriteLine($"Wrote the network's chain rule to {System.IO.Path.GetFullPath(page)}");
    }

    return 0;
}

var mlp = new Mlp<double>([3, 2, 2], [Activation.Relu, Activation.Identity]);
Load(mlp, W1, b1, W2, b2);
double mlpLoss = mlp.ComputeGradients(x, y, 1, Loss.SumSquaredError);

Console.WriteLine("3-2-2 network: ReLU hidden layer, identity outputs, squared error summed over outputs");
Console.WriteLine($"x = [{Join(x)}], y = [{Join(y)}]");
Console.WriteLine();
Console.WriteLine("Forward pass");
for (int l = 0; l < 2; l++)
{
    Console.WriteLine($"  layer {l + 1}: z = [{Join(mlp.Layers[l].Z.ToArray())}]  a = [{Join(mlp.Layers[l].A.ToArray())}]");
}

var dW1 = new double[6];
var db1 = new double[2];
var dW2 = new double[4];
var db2 = new double[2];
double loss = Network.LossGradient(W1, b1, W2, b2, x, y, dW1, db1, dW2, db2);
Console.WriteLine($"  loss = {loss:0.############} (article: 0.5001125); through Mlp: {mlpLoss:0.############}");
Console.WriteLine();

(string Name, double Generated, double Mlp, double Article)[] rows =
[
    .. Rows("∂L/∂W1", dW1, mlp.Layers[0].WeightGradient, [-1.194, -2.0895, -0.253725, -0.418, -0.7315, -0.088825], 3),
    .. Rows("∂L/∂b1", db1, mlp.Layers[0].BiasGradient, [-0.2985, -0.1045], 1),
    .. Rows("∂L/∂W2", dW2, mlp.Layers[1].WeightGradient, [-1.787775, -0.054175, -1.842225, -0.055825], 2),
    .. Rows("∂L/∂b2", db2, mlp.Layers[1].BiasGradient, [-0.985, -1.015], 1),
];
Console.WriteLine($"  {"gradient",-14} {"generated",12} {"Mlp",12} {"article",12}  agree");
double worst = 0;
foreach (var (name, generated, viaMlp, article) in rows)
{
    double gap = Math.Max(Math.Abs(generated - article), Math.Abs(viaMlp - generated));
    worst = Math.Max(worst, gap);
    Console.WriteLine($"  {name,-14} {generated,12:0.######} {viaMlp,12:0.######} {article,12:0.######}  {(gap < 1e-12 ? "yes" : "NO")}");
}

Console.WriteLine($"  largest difference between the three columns: {worst:0.#e+0}");
Console.WriteLine();

// One SGD step with α = 0.01 on the generated gradients.
const double alpha = 0.01;
Step(W1, dW1, alpha);
Step(b1, db1, alpha);
Step(W2, dW2, alpha);
Step(b2, db2, alpha);
Console.WriteLine($"One SGD step, α = {alpha}: w11(2) = 0.2 − 0.01·({dW2[0]:0.######}) = {W2[0]:R} (article: 0.21787775)");
Console.WriteLine($"  loss after the step: {Network.Loss(W1, b1, W2, b2, x, y):0.############}");
Console.WriteLine();

// Train the Mlp from the article's weights until the loss is near zero.
Load(mlp, [0.1, 0.2, -0.1, -0.2, 0.1, 0.3], [0.1, -0.1], [0.2, -0.1, 0.1, 0.2], [0.05, 0.1]);
var sgd = new Sgd<double>(mlp.Parameters, alpha);
TrainingHistory history = Trainer.Train(mlp, sgd, x, y, 1, new TrainingOptions
{
    Epochs = 1000,
    Loss = Loss.SumSquaredError,
    TargetLoss = 1e-10,
    OnStep = s =>
    {
        if (s.Step <= 3 || (s.Step & (s.Step - 1)) == 0)
        {
            Console.WriteLine($"  step {s.Step,4}: loss {s.Loss:0.##########}");
        }
    },
});
Console.WriteLine($"Trained with SGD (α = {alpha}) for {history.StepLosses.Count} steps: loss {history.EpochLosses[^1]:0.###e+0}, outputs [{Join(mlp.Forward(x, 1).ToArray())}] for targets [{Join(y)}]");
return worst < 1e-12 ? 0 : 1;

static void Load(Mlp<double> mlp, double[] w1, double[] b1, double[] w2, double[] b2)
{
    w1.CopyTo(mlp.Layers[0].Weights, 0);
    b1.CopyTo(mlp.Layers[0].Bias, 0);
    w2.CopyTo(mlp.Layers[1].Weights, 0);
    b2.CopyTo(mlp.Layers[1].Bias, 0);
}

static (string, double, double, double)[] Rows(string name, double[] generated, double[] viaMlp, double[] article, int columns) =>
    generated.Select((g, i) => ($"{name}[{(columns == 1 ? $"{i}" : $"{i / columns},{i % columns}")}]", g, viaMlp[i], article[i])).ToArray();

static void Step(double[] p, double[] g, double rate)
{
    for (int i = 0; i < p.Length; i++)
    {
        p[i] -= rate * g[i];
    }
}

static string Join(double[] v) => string.Join(", ", v.Select(e => e.ToString("0.#######", CultureInfo.InvariantCulture)));
