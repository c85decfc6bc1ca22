using System;
using NewtonSample;
using SymDiff.Optimization;
using Xunit;

namespace SymDiff.Tests;

/// <summary>
/// GradCheck.CheckHessian and the Newton minimiser, on Hessians the generator writes for this
/// project (the same path a user's project takes), of the Newton sample's own models
/// (samples/Newton/Models.cs, compiled into this project too).
/// </summary>
public static class SecondOrderRuntimeTests
{
    private static double RosenbrockH(ReadOnlySpan<double> p, Span<double> g, Span<double> h) => Models.RosenbrockHessian(p[0], p[1], out g[0], out g[1], h);

    [Fact]
    public static void CheckHessian_passes_a_generated_Hessian_and_names_the_worst_entry()
    {
        HessianCheckReport report = GradCheck.CheckHessian(RosenbrockH, [-1, 1], ["x", "y"]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(new double[] { 802, 400, 400, 200 }, report.Analytic);
        Assert.True(report.Symmetric);
        Assert.StartsWith("Hessian check passed: worst entry H[", report.ToString());
    }

    [Fact]
    public static void CheckHessian_fails_a_wrong_Hessian_and_an_asymmetric_one()
    {
        // A Hessian off by one in H[y,y].
        HessianCheckReport wrong = GradCheck.CheckHessian((p, g, h) => { double f = RosenbrockH(p, g, h); h[3] += 1; return f; }, [-1, 1], ["x", "y"]);
        Assert.False(wrong.Passed);
        Assert.Equal("H[y,y]", wrong.WorstName);
        Assert.Contains("analytic 201, from differences of the gradient 200", wrong.ToString());
        Assert.Throws<InvalidOperationException>(() => wrong.ThrowIfFailed());

        // Within tolerance but not symmetric.
        HessianCheckReport asymmetric = GradCheck.CheckHessian((p, g, h) => { double f = RosenbrockH(p, g, h); h[1] += 1e-9; return f; }, [-1, 1]);
        Assert.False(asymmetric.Passed);
        Assert.False(asymmetric.Symmetric);
        Assert.EndsWith("; NOT symmetric", asymmetric.ToString());
    }

    [Fact]
    public static void Newton_reaches_Rosenbrocks_minimum_in_a_few_dozen_steps()
    {
        double[] x = [-1.2, 1];
        NewtonResult result = Newton.Minimize(RosenbrockH, x, new NewtonOptions { GradientTolerance = 1e-8 }, p => Models.Rosenbrock(p[0], p[1]));
        Assert.True(result.Converged);
        Assert.InRange(result.Iterations, 1, 30);
        Assert.Equal(1, x[0], 8);
        Assert.Equal(1, x[1], 8);

        // Quadratic convergence at the end: the last steps are full steps.
        Assert.Equal(1, result.Steps[^1].StepLength);
    }

    [Fact]
    public static void Newton_fits_a_logistic_regression_in_a_handful_of_steps_where_gradient_descent_needs_hundreds()
    {
        double[] x = [0, 0];
        NewtonResult newton = Newton.Minimize((p, g, h) => Models.LogisticHessian(p[0], p[1], out g[0], out g[1], h), x, new NewtonOptions { GradientTolerance = 1e-8 });
        Assert.True(newton.Converged);
        Assert.InRange(newton.Iterations, 1, 8);

        double w = 0, b = 0;
        int steps = 0;
        for (; steps < 100_000; steps++)
        {
            Models.LogisticGradient(w, b, out double dw, out double db);
            if (Math.Max(Math.Abs(dw), Math.Abs(db)) <= 1e-8)
            {
                break;
            }

            w -= 0.5 * dw;
            b -= 0.5 * db;
        }

        Assert.True(steps > 100 * newton.Iterations, $"gradient descent took {steps} steps, Newton {newton.Iterations}");
        Assert.Equal(x[0], w, 1e-5);
        Assert.Equal(x[1], b, 1e-5);
    }

    [Fact]
    public static void Newton_takes_a_descent_step_where_the_Hessian_is_indefinite()
    {
        // At (0, 1) Rosenbrock's Hessian [[2 − 400·(1 − 0), 0], [0, 200]] has a negative entry: damping makes the step descend.
        double[] x = [0, 1];
        NewtonResult result = Newton.Minimize(RosenbrockH, x, new NewtonOptions { GradientTolerance = 1e-8 });
        Assert.True(result.Steps[0].Damping > 0);
        Assert.True(result.Converged);
    }

    [Fact]
    public static void Newton_refuses_bad_settings_and_starting_points()
    {
        Assert.Throws<ArgumentException>(() => Newton.Minimize(RosenbrockH, new double[] { double.NaN, 1 }));
        Assert.Throws<ArgumentException>(() => Newton.Minimize(RosenbrockH, new double[] { 0, 1 }, new NewtonOptions { MaxIterations = 0 }));
        Assert.Throws<ArgumentException>(() => Newton.Minimize(RosenbrockH, new double[] { 0, 1 }, new NewtonOptions { SufficientDecrease = 0.7 }));
        Assert.Throws<ArgumentException>(() => Newton.Minimize(RosenbrockH, new double[] { 0, 1 }, new NewtonOptions { GradientTolerance = double.NaN }));
    }
}
