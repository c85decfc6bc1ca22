using System;
using Xunit;

namespace SymDiff.Tests;

/// <summary><see cref="Branchless.Select(bool, double, double)"/> gives the conditional's result, bit for bit.</summary>
public class BranchlessTests
{
    private static readonly double[] Specials =
        [0.0, -0.0, 1.5, -2.25, double.NaN, BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234), double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue];

    [Fact]
    public void Double_select_returns_the_chosen_value_bit_for_bit()
    {
        var random = new Random(7);
        foreach (double a in Specials)
        {
            foreach (double b in Specials)
            {
                foreach (bool c in new[] { true, false })
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(c ? a : b), BitConverter.DoubleToInt64Bits(Branchless.Select(c, a, b)));
                }
            }
        }

        for (int i = 0; i < 1000; i++)
        {
            double z = random.NextDouble() - 0.5, a = random.NextDouble(), b = -random.NextDouble();
            Assert.Equal(z > 0 ? a : b, Branchless.Select(z > 0, a, b));
        }
    }

    [Fact]
    public void Float_select_returns_the_chosen_value_bit_for_bit()
    {
        var random = new Random(8);
        foreach (double a64 in Specials)
        {
            foreach (double b64 in Specials)
            {
                float a = (float)a64, b = (float)b64;
                foreach (bool c in new[] { true, false })
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(c ? a : b), BitConverter.SingleToInt32Bits(Branchless.Select(c, a, b)));
                }
            }
        }

        for (int i = 0; i < 1000; i++)
        {
            float z = (float)random.NextDouble() - 0.5f, a = (float)random.NextDouble(), b = -(float)random.NextDouble();
            Assert.Equal(z > 0 ? a : b, Branchless.Select(z > 0, a, b));
        }
    }
}
