using System;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>The runtime's GradCheck: passes correct gradients, names the worst component of a wrong one.</summary>
public class GradCheckTests
{
    private static double Loss(ReadOnlySpan<double> p) => (p[0] * 2 + p[1] - 1) * (p[0] * 2 + p[1] - 1) + Math.Sin(p[2]);

    [Fact]
    public void A_correct_gradient_passes()
    {
        GradCheckReport report = GradCheck.Check(
            (p, g) =>
            {
                double e = p[0] * 2 + p[1] - 1;
                g[0] = 4 * e;
                g[1] = 2 * e;
                g[2] = Math.Cos(p[2]);
                return Loss(p);
            },
            [0.3, -0.2, 1.1],
            ["w", "b", "c"]);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(Loss([0.3, -0.2, 1.1]), report.Value);
        Assert.StartsWith("GradCheck passed", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_component_fails_and_is_named()
    {
        GradCheckReport report = GradCheck.Check(
            (p, g) =>
            {
                double e = p[0] * 2 + p[1] - 1;
                g[0] = 4 * e;
                g[1] = 2 * e;
                g[2] = -Math.Cos(p[2]); // wrong sign
                return Loss(p);
            },
            [0.3, -0.2, 1.1],
            ["w", "b", "c"]);
        Assert.False(report.Passed);
        Assert.Equal(2, report.WorstIndex);
        Assert.Equal("c", report.WorstName);
        Assert.Contains("FAILED: worst component c", report.ToString(), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => report.ThrowIfFailed());
    }

    [Fact]
    public void Numerical_gradient_is_central_differences()
    {
        double[] g = new double[3];
        GradCheck.Numerical(Loss, [0.3, -0.2, 1.1], g);
        double e = 0.3 * 2 - 0.2 - 1;
        Assert.Equal(4 * e, g[0], 8);
        Assert.Equal(2 * e, g[1], 8);
        Assert.Equal(Math.Cos(1.1), g[2], 8);
    }
}
