using System;

namespace SymDiff.Nn;

/// <summary>
/// A small, fast generator (SplitMix64) whose output depends only on its seed, on every .NET
/// version and platform: the same seed gives bit-identical initial weights, shuffles and data.
/// </summary>
public sealed class SeededRandom
{
    private ulong state;
    private double spare = double.NaN;

    /// <summary>Starts the sequence of <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value; equal seeds give equal sequences.</param>
    public SeededRandom(ulong seed) => state = seed;

    /// <summary>The next 64 random bits.</summary>
    /// <returns>A uniformly distributed value.</returns>
    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform value in [0, 1) with 53 random bits.</summary>
    /// <returns>The value.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform value in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound.</param>
    /// <returns>The value.</returns>
    public double NextDouble(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    /// <param name="bound">The exclusive upper bound, positive.</param>
    /// <returns>The value.</returns>
    public int NextInt(int bound) => (int)((NextUInt64() >> 33) * (ulong)bound >> 31);

    /// <summary>A standard normal value (Box–Muller; the second value of each pair is kept for the next call).</summary>
    /// <returns>The value.</returns>
    public double NextGaussian()
    {
        if (!double.IsNaN(spare))
        {
            double s = spare;
            spare = double.NaN;
            return s;
        }

        double u = 1 - NextDouble(), v = NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u));
        spare = r * Math.Sin(2 * Math.PI * v);
        return r * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The values.</param>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
