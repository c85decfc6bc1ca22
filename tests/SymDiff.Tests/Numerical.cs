using System;
using SymDiff;

namespace SymDiff.Tests;

/// <summary>Random points and central-difference checks shared by the runtime tests.</summary>
internal static class Numerical
{
    /// <summary>Checks an analytic gradient (returned with the value) against central differences, with GradCheck's tolerances.</summary>
    public static void Check(GradientFunction function, double[] point, string what)
    {
        GradCheckReport report = GradCheck.Check(function, point);
        Assert.True(report.Passed, $"{what} at [{string.Join(", ", point)}]: {report}");
    }

    /// <summary>Uniform values in [lo, hi) from a fixed seed.</summary>
    public static double[] Uniform(int seed, int n, double lo, double hi)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = lo + (hi - lo) * random.NextDouble();
        }

        return values;
    }
}
