using System;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>Each update rule against its published formula, worked by hand for θ = [1, −2], ∇ = [0.5, 0.25].</summary>
public class OptimizerTests
{
    private static Parameter<double>[] Params(out double[] theta, out double[] grad)
    {
        theta = [1, -2];
        grad = [0.5, 0.25];
        return [new Parameter<double>("p", 1, theta, grad)];
    }

    [Fact]
    public void PlainSgdWithWeightDecay()
    {
        var ps = Params(out double[] theta, out _);
        new Sgd<double>(ps, learningRate: 0.1, weightDecay: 0.01).Step();
        // g = 0.5 + 0.01·1 = 0.51 → 1 − 0.051; g = 0.25 − 0.02 = 0.23 → −2 − 0.023
        Assert.Equal(0.949, theta[0], 14);
        Assert.Equal(-2.023, theta[1], 14);
    }

    [Fact]
    public void MomentumAndNesterovOverTwoSteps()
    {
        var ps = Params(out double[] theta, out _);
        var sgd = new Sgd<double>(ps, learningRate: 0.1, momentum: 0.9);
        sgd.Step(); // v = 0.5 → θ = 0.95
        sgd.Step(); // v = 0.9·0.5 + 0.5 = 0.95 → θ = 0.95 − 0.095 = 0.855
        Assert.Equal(0.855, theta[0], 14);

        ps = Params(out theta, out _);
        var nesterov = new Sgd<double>(ps, learningRate: 0.1, momentum: 0.9, nesterov: true);
        nesterov.Step(); // v = 0.5, step g + μv = 0.95 → θ = 0.905
        nesterov.Step(); // v = 0.95, step 0.5 + 0.855 = 1.355 → θ = 0.905 − 0.1355 = 0.7695
        Assert.Equal(0.7695, theta[0], 14);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void SgdOnLongArraysFollowsTheRuleInEveryLane(double momentum, bool nesterov)
    {
        // 37 elements: several SIMD vectors of float and of double, plus a scalar tail.
        const int n = 37;
        var random = new Random(5);
        float[] theta = new float[n], grad = new float[n];
        for (int i = 0; i < n; i++)
        {
            theta[i] = (float)(random.NextDouble() * 2 - 1);
            grad[i] = (float)(random.NextDouble() * 2 - 1);
        }

        float[] expected = (float[])theta.Clone(), velocity = new float[n];
        const float lr = 0.1f, wd = 0.01f;
        float mu = (float)momentum;
        var sgd = new Sgd<float>([new Parameter<float>("p", 1, theta, grad)], lr, momentum, nesterov, wd);
        for (int step = 1; step <= 3; step++)
        {
            sgd.Step();
            for (int i = 0; i < n; i++)
            {
                // PyTorch's SGD, element by element.
                float g = grad[i] + wd * expected[i];
                if (momentum > 0)
                {
                    velocity[i] = step == 1 ? g : mu * velocity[i] + g;
                    g = nesterov ? g + mu * velocity[i] : velocity[i];
                }

                expected[i] -= lr * g;
            }

            Assert.Equal(expected, theta);
        }
    }

    [Fact]
    public void RmsPropStep()
    {
        var ps = Params(out double[] theta, out _);
        new RmsProp<double>(ps, learningRate: 0.01, alpha: 0.9, epsilon: 1e-8).Step();
        // s = 0.1·0.25 = 0.025; θ = 1 − 0.01·0.5/(√0.025 + 1e-8)
        Assert.Equal(1 - 0.01 * 0.5 / (Math.Sqrt(0.025) + 1e-8), theta[0], 14);
    }

    [Fact]
    public void AdamFirstStepMovesEachWeightByTheLearningRate()
    {
        var ps = Params(out double[] theta, out double[] grad);
        var adam = new Adam<double>(ps, learningRate: 0.001);
        adam.Step();
        // m̂ = g, v̂ = g² on the first step, so the step is η·g/(|g| + ε) ≈ η·sign(g).
        Assert.Equal(1 - 0.001 * 0.5 / (0.5 + 1e-8), theta[0], 14);
        Assert.Equal(-2 - 0.001 * 0.25 / (0.25 + 1e-8), theta[1], 14);

        // Second step with a new gradient, worked through the bias-corrected moments.
        grad[0] = -1;
        adam.Step();
        double m = 0.9 * 0.05 + 0.1 * -1, v = 0.999 * 0.00025 + 0.001 * 1;
        double expected = 1 - 0.001 * 0.5 / (0.5 + 1e-8) - 0.001 * (m / (1 - 0.81)) / (Math.Sqrt(v / (1 - 0.998001)) + 1e-8);
        Assert.Equal(expected, theta[0], 14);
    }

    [Fact]
    public void AdamWDecaysTheWeightsOutsideTheMoments()
    {
        var ps = Params(out double[] theta, out _);
        new Adam<double>(ps, learningRate: 0.01, weightDecay: 0.1, decoupled: true).Step();
        Assert.Equal(1 - 0.01 * 0.1 * 1 - 0.01 * 0.5 / (0.5 + 1e-8), theta[0], 14);

        ps = Params(out theta, out _);
        new Adam<double>(ps, learningRate: 0.01, weightDecay: 0.1).Step();
        // Coupled: g = 0.5 + 0.1 = 0.6, first step still η·g/|g|.
        Assert.Equal(1 - 0.01 * 0.6 / (0.6 + 1e-8), theta[0], 14);
    }

    [Fact]
    public void ClippingByGlobalNormAndByValue()
    {
        var ps = Params(out _, out double[] grad);
        grad[0] = 3;
        grad[1] = 4;
        double norm = GradientClipping.ByGlobalNorm(ps, 1);
        Assert.Equal(5, norm, 14);
        Assert.Equal(3 / (5 + 1e-6), grad[0], 14);
        Assert.Equal(4 / (5 + 1e-6), grad[1], 14);

        grad[0] = 3;
        grad[1] = -4;
        GradientClipping.ByValue(ps, 2);
        Assert.Equal([2.0, -2.0], grad);

        grad[0] = 0.3;
        grad[1] = 0.4;
        GradientClipping.ByGlobalNorm(ps, 1);
        Assert.Equal([0.3, 0.4], grad);
    }

    [Fact]
    public void Schedules()
    {
        Assert.Equal(0.1, new LearningRateSchedule.Constant(0.1).Rate(50));
        var step = new LearningRateSchedule.Step(0.1, Every: 10, Gamma: 0.5);
        Assert.Equal(0.1, step.Rate(9), 15);
        Assert.Equal(0.05, step.Rate(10), 15);
        Assert.Equal(0.025, step.Rate(25), 15);
        var cosine = new LearningRateSchedule.Cosine(0.1, Epochs: 100, Minimum: 0.001);
        Assert.Equal(0.1, cosine.Rate(0), 15);
        Assert.Equal(0.0505, cosine.Rate(50), 15);
        Assert.Equal(0.001, cosine.Rate(100), 15);
    }
}
