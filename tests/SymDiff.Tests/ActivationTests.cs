using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

public class ActivationTests
{
    public static TheoryData<Activation> All => new(Enum.GetValues<Activation>());

    [Theory]
    [MemberData(nameof(All))]
    public void GeneratedPullbackMatchesCentralDifferences(Activation activation)
    {
        // Random points away from the kinks of ReLU and leaky ReLU at 0.
        double[] points = Numerical.Uniform((int)activation + 1, 40, -6, 6).Where(z => Math.Abs(z) > 1e-3).ToArray();
        foreach (double z in points)
        {
            Numerical.Check((x, g) =>
            {
                var a = new double[1];
                var dA = new[] { 1.0 };
                var dZ = new double[1];
                ActivationLayer.Forward<double>(activation, x, a);
                ActivationLayer.Backward<double>(activation, x, dA, dZ);
                g[0] = dZ[0];
                return a[0];
            }, [z], activation.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void SinglePrecisionPullbackMatchesCentralDifferences(Activation activation)
    {
        // The float overloads have their own generated Backward; check it in float, where a step
        // of 1e-2 balances truncation (~h²) against rounding (~6e-8 / h).
        const float h = 1e-2f;
        foreach (double point in Numerical.Uniform(20 + (int)activation, 40, -6, 6).Where(z => Math.Abs(z) > 0.05))
        {
            float z = (float)point;
            float[] a = new float[1], plus = new float[1], minus = new float[1], dZ = new float[1];
            ActivationLayer.Forward<float>(activation, [z + h], plus);
            ActivationLayer.Forward<float>(activation, [z - h], minus);
            ActivationLayer.Backward<float>(activation, [z], [1f], dZ);
            double numeric = ((double)plus[0] - minus[0]) / (2 * h);
            Assert.True(Math.Abs(numeric - dZ[0]) <= 2e-3 * Math.Max(1, Math.Abs(numeric)), $"{activation}'({z}): {dZ[0]} vs {numeric}");

            float forward = activation switch
            {
                Activation.Identity => Activations.IdentityDerivative(z, 1f),
                Activation.Relu => Activations.ReluDerivative(z, 1f),
                Activation.LeakyRelu => Activations.LeakyReluDerivative(z, 1f),
                Activation.Sigmoid => Activations.SigmoidDerivative(z, 1f),
                Activation.Tanh => Activations.TanhDerivative(z, 1f),
                Activation.Gelu => Activations.GeluDerivative(z, 1f),
                Activation.Silu => Activations.SiluDerivative(z, 1f),
                _ => Activations.SoftplusDerivative(z, 1f),
            };
            Assert.Equal(dZ[0], forward, 5);
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void ForwardModeAgreesWithReverseMode(Activation activation)
    {
        foreach (double z in Numerical.Uniform(7, 10, -4, 4))
        {
            double forward = activation switch
            {
                Activation.Identity => Activations.IdentityDerivative(z, 1),
                Activation.Relu => Activations.ReluDerivative(z, 1),
                Activation.LeakyRelu => Activations.LeakyReluDerivative(z, 1),
                Activation.Sigmoid => Activations.SigmoidDerivative(z, 1),
                Activation.Tanh => Activations.TanhDerivative(z, 1),
                Activation.Gelu => Activations.GeluDerivative(z, 1),
                Activation.Silu => Activations.SiluDerivative(z, 1),
                _ => Activations.SoftplusDerivative(z, 1),
            };
            var dZ = new double[1];
            ActivationLayer.Backward<double>(activation, [z], [1.0], dZ);
            Assert.Equal(dZ[0], forward, 12);
        }
    }

    [Fact]
    public void KnownSlopes()
    {
        // σ′(0) = ¼, tanh′(0) = 1, softplus′(0) = σ(0) = ½, ReLU′(0) = 0 by the tie rule, leaky slope 0.01.
        Assert.Equal(0.25, Activations.SigmoidDerivative(0.0, 1.0), 15);
        Assert.Equal(1.0, Activations.TanhDerivative(0.0, 1.0), 15);
        Assert.Equal(0.5, Activations.SoftplusDerivative(0.0, 1.0), 15);
        Assert.Equal(0.0, Activations.ReluDerivative(0.0, 1.0));
        Assert.Equal(0.01, Activations.LeakyReluDerivative(-2.0, 1.0), 15);
        Assert.Equal(0.5, Activations.GeluDerivative(0.0, 1.0), 15);
        Assert.Equal(0.5, Activations.SiluDerivative(0.0, 1.0), 15);
    }

    [Fact]
    public void SoftplusIsStableForLargeInputs()
    {
        Assert.Equal(800.0, Activations.Softplus(800.0), 9);
        Assert.Equal(Math.Exp(-800), Activations.Softplus(-800.0));
        Assert.Equal(1.0, Activations.SoftplusDerivative(800.0, 1.0), 12);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void FloatAndDoubleAgree(Activation activation)
    {
        // Inputs a float holds exactly, so both types see the same points.
        float[] zf = Numerical.Uniform(3, 33, -3, 3).Select(v => (float)v).ToArray();
        double[] z = zf.Select(v => (double)v).ToArray();
        var a = new double[z.Length];
        var af = new float[z.Length];
        ActivationLayer.Forward<double>(activation, z, a);
        ActivationLayer.Forward<float>(activation, zf, af);
        var dz = new double[z.Length];
        var dzf = new float[z.Length];
        ActivationLayer.Backward<double>(activation, z, Enumerable.Repeat(1.0, z.Length).ToArray(), dz);
        ActivationLayer.Backward<float>(activation, zf, Enumerable.Repeat(1f, z.Length).ToArray(), dzf);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - af[i]) <= 1e-6 * Math.Max(1, Math.Abs(a[i])), $"a({z[i]}): {a[i]} vs {af[i]}");
            Assert.True(Math.Abs(dz[i] - dzf[i]) <= 1e-6 * Math.Max(1, Math.Abs(dz[i])), $"dz({z[i]}): {dz[i]} vs {dzf[i]}");
        }
    }
}
