using System;
using System.Collections.Generic;

namespace SymDiff.Optimization;

/// <summary>Settings of <see cref="Newton.Minimize"/>.</summary>
public sealed record NewtonOptions
{
    /// <summary>The most Newton steps to take.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Converged when the gradient's largest component is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-10;

    /// <summary>The sufficient-decrease constant c of the backtracking (Armijo) line search.</summary>
    public double SufficientDecrease { get; init; } = 1e-4;

    /// <summary>The most halvings of the step in one line search.</summary>
    public int MaxHalvings { get; init; } = 60;

    internal void Validate()
    {
        if (MaxIterations < 1)
        {
            throw new ArgumentException($"MaxIterations must be at least 1, not {MaxIterations}.", nameof(MaxIterations));
        }

        if (!(GradientTolerance >= 0))
        {
            throw new ArgumentException($"GradientTolerance must be zero or positive, not {GradientTolerance}.", nameof(GradientTolerance));
        }

        if (!(SufficientDecrease > 0 && SufficientDecrease < 0.5))
        {
            throw new ArgumentException($"SufficientDecrease must lie in (0, 0.5), not {SufficientDecrease}.", nameof(SufficientDecrease));
        }

        if (MaxHalvings < 1)
        {
            throw new ArgumentException($"MaxHalvings must be at least 1, not {MaxHalvings}.", nameof(MaxHalvings));
        }
    }
}

/// <summary>One step of <see cref="Newton.Minimize"/>.</summary>
/// <param name="Iteration">The step's number, from 0.</param>
/// <param name="Value">f before the step.</param>
/// <param name="GradientNorm">The gradient's largest component before the step.</param>
/// <param name="StepLength">The fraction of the Newton step the line search took (1 = the full step).</param>
/// <param name="Damping">λ added to the Hessian's diagonal to make it positive definite (0 where it already was).</param>
public sealed record NewtonStep(int Iteration, double Value, double GradientNorm, double StepLength, double Damping);

/// <summary>The outcome of <see cref="Newton.Minimize"/>.</summary>
/// <param name="Converged">True when the gradient fell below the tolerance.</param>
/// <param name="Iterations">The Newton steps taken.</param>
/// <param name="Value">f at the final point.</param>
/// <param name="GradientNorm">The gradient's largest component at the final point.</param>
/// <param name="Steps">Every step, in order.</param>
public sealed record NewtonResult(bool Converged, int Iterations, double Value, double GradientNorm, IReadOnlyList<NewtonStep> Steps);

/// <summary>
/// Newton's method on a generated <c>FHessian</c>: each step solves (H + λI)·p = −∇f by Cholesky
/// (λ = 0 where H is positive definite, otherwise the smallest of 10⁻⁸·s, 10⁻⁷·s, … with s the
/// largest |Hᵢᵢ| that makes it so: a step that always descends), then halves p until f decreases
/// by at least c·t·∇fᵀp (Armijo). Near a minimum with a positive definite Hessian the full step is
/// taken and convergence is quadratic.
/// </summary>
public static class Newton
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="x"/>, which receives the result.</summary>
    /// <param name="function">Returns f and writes ∇f and the Hessian (a generated <c>FHessian</c>).</param>
    /// <param name="x">The starting point; overwritten with the last point.</param>
    /// <param name="options">Settings; the defaults when null.</param>
    /// <param name="value">f alone, for the line search (a generated method itself); without it the line search calls <paramref name="function"/>.</param>
    /// <returns>Whether it converged, and every step.</returns>
    public static NewtonResult Minimize(HessianFunction function, Span<double> x, NewtonOptions? options = null, ScalarFunction? value = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        options ??= new NewtonOptions();
        options.Validate();
        for (int i = 0; i < x.Length; i++)
        {
            if (!double.IsFinite(x[i]))
            {
                throw new ArgumentException($"The starting point's element {i} is {x[i]}; it must be finite.", nameof(x));
            }
        }

        int m = x.Length;
        double[] gradient = new double[m], hessian = new double[m * m], factor = new double[m * m];
        double[] step = new double[m], trial = new double[m], scratchGradient = new double[m], scratchHessian = new double[m * m];
        double Evaluate(double[] at) => value is not null ? value(at) : function(at, scratchGradient, scratchHessian);
        var steps = new List<NewtonStep>();
        double f = function(x, gradient, hessian);
        for (int iteration = 0; ; iteration++)
        {
            double norm = MaxAbs(gradient);
            if (norm <= options.GradientTolerance || iteration == options.MaxIterations || !double.IsFinite(f) || double.IsNaN(norm))
            {
                return new NewtonResult(norm <= options.GradientTolerance, iteration, f, norm, steps);
            }

            double damping = Solve(hessian, gradient, factor, step, m);
            double slope = 0;
            for (int i = 0; i < m; i++)
            {
                slope += gradient[i] * step[i];
            }

            double t = 1, next = double.NaN;
            for (int halving = 0; halving <= options.MaxHalvings; halving++, t *= 0.5)
            {
                for (int i = 0; i < m; i++)
                {
                    trial[i] = x[i] + (t * step[i]);
                }

                next = Evaluate(trial);
                if (next <= f + (options.SufficientDecrease * t * slope))
                {
                    break;
                }
            }

            steps.Add(new NewtonStep(iteration, f, norm, t, damping));
            if (!(next <= f))
            {
                // No decrease along a descent direction: f is flat to rounding here.
                return new NewtonResult(false, iteration + 1, f, norm, steps);
            }

            trial.CopyTo(x);
            f = function(x, gradient, hessian);
        }
    }

    // Solves (H + λI)·p = −g by Cholesky with the smallest λ on the ladder that factors; returns λ.
    private static double Solve(double[] hessian, double[] gradient, double[] factor, double[] step, int m)
    {
        double scale = 0;
        for (int i = 0; i < m; i++)
        {
            scale = Math.Max(scale, Math.Abs(hessian[(i * m) + i]));
        }

        scale = Math.Max(scale, 1e-300);
        for (double damping = 0; ; damping = damping == 0 ? 1e-8 * scale : damping * 10)
        {
            if (Cholesky(hessian, damping, factor, m))
            {
                // L·Lᵀ·p = −g: forward then back substitution.
                for (int i = 0; i < m; i++)
                {
                    double sum = -gradient[i];
                    for (int k = 0; k < i; k++)
                    {
                        sum -= factor[(i * m) + k] * step[k];
                    }

                    step[i] = sum / factor[(i * m) + i];
                }

                for (int i = m - 1; i >= 0; i--)
                {
                    double sum = step[i];
                    for (int k = i + 1; k < m; k++)
                    {
                        sum -= factor[(k * m) + i] * step[k];
                    }

                    step[i] = sum / factor[(i * m) + i];
                }

                return damping;
            }

            if (damping > 1e300)
            {
                throw new InvalidOperationException("The Hessian has non-finite entries; Newton's method cannot take a step.");
            }
        }
    }

    private static bool Cholesky(double[] a, double damping, double[] l, int m)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[(i * m) + j] + (i == j ? damping : 0);
                for (int k = 0; k < j; k++)
                {
                    sum -= l[(i * m) + k] * l[(j * m) + k];
                }

                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        return false;
                    }

                    l[(i * m) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * m) + j] = sum / l[(j * m) + j];
                }
            }
        }

        return true;
    }

    private static double MaxAbs(double[] v)
    {
        double max = 0;
        foreach (double d in v)
        {
            max = Math.Max(max, Math.Abs(d));
        }

        return double.IsNaN(max) || Array.Exists(v, double.IsNaN) ? double.NaN : max;
    }
}
