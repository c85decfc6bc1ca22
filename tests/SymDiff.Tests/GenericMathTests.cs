using System;
using System.Numerics;

namespace SymDiff.Tests;

/// <summary><see cref="GenericMath"/> returns what <c>T</c>'s own function returns, bit for bit, for double, float and any other <c>T</c> (Half).</summary>
public class GenericMathTests
{
    // Ordinary values, the edges of each function's domain, and the special values.
    private static readonly double[] Points =
        [0.0, -0.0, 0.3, -0.7, 1.0, -1.0, 2.5, -3.75, 1e-300, 40.0, 710.0, -745.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon];

    [Fact]
    public void Each_function_matches_T_s_own_for_double() => Check<double>(BitConverter.DoubleToInt64Bits);

    [Fact]
    public void Each_function_matches_T_s_own_for_float() => Check<float>(v => BitConverter.SingleToInt32Bits(v));

    [Fact]
    public void Any_other_type_gets_its_own_function() => Check<Half>(v => BitConverter.HalfToInt16Bits(v));

    private static void Check<T>(Func<T, long> bits)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(11);
        var values = new System.Collections.Generic.List<T>();
        foreach (double p in Points)
        {
            values.Add(T.CreateTruncating(p));
        }

        for (int i = 0; i < 200; i++)
        {
            values.Add(T.CreateTruncating((random.NextDouble() - 0.5) * 8));
        }

        (string Name, Func<T, T, T> Ours, Func<T, T, T> Theirs)[] functions =
        [
            ("Sin", (x, _) => GenericMath.Sin(x), (x, _) => T.Sin(x)),
            ("Cos", (x, _) => GenericMath.Cos(x), (x, _) => T.Cos(x)),
            ("Tan", (x, _) => GenericMath.Tan(x), (x, _) => T.Tan(x)),
            ("Asin", (x, _) => GenericMath.Asin(x), (x, _) => T.Asin(x)),
            ("Acos", (x, _) => GenericMath.Acos(x), (x, _) => T.Acos(x)),
            ("Atan", (x, _) => GenericMath.Atan(x), (x, _) => T.Atan(x)),
            ("Atan2", GenericMath.Atan2, T.Atan2),
            ("Exp", (x, _) => GenericMath.Exp(x), (x, _) => T.Exp(x)),
            ("Log", (x, _) => GenericMath.Log(x), (x, _) => T.Log(x)),
            ("Log10", (x, _) => GenericMath.Log10(x), (x, _) => T.Log10(x)),
            ("Log2", (x, _) => GenericMath.Log2(x), (x, _) => T.Log2(x)),
            ("Pow", GenericMath.Pow, T.Pow),
            ("Sinh", (x, _) => GenericMath.Sinh(x), (x, _) => T.Sinh(x)),
            ("Cosh", (x, _) => GenericMath.Cosh(x), (x, _) => T.Cosh(x)),
            ("Tanh", (x, _) => GenericMath.Tanh(x), (x, _) => T.Tanh(x)),
            ("Cbrt", (x, _) => GenericMath.Cbrt(x), (x, _) => T.Cbrt(x)),
        ];

        int checkedPairs = 0;
        foreach ((string name, Func<T, T, T> ours, Func<T, T, T> theirs) in functions)
        {
            for (int i = 0; i < values.Count; i++)
            {
                T x = values[i], y = values[(i * 7 + 3) % values.Count];
                T expected = theirs(x, y), actual = ours(x, y);
                Assert.True(bits(expected) == bits(actual) || (T.IsNaN(expected) && T.IsNaN(actual)), $"{name}({x}, {y}): {actual}, T's own gives {expected}");
                checkedPairs++;
            }
        }

        Assert.Equal(16 * values.Count, checkedPairs);
    }
}
