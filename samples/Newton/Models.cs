using System;
using SymDiff;

namespace NewtonSample;

/// <summary>Two small nonlinear fits whose Hessians SymDiff generates.</summary>
public static partial class Models
{
    /// <summary>Rosenbrock's banana valley: minimum 0 at (1, 1), a long curved valley that gradient descent crawls along.</summary>
    [Differentiable(Hessian = true)]
    public static double Rosenbrock(double x, double y)
    {
        double a = 1 - x;
        double b = y - x * x;
        return a * a + 100 * b * b;
    }

    /// <summary>Hours studied, and whether the exam was passed: overlapping classes, so the best fit is finite.</summary>
    public static readonly double[] Hours = { 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0 };

    /// <summary>1 for passed.</summary>
    public static readonly double[] Passed = { 0, 0, 0, 1, 0, 1, 0, 1, 1, 1 };

    /// <summary>Mean cross-entropy of the logistic model p = σ(w·hours + b).</summary>
    [Differentiable(Hessian = true)]
    public static double Logistic(double w, double b)
    {
        double loss = 0;
        for (int i = 0; i < Hours.Length; i++)
        {
            double z = w * Hours[i] + b;
            double p = 1 / (1 + Math.Exp(-z));
            loss -= Passed[i] * Math.Log(p) + (1 - Passed[i]) * Math.Log(1 - p);
        }

        return loss / Hours.Length;
    }
}
