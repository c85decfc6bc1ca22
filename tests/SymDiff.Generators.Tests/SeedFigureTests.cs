using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>The worked numbers of the seed articles, exactly, through the generated methods.</summary>
public class SeedFigureTests
{
    private const string LineFit = """
            static readonly double[] X = { -2, -1, 0, 1, 2 };
            static readonly double[] Y = { -3, -1, 1, 3, 5 };

            [Differentiable]
            public static double Loss(double w, double b)
            {
                double sum = 0;
                for (int i = 0; i < X.Length; i++) { double error = w * X[i] + b - Y[i]; sum += error * error; }
                return sum / X.Length;
            }
        """;

    [Theory]
    [InlineData(-3, 3, 54, -20, 4)]
    [InlineData(3, 1, 2, 4, 0)]
    [InlineData(2, 1, 0, 0, 0)]
    public void Line_fit_loss_and_gradient(double w, double b, double loss, double dw, double db)
    {
        var probe = Probe.For("Cases.C", "Loss", Sources.InClass(LineFit));
        double[] g = new double[2];
        double value = probe.Gradient([w, b], [], [], g, []);
        Assert.Equal(loss, value, 12);
        Assert.Equal(dw, g[0], 12);
        Assert.Equal(db, g[1], 12);
        Check.AtRandomPoints(probe);
    }

    [Fact]
    public void Chain_rule_square_of_linear()
    {
        // y = (3x + 1)² at x = 2: y = 49, dy/dx = 2·(3x + 1)·3 = 42.
        var probe = Probe.For("Cases.C", "Y", Sources.InClass("[Differentiable] public static double Y(double x) => Math.Pow(3 * x + 1, 2);"));
        double[] g = new double[1];
        Assert.Equal(49, probe.Gradient([2], [], [], g, []), 12);
        Assert.Equal(42, g[0], 12);
        Assert.Equal(42, probe.Derivative([2], [], [], [1], []), 12);
        Check.AtRandomPoints(probe);
    }

    [Fact]
    public void Add_then_multiply_circuit()
    {
        // f = (x + y)·z at (−2, 5, −4): f = −12, ∂f/∂x = ∂f/∂y = z = −4, ∂f/∂z = x + y = 3.
        var probe = Probe.For("Cases.C", "F", Sources.InClass("[Differentiable] public static double F(double x, double y, double z) { double q = x + y; return q * z; }"));
        double[] g = new double[3];
        Assert.Equal(-12, probe.Gradient([-2, 5, -4], [], [], g, []), 12);
        Assert.Equal(new double[] { -4, -4, 3 }, g);
        Check.AtRandomPoints(probe);
    }

    [Theory]
    [InlineData(-1, -13, -4, 1)] // max(x, w) = w: the max gate routes its gradient to w
    [InlineData(-3, -14, -3, 0)] // max(x, w) = x: x gets z + 1
    public void Circuit_with_max_gate(double w, double f, double dx, double dw)
    {
        // f = (x + y)·z + max(x, w) at x = −2, y = 5, z = −4.
        var probe = Probe.For("Cases.C", "F", Sources.InClass("[Differentiable] public static double F(double x, double y, double z, double w) => (x + y) * z + Math.Max(x, w);"));
        double[] g = new double[4];
        Assert.Equal(f, probe.Gradient([-2, 5, -4, w], [], [], g, []), 12);
        Assert.Equal(new double[] { dx, -4, 3, dw }, g);
        Check.AtRandomPoints(probe, accept: (s, _) => System.Math.Abs(s[0] - s[3]) > 1e-3);
    }

    [Fact]
    public void Partials_of_a_bowl()
    {
        // f = x² + 2y² at (0.5, 0.3): ∂f/∂x = 2x = 1.0, ∂f/∂y = 4y = 1.2.
        var probe = Probe.For("Cases.C", "F", Sources.InClass("[Differentiable] public static double F(double x, double y) => x * x + 2 * y * y;"));
        double[] g = new double[2];
        probe.Gradient([0.5, 0.3], [], [], g, []);
        Assert.Equal(1.0, g[0], 12);
        Assert.Equal(1.2, g[1], 12);
        Check.AtRandomPoints(probe);
    }

    [Fact]
    public void Composition_through_generated_methods()
    {
        // y = f(g(x)) with g = 3x, f = u²: at x = 2, u = 6, y = 36, dy/dx = 2u·3 = 36.
        const string source = """
                [Differentiable] public static double G(double x) => 3 * x;
                [Differentiable] public static double F(double u) => u * u;
                [Differentiable] public static double Y(double x) => F(G(x));
            """;
        var probe = Probe.For("Cases.C", "Y", Sources.InClass(source));
        double[] g = new double[1];
        Assert.Equal(36, probe.Gradient([2], [], [], g, []), 12);
        Assert.Equal(36, g[0], 12);
        Assert.Equal(36, probe.Derivative([2], [], [], [1], []), 12);
        Check.AtRandomPoints(probe);
    }
}
