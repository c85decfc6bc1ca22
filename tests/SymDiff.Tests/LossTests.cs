using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

public class LossTests
{
    public static TheoryData<Loss> All => new(Enum.GetValues<Loss>());

    [Theory]
    [MemberData(nameof(All))]
    public void BatchGradientMatchesCentralDifferences(Loss loss)
    {
        const int batch = 3, width = 4;
        for (int trial = 0; trial < 5; trial++)
        {
            double[] prediction = Numerical.Uniform(trial + 10 * (int)loss, batch * width, -3, 3);
            double[] target = Target(loss, trial, batch, width);
            Numerical.Check((p, g) => LossFunction.Compute<double>(loss, p, target, batch, g), prediction, loss.ToString());
        }
    }

    [Fact]
    public void KnownValues()
    {
        double[] p = [1, 2, 3, 4], t = [0, 2, 5, 4];
        Assert.Equal(5.0 / 4, LossFunction.Compute<double>(Loss.MeanSquaredError, p, t, 2, default), 12);
        Assert.Equal(0.5 * (1 + 4) / 2, LossFunction.Compute<double>(Loss.HalfSquaredError, p, t, 2, default), 12);
        Assert.Equal((1 + 4) / 2.0, LossFunction.Compute<double>(Loss.SumSquaredError, p, t, 2, default), 12);

        // BCE of logit 0 is ln 2 whatever the target; softmax CE of equal logits over 4 classes is ln 4.
        Assert.Equal(Math.Log(2), LossFunction.Compute<double>(Loss.BinaryCrossEntropyWithLogits, [0.0, 0.0], [1.0, 0.0], 2, default), 12);
        Assert.Equal(Math.Log(4), LossFunction.Compute<double>(Loss.SoftmaxCrossEntropy, [3.0, 3, 3, 3], [0.0, 1, 0, 0], 1, default), 12);
    }

    [Fact]
    public void LogitLossesStayFiniteForHugeLogits()
    {
        var g = new double[3];
        double ce = LossFunction.Compute<double>(Loss.SoftmaxCrossEntropy, [1000.0, 0, -1000], [0.0, 1, 0], 1, g);
        Assert.Equal(1000, ce, 9);
        Assert.Equal([1, -1, 0], g.Select(v => Math.Round(v, 9)));

        var gb = new double[2];
        double bce = LossFunction.Compute<double>(Loss.BinaryCrossEntropyWithLogits, [800.0, -800], [0.0, 1], 2, gb);
        Assert.Equal(800, bce, 9);
        Assert.All(gb, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void FloatGradientMatchesDouble()
    {
        double[] p = Numerical.Uniform(5, 8, -2, 2), t = Numerical.Uniform(6, 8, -2, 2);
        var g = new double[8];
        var gf = new float[8];
        double v = LossFunction.Compute<double>(Loss.MeanSquaredError, p, t, 2, g);
        double vf = LossFunction.Compute<float>(Loss.MeanSquaredError, p.Select(x => (float)x).ToArray(), t.Select(x => (float)x).ToArray(), 2, gf);
        Assert.Equal(v, vf, 5);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(g[i], gf[i], 5);
        }
    }

    private static double[] Target(Loss loss, int seed, int batch, int width)
    {
        double[] u = Numerical.Uniform(100 + seed, batch * width, 0, 1);
        if (loss != Loss.SoftmaxCrossEntropy)
        {
            return loss == Loss.BinaryCrossEntropyWithLogits ? u : u.Select(x => 4 * x - 2).ToArray();
        }

        // Probability rows.
        for (int r = 0; r < batch; r++)
        {
            double sum = u.Skip(r * width).Take(width).Sum();
            for (int j = 0; j < width; j++)
            {
                u[r * width + j] /= sum;
            }
        }

        return u;
    }
}
