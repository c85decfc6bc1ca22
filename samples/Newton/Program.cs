using System;
using System.CommandLine;
using System.Globalization;
using NewtonSample;
using SymDiff;
using SymDiff.Optimization;

// Newton's method on SymDiff's generated Hessians against gradient descent on its gradients:
// a handful of steps against hundreds or thousands.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// No options: --help describes the sample, and anything else is an error (exit code 1).
ParseResult command = new RootCommand("Newton's method on SymDiff's generated Hessians against gradient descent on its gradients, on Rosenbrock's valley and a logistic regression.").Parse(args);
if (command.Action is not null)
{
    return command.Invoke();
}

Fit(
    "Rosenbrock's valley f(x, y) = (1 − x)² + 100·(y − x²)², from (−1.2, 1)",
    ["x", "y"],
    [-1.2, 1],
    (p, g, h) => Models.RosenbrockHessian(p[0], p[1], out g[0], out g[1], h),
    (p, g) => Models.RosenbrockGradient(p[0], p[1], out g[0], out g[1]),
    p => Models.Rosenbrock(p[0], p[1]),
    learningRate: 0.002);

Fit(
    "Logistic regression of passing on hours studied (10 students), from w = 0, b = 0",
    ["w", "b"],
    [0, 0],
    (p, g, h) => Models.LogisticHessian(p[0], p[1], out g[0], out g[1], h),
    (p, g) => Models.LogisticGradient(p[0], p[1], out g[0], out g[1]),
    p => Models.Logistic(p[0], p[1]),
    learningRate: 0.5);
return 0;

static void Fit(string title, string[] names, double[] start, HessianFunction hessian, GradientFunction gradient, ScalarFunction value, double learningRate)
{
    Console.WriteLine(title);

    // The generated Hessian against differences of the generated gradient, before trusting it.
    Console.WriteLine(GradCheck.CheckHessian(hessian, start, names).ThrowIfFailed());

    double[] x = (double[])start.Clone();
    NewtonResult newton = Newton.Minimize(hessian, x, new NewtonOptions { GradientTolerance = 1e-8 }, value);
    Console.WriteLine($"Newton's method: {newton.Iterations} steps to |∇f| ≤ 1e-8");
    Console.WriteLine("  step  f before                 max |∂f|     step length  damping");
    foreach (NewtonStep s in newton.Steps)
    {
        Console.WriteLine($"  {s.Iteration,4}  {s.Value,-22:G15}  {s.GradientNorm,11:0.000e+00}  {s.StepLength,11:G4}  {s.Damping:G3}");
    }

    Console.WriteLine($"  end   {newton.Value,-22:G15}  {newton.GradientNorm,11:0.000e+00}  at ({string.Join(", ", Array.ConvertAll(x, v => v.ToString("G10", CultureInfo.InvariantCulture)))})");

    // Gradient descent with a fixed learning rate (about the largest that does not diverge here).
    double[] y = (double[])start.Clone(), g = new double[start.Length];
    const int Limit = 100_000;
    int steps = 0;
    double f = gradient(y, g);
    for (; steps < Limit && MaxAbs(g) > 1e-8; steps++)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] -= learningRate * g[i];
        }

        f = gradient(y, g);
    }

    Console.WriteLine(steps == Limit
        ? $"Gradient descent (learning rate {learningRate}): not there after {Limit:N0} steps: f = {f:G15}, max |∂f| = {MaxAbs(g):0.000e+00}"
        : $"Gradient descent (learning rate {learningRate}): {steps:N0} steps to |∇f| ≤ 1e-8, f = {f:G15}");
    Console.WriteLine();
}

static double MaxAbs(double[] v)
{
    double max = 0;
    foreach (double d in v)
    {
        max = Math.Max(max, Math.Abs(d));
    }

    return max;
}
