using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>
/// <see cref="DenseLayer{T}"/>'s public methods and properties give one row per example, while the
/// layer keeps its values unit by unit inside: checked against the matrix formulas written as
/// plain loops, on a batch and widths where the two layouts differ.
/// </summary>
public class DenseLayerTests
{
    private const int Rows = 3, Inputs = 4, Outputs = 5;

    [Fact]
    public void ForwardGivesOneRowPerExample()
    {
        (DenseLayer<double> layer, double[] x) = Layer();
        double[] returned = layer.Forward(x, Rows);

        double[] z = ExpectedZ(layer, x);
        for (int i = 0; i < Rows * Outputs; i++)
        {
            Assert.Equal(z[i], layer.Z[i], 12);
            Assert.Equal(Math.Tanh(z[i]), layer.A[i], 12);
            Assert.Equal(Math.Tanh(z[i]), returned[i], 12);
        }
    }

    [Fact]
    public void BackwardTakesAndGivesOneRowPerExample()
    {
        (DenseLayer<double> layer, double[] x) = Layer();
        layer.Forward(x, Rows);
        var random = new SeededRandom(7);
        double[] dA = Enumerable.Range(0, Rows * Outputs).Select(_ => random.NextDouble(-1, 1)).ToArray();

        double[] dX = layer.Backward(x, dA, needInputGradient: true)!;

        double[] z = ExpectedZ(layer, x);
        double[] dZ = z.Select((v, i) => dA[i] * (1 - (Math.Tanh(v) * Math.Tanh(v)))).ToArray();
        for (int o = 0; o < Outputs; o++)
        {
            Assert.Equal(Enumerable.Range(0, Rows).Sum(r => dZ[(r * Outputs) + o]), layer.BiasGradient[o], 12);
            for (int i = 0; i < Inputs; i++)
            {
                Assert.Equal(Enumerable.Range(0, Rows).Sum(r => dZ[(r * Outputs) + o] * x[(r * Inputs) + i]), layer.WeightGradient[(o * Inputs) + i], 12);
            }
        }

        for (int r = 0; r < Rows; r++)
        {
            for (int i = 0; i < Inputs; i++)
            {
                Assert.Equal(Enumerable.Range(0, Outputs).Sum(o => dZ[(r * Outputs) + o] * layer.Weights[(o * Inputs) + i]), dX[(r * Inputs) + i], 12);
            }
        }
    }

    // A small layer over a wide one (10 outputs over 256 hidden units, batch 128) sums its product
    // by blocks of the hidden units, on one thread as on two: the sums are those of the formula.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ASmallLayerOverAWideOneGivesTheFormulasOutput(int threads)
    {
        using ThreadLimit limit = ThreadLimit.Set(threads);
        const int batch = 128;
        int[] sizes = [64, 256, 10];
        var mlp = Mlp<double>.Create(sizes, Activation.Relu, Activation.Identity, seed: 5);
        var random = new SeededRandom(9);
        double[] x = Enumerable.Range(0, batch * sizes[0]).Select(_ => random.NextDouble(-1, 1)).ToArray();

        double[] output = mlp.Forward(x, batch).ToArray();

        DenseLayer<double> hidden = mlp.Layers[0], top = mlp.Layers[1];
        for (int r = 0; r < batch; r++)
        {
            double[] h = Enumerable.Range(0, sizes[1]).Select(j => Math.Max(0, hidden.Bias[j] + Enumerable.Range(0, sizes[0]).Sum(i => x[(r * sizes[0]) + i] * hidden.Weights[(j * sizes[0]) + i]))).ToArray();
            for (int o = 0; o < sizes[2]; o++)
            {
                double expected = top.Bias[o] + Enumerable.Range(0, sizes[1]).Sum(j => h[j] * top.Weights[(o * sizes[1]) + j]);
                Assert.Equal(expected, output[(r * sizes[2]) + o], 10);
            }
        }
    }

    private static (DenseLayer<double> Layer, double[] X) Layer()
    {
        var layer = new DenseLayer<double>(Inputs, Outputs, Activation.Tanh);
        var random = new SeededRandom(3);
        for (int i = 0; i < layer.Weights.Length; i++)
        {
            layer.Weights[i] = random.NextDouble(-1, 1);
        }

        for (int o = 0; o < Outputs; o++)
        {
            layer.Bias[o] = random.NextDouble(-1, 1);
        }

        return (layer, Enumerable.Range(0, Rows * Inputs).Select(_ => random.NextDouble(-1, 1)).ToArray());
    }

    // z[r, o] = Σᵢ x[r, i]·W[o, i] + b[o], one row per example.
    private static double[] ExpectedZ(DenseLayer<double> layer, double[] x)
    {
        var z = new double[Rows * Outputs];
        for (int r = 0; r < Rows; r++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                z[(r * Outputs) + o] = layer.Bias[o] + Enumerable.Range(0, Inputs).Sum(i => x[(r * Inputs) + i] * layer.Weights[(o * Inputs) + i]);
            }
        }

        return z;
    }
}
