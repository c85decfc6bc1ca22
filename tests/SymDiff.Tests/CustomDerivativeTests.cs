using System;
using System.Linq;
using System.Reflection;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>Every derivative registered with [CustomDerivative] in the runtime, against central differences, including where the naive formulas overflow.</summary>
public class CustomDerivativeTests
{
    private static readonly string[] Checked = [nameof(Stable.SoftPlus), nameof(Stable.LogSumExp)];

    [Fact]
    public void Every_registered_rule_of_the_runtime_is_checked_here()
    {
        var registered = typeof(Stable).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<CustomDerivativeAttribute>() is not null)
            .Select(m => m.Name)
            .ToList();
        Assert.Equal(Checked.OrderBy(n => n), registered.OrderBy(n => n));
    }

    [Theory]
    [InlineData(-3.0)]
    [InlineData(-0.2)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(5.0)]
    [InlineData(40.0)]
    [InlineData(-40.0)]
    public void SoftPlus_rule_matches_central_differences(double x)
    {
        double numerical = (Stable.SoftPlus(x + 1e-6) - Stable.SoftPlus(x - 1e-6)) / 2e-6;
        double dx = 0.25;
        Stable.SoftPlusBackward(x, 2, ref dx);
        Assert.Equal(0.25 + 2 * numerical, dx, 6);
        Assert.Equal(numerical * 3, Stable.SoftPlusDerivative(x, 3), 6);
    }

    [Fact]
    public void SoftPlus_stays_finite_where_the_textbook_formula_overflows()
    {
        Assert.Equal(800, Stable.SoftPlus(800), 9);
        Assert.Equal(0, Stable.SoftPlus(-800), 9);
        double dx = 0;
        Stable.SoftPlusBackward(800, 1, ref dx);
        Assert.Equal(1, dx, 12);
    }

    [Theory]
    [InlineData(new[] { 0.1, -0.4, 1.3 })]
    [InlineData(new[] { 800.0, 799.0, -5.0 })]
    [InlineData(new[] { -1000.0, -1001.0 })]
    public void LogSumExp_rule_matches_central_differences(double[] x)
    {
        double[] dx = Enumerable.Repeat(0.5, x.Length).ToArray();
        Stable.LogSumExpBackward(x, 2, dx);
        double[] tangent = x.Select((_, i) => 0.1 * (i + 1)).ToArray();
        double expected = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double h = 1e-6 * Math.Max(1, Math.Abs(x[i]));
            double[] up = (double[])x.Clone(), down = (double[])x.Clone();
            up[i] += h;
            down[i] -= h;
            double numerical = (Stable.LogSumExp(up) - Stable.LogSumExp(down)) / (2 * h);
            Assert.True(double.IsFinite(Stable.LogSumExp(up)));
            Assert.Equal(0.5 + 2 * numerical, dx[i], 5);
            expected += numerical * tangent[i];
        }

        Assert.Equal(expected, Stable.LogSumExpDerivative(x, tangent), 5);
    }
}
