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

    /// <summary>The seed article's 3-2-2 ReLU network, straight-line form (also in bench/).</summary>
    public const string Network = """
            [Differentiable(nameof(W1), nameof(b1), nameof(W2), nameof(b2))]
            public static double NetLoss(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y)
            {
                double z10 = b1[0] + W1[0] * x[0] + W1[1] * x[1] + W1[2] * x[2];
                double z11 = b1[1] + W1[3] * x[0] + W1[4] * x[1] + W1[5] * x[2];
                double a10 = Math.Max(0, z10);
                double a11 = Math.Max(0, z11);
                double z20 = b2[0] + W2[0] * a10 + W2[1] * a11;
                double z21 = b2[1] + W2[2] * a10 + W2[3] * a11;
                double e0 = z20 - y[0];
                double e1 = z21 - y[1];
                return e0 * e0 + e1 * e1;
            }
        """;

    /// <summary>The same network written with loops and a local activation array (the taped strategy).</summary>
    public const string NetworkWithLoops = """
            [Differentiable(nameof(W1), nameof(b1), nameof(W2), nameof(b2))]
            public static double NetLoss(double[] W1, double[] b1, double[] W2, double[] b2, double[] x, double[] y)
            {
                int inputs = x.Length, hidden = b1.Length, outputs = b2.Length;
                double[] a = new double[hidden];
                for (int j = 0; j < hidden; j++)
                {
                    double z = b1[j];
                    for (int k = 0; k < inputs; k++) z += W1[j * inputs + k] * x[k];
                    a[j] = Math.Max(0, z);
                }

                double loss = 0;
                for (int o = 0; o < outputs; o++)
                {
                    double z = b2[o];
                    for (int j = 0; j < hidden; j++) z += W2[o * hidden + j] * a[j];
                    double e = z - y[o];
                    loss += e * e;
                }

                return loss;
            }
        """;

    [Theory]
    [InlineData("straight-line")]
    [InlineData("loops and a local activation array")]
    public void Three_two_two_network_loss_and_all_fourteen_gradients(string form)
    {
        var probe = Probe.For("Cases.C", "NetLoss", Sources.InClass(form == "straight-line" ? Network : NetworkWithLoops));
        double[][] a = [[0.1, 0.2, -0.1, -0.2, 0.1, 0.3], [0.1, -0.1], [0.2, -0.1, 0.1, 0.2], [0.05, 0.1], [4, 7, 0.85], [0.9, 0.8]];
        double[][] g = [new double[6], new double[2], new double[4], new double[2], new double[3], new double[2]];
        Assert.Equal(0.5001125, probe.Gradient([], a, [], [], g), 12);
        double[][] expected =
        [
            [-1.194, -2.0895, -0.253725, -0.418, -0.7315, -0.088825],
            [-0.2985, -0.1045],
            [-1.787775, -0.054175, -1.842225, -0.055825],
            [-0.985, -1.015],
        ];
        for (int k = 0; k < expected.Length; k++)
        {
            for (int i = 0; i < expected[k].Length; i++)
            {
                Assert.Equal(expected[k][i], g[k][i], 12);
            }
        }

        // Away from the ReLU kinks, everything also matches central differences.
        Check.AtRandomPoints(probe, [6, 2, 4, 2, 3, 2], accept: (_, arr) =>
            System.Math.Abs(arr[1][0] + arr[0][0] * arr[4][0] + arr[0][1] * arr[4][1] + arr[0][2] * arr[4][2]) > 0.05
            && System.Math.Abs(arr[1][1] + arr[0][3] * arr[4][0] + arr[0][4] * arr[4][1] + arr[0][5] * arr[4][2]) > 0.05);
    }
}
