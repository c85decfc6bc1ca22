using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>
/// <see cref="DenseLayer{T}"/>'s public methods and properties give one row per example, while the
/// layer keeps its values unit by unit inside: checked against the matrix formulas written as
/// plain loops, on a batch and widths where the two layouts differ.
/// </summary>
[Collection(nameof(ThreadLimit))]
public class DenseLayerTests
{
    private const int Rows = 3, Inputs = 4, Outputs = 5;

    // Sums of up to 300 products, in another order than the formulas'.
    private const double Tolerance = 1e-11;

    [Fact]
    public void ForwardGivesOneRowPerExample() => AssertForward(Rows, Inputs, Outputs);

    [Fact]
    public void BackwardTakesAndGivesOneRowPerExample() => AssertBackward(Rows, Inputs, Outputs);

    // A layer whose products are shared between threads by bands of its units does its
    // element-wise passes band by band with them (forward: bias and activation after the band's
    // rows of Z; backward: dZ and ∂L/∂b before the band's rows of ∂L/∂W): the results are the
    // formulas', on one thread as on two.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void PassesDoneWithTheProductsGiveTheFormulas(int threads)
    {
        using ThreadLimit limit = ThreadLimit.Set(threads);
        AssertForward(96, 300, 256);
        AssertBackward(96, 300, 256);
    }

    private static void AssertForward(int rows, int inputs, int outputs)
    {
        (DenseLayer<double> layer, double[] x) = Layer(rows, inputs, outputs);
        double[] returned = layer.Forward(x, rows);

        double[] z = ExpectedZ(layer, x, rows);
        for (int i = 0; i < rows * outputs; i++)
        {
            Assert.Equal(z[i], layer.Z[i], Tolerance);
            Assert.Equal(Math.Tanh(z[i]), layer.A[i], Tolerance);
            Assert.Equal(Math.Tanh(z[i]), returned[i], Tolerance);
        }
    }

    private static void AssertBackward(int rows, int inputs, int outputs)
    {
        (DenseLayer<double> layer, double[] x) = Layer(rows, inputs, outputs);
        layer.Forward(x, rows);
        var random = new SeededRandom(7);
        double[] dA = Enumerable.Range(0, rows * outputs).Select(_ => random.NextDouble(-1, 1)).ToArray();

        double[] dX = layer.Backward(x, dA, needInputGradient: true)!;

        double[] z = ExpectedZ(layer, x, rows);
        double[] dZ = z.Select((v, i) => dA[i] * (1 - (Math.Tanh(v) * Math.Tanh(v)))).ToArray();
        for (int o = 0; o < outputs; o++)
        {
            Assert.Equal(Enumerable.Range(0, rows).Sum(r => dZ[(r * outputs) + o]), layer.BiasGradient[o], Tolerance);
            for (int i = 0; i < inputs; i++)
            {
                Assert.Equal(Enumerable.Range(0, rows).Sum(r => dZ[(r * outputs) + o] * x[(r * inputs) + i]), layer.WeightGradient[(o * inputs) + i], Tolerance);
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                Assert.Equal(Enumerable.Range(0, outputs).Sum(o => dZ[(r * outputs) + o] * layer.Weights[(o * inputs) + i]), dX[(r * inputs) + i], Tolerance);
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

    private static (DenseLayer<double> Layer, double[] X) Layer(int rows, int inputs, int outputs)
    {
        var layer = new DenseLayer<double>(inputs, outputs, Activation.Tanh);
        var random = new SeededRandom(3);
        for (int i = 0; i < layer.Weights.Length; i++)
        {
            layer.Weights[i] = random.NextDouble(-1, 1) / Math.Sqrt(inputs);
        }

        for (int o = 0; o < outputs; o++)
        {
            layer.Bias[o] = random.NextDouble(-1, 1);
        }

        return (layer, Enumerable.Range(0, rows * inputs).Select(_ => random.NextDouble(-1, 1)).ToArray());
    }

    // z[r, o] = Σᵢ x[r, i]·W[o, i] + b[o], one row per example.
    private static double[] ExpectedZ(DenseLayer<double> layer, double[] x, int rows)
    {
        int inputs = layer.Inputs, outputs = layer.Outputs;
        var z = new double[rows * outputs];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                z[(r * outputs) + o] = layer.Bias[o] + Enumerable.Range(0, inputs).Sum(i => x[(r * inputs) + i] * layer.Weights[(o * inputs) + i]);
            }
        }

        return z;
    }
}
