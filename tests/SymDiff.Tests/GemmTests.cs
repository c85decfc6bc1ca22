using System;
using System.Linq;
using SymDiff.Nn;

namespace SymDiff.Tests;

[Collection(nameof(ThreadLimit))]
public class GemmTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(8, 32, 16)]
    [InlineData(13, 37, 29)]
    [InlineData(64, 10, 300)]
    [InlineData(130, 70, 260)]
    [InlineData(3, 1100, 5)]
    [InlineData(9, 45, 2050)] // k in three slices of 684, 684 and 682
    [InlineData(5, 50, 40)]   // a transposed B's last panel: 64-byte blocks, 8×8 blocks and single values
    public void MatchesNaiveProductInEveryLayout(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                double[] a = Numerical.Uniform(m + n, m * k, -1, 1), b = Numerical.Uniform(k + 7, k * n, -1, 1);
                Layout al = ta ? Layout.Transposed(m) : Layout.RowMajor(k);
                Layout bl = tb ? Layout.Transposed(k) : Layout.RowMajor(n);
                double[] expected = Naive(m, n, k, a, al, b, bl);
                double[] start = Numerical.Uniform(1, m * n, -1, 1);

                double[] c = (double[])start.Clone();
                Gemm.Multiply(m, n, k, a, al, b, bl, c, accumulate: false);
                AssertClose(expected, c, 1e-12);

                Gemm.Multiply(m, n, k, a, al, b, bl, c, accumulate: true);
                AssertClose(expected.Select(v => 2 * v).ToArray(), c, 1e-12);

                float[] cf = new float[m * n];
                Gemm.Multiply(m, n, k, a.Select(v => (float)v).ToArray(), al, b.Select(v => (float)v).ToArray(), bl, cf, accumulate: false);
                AssertClose(expected, cf.Select(v => (double)v).ToArray(), 1e-4 * Math.Sqrt(k));
            }
        }
    }

    // Row-major operands are read in place (only their ragged edges are packed), so a view into a
    // wider matrix must be read with its own row stride, not its width.
    [Theory]
    [InlineData(13, 37, 29)]
    [InlineData(128, 784, 300)]
    public void ReadsRowMajorViewsOfWiderMatricesWithTheirStride(int m, int n, int k)
    {
        var al = new Layout(k + 5, 1);
        var bl = new Layout(n + 3, 1);
        double[] a = Numerical.Uniform(m, m * al.RowStride, -1, 1), b = Numerical.Uniform(n, k * bl.RowStride, -1, 1);
        double[] expected = Naive(m, n, k, a, al, b, bl);

        foreach (int threads in new[] { 1, 2 })
        {
            using ThreadLimit limit = ThreadLimit.Set(threads);
            double[] c = new double[m * n];
            Gemm.Multiply(m, n, k, a, al, b, bl, c, accumulate: false);
            AssertClose(expected, c, 1e-12);

            float[] cf = new float[m * n];
            Gemm.Multiply(m, n, k, a.Select(v => (float)v).ToArray(), al, b.Select(v => (float)v).ToArray(), bl, cf, accumulate: false);
            AssertClose(expected, cf.Select(v => (double)v).ToArray(), 1e-4 * Math.Sqrt(k));
        }
    }

    // A block inside a larger matrix, in place (row-major) or packed (transposed), on one and two
    // threads: the view starts at its offset, and nothing outside it is read.
    [Theory]
    [InlineData(10, 128, 128, false)] // a 10-output layer over half of 256 hidden units, unit by unit
    [InlineData(10, 128, 128, true)]
    [InlineData(37, 300, 29, false)]
    [InlineData(37, 300, 29, true)]
    public void ReadsBlocksOfLargerMatricesFromTheirOffsets(int m, int n, int k, bool transposed)
    {
        // A is the columns [k, 2k) of an m × 2k matrix (or of its transpose); B the rows [k, 2k) of a 2k × n one.
        Layout al = transposed ? Layout.Transposed(m) with { Offset = k * m } : Layout.RowMajor(2 * k) with { Offset = k };
        Layout bl = transposed ? Layout.Transposed(2 * k) with { Offset = k } : Layout.RowMajor(n) with { Offset = k * n };
        double[] a = Numerical.Uniform(m, 2 * m * k, -1, 1), b = Numerical.Uniform(n, 2 * k * n, -1, 1);
        double[] expected = Naive(m, n, k, a, al, b, bl);

        // The same values with everything outside the views made NaN: a read outside would show.
        double[] aOnlyView = Enumerable.Repeat(double.NaN, a.Length).ToArray(), bOnlyView = Enumerable.Repeat(double.NaN, b.Length).ToArray();
        for (int i = 0; i < m; i++)
        {
            for (int p = 0; p < k; p++)
            {
                int at = al.Offset + (i * al.RowStride) + (p * al.ColStride);
                aOnlyView[at] = a[at];
            }
        }

        for (int p = 0; p < k; p++)
        {
            for (int j = 0; j < n; j++)
            {
                int at = bl.Offset + (p * bl.RowStride) + (j * bl.ColStride);
                bOnlyView[at] = b[at];
            }
        }

        foreach (int threads in new[] { 1, 2 })
        {
            using ThreadLimit limit = ThreadLimit.Set(threads);
            double[] c = new double[m * n];
            Gemm.Multiply(m, n, k, aOnlyView, al, bOnlyView, bl, c, accumulate: false);
            AssertClose(expected, c, 1e-12);
        }
    }

    [Fact]
    public void RejectsOperandsTooShortForTheirLayout()
    {
        double[] a = new double[6 * 4], b = new double[4 * 5], c = new double[6 * 5];
        Gemm.Multiply(6, 5, 4, a, Layout.RowMajor(4), b, Layout.RowMajor(5), c, accumulate: false);

        var tooShort = Assert.Throws<ArgumentException>(() => Gemm.Multiply(6, 5, 4, new double[23], Layout.RowMajor(4), b, Layout.RowMajor(5), c, accumulate: false));
        Assert.Equal("a", tooShort.ParamName);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(6, 5, 4, a, Layout.RowMajor(4) with { Offset = 1 }, b, Layout.RowMajor(5), c, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(6, 5, 4, a, Layout.RowMajor(4), b, new Layout(6, 1), c, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(6, 5, 4, a, Layout.RowMajor(4), b, Layout.RowMajor(5), new double[29], accumulate: false));
    }

    [Theory]
    [InlineData(128, 256, 300, false)] // tall: the threads share one packed B and split the rows
    [InlineData(256, 784, 128, true)]  // the 784-256-10 weight gradient, A transposed
    [InlineData(130, 1100, 40, true)]  // several blocks of columns, ragged edges
    [InlineData(16, 1100, 300, false)] // short and wide: the threads split the columns
    public void OneThreadAndTwoThreadsGiveTheSameResult(int m, int n, int k, bool transposeA)
    {
        float[] a = Numerical.Uniform(1, m * k, -1, 1).Select(v => (float)v).ToArray();
        float[] b = Numerical.Uniform(2, k * n, -1, 1).Select(v => (float)v).ToArray();
        Layout al = transposeA ? Layout.Transposed(m) : Layout.RowMajor(k);
        var one = new float[m * n];
        var two = new float[m * n];

        // Overwrite, then accumulate on top, with each thread count.
        using (ThreadLimit.Set(1))
        {
            Gemm.Multiply(m, n, k, a, al, b, Layout.RowMajor(n), one, false);
            Gemm.Multiply(m, n, k, a, al, b, Layout.RowMajor(n), one, true);
        }

        using (ThreadLimit.Set(2))
        {
            Gemm.Multiply(m, n, k, a, al, b, Layout.RowMajor(n), two, false);
            Gemm.Multiply(m, n, k, a, al, b, Layout.RowMajor(n), two, true);
        }

        Assert.Equal(one, two);
        for (int i = 0; i < one.Length; i++)
        {
            one[i] /= 2;
        }

        double[] expected = Naive(m, n, k, a.Select(v => (double)v).ToArray(), al, b.Select(v => (double)v).ToArray(), Layout.RowMajor(n));
        AssertClose(expected, one.Select(v => (double)v).ToArray(), 1e-4 * Math.Sqrt(k));
    }

    // The first layer's forward product of 784-256-10: B is the batch, transposed, so it is packed;
    // on two threads each packs it once for the several bands it takes. The next product, with
    // another batch of the same shape in the same threads' buffers, must pack its own.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void APackedOperandServesOnlyItsOwnProduct(int threads)
    {
        const int units = 256, rows = 128, inputs = 784;
        float[] w = Numerical.Uniform(3, units * inputs, -1, 1).Select(v => (float)v).ToArray();
        float[][] batches = [.. new[] { 4, 5 }.Select(seed => Numerical.Uniform(seed, rows * inputs, -1, 1).Select(v => (float)v).ToArray())];
        Layout wl = Layout.RowMajor(inputs), xl = Layout.Transposed(inputs);
        using var limit = ThreadLimit.Set(threads);
        foreach (float[] x in batches)
        {
            var z = new float[units * rows];
            Gemm.Multiply(units, rows, inputs, w, wl, x, xl, z, accumulate: false);
            double[] expected = Naive(units, rows, inputs, w.Select(v => (double)v).ToArray(), wl, x.Select(v => (double)v).ToArray(), xl);
            AssertClose(expected, z.Select(v => (double)v).ToArray(), 1e-4 * Math.Sqrt(inputs));
        }
    }

    // The bits of every element do not depend on the CPU: each is one chain of fused
    // multiply-adds over p in order (per slice of k, slices added in order), whatever the vector
    // width, FMA support or thread count. This test runs again in the NoIntrinsics and Vector512
    // test projects, under those DOTNET_* settings, against the same scalar reference.
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(13, 37, 29)]
    [InlineData(64, 40, 300)]
    [InlineData(9, 45, 2050)]
    public void EveryElementIsOneFusedMultiplyAddChain(int m, int n, int k)
    {
        foreach (bool tb in new[] { false, true })
        {
            double[] a = Numerical.Uniform(m + 3, m * k, -1, 1), b = Numerical.Uniform(k + 5, k * n, -1, 1), start = Numerical.Uniform(n, m * n, -1, 1);
            Layout al = Layout.RowMajor(k), bl = tb ? Layout.Transposed(k) : Layout.RowMajor(n);
            foreach (bool accumulate in new[] { false, true })
            {
                double[] c = (double[])start.Clone();
                Gemm.Multiply(m, n, k, a, al, b, bl, c, accumulate);
                Assert.Equal(FusedChains(m, n, k, a, al, b, bl, start, accumulate), c);

                float[] af = a.Select(v => (float)v).ToArray(), bf = b.Select(v => (float)v).ToArray(), cf = start.Select(v => (float)v).ToArray();
                float[] expected = FusedChains(m, n, k, af, al, bf, bl, (float[])cf.Clone(), accumulate);
                Gemm.Multiply(m, n, k, af, al, bf, bl, cf, accumulate);
                Assert.Equal(expected, cf);
            }
        }
    }

    // The reference of the test above, written without the library: k cut into equal slices of
    // at most 1024, each slice's sum a fused multiply-add chain from zero, added to C in order.
    private static T[] FusedChains<T>(int m, int n, int k, T[] a, Layout al, T[] b, Layout bl, T[] start, bool accumulate)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        int slices = (k + 1023) / 1024, depth = (k + slices - 1) / slices;
        var c = (T[])start.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int p0 = 0; p0 < k; p0 += depth)
                {
                    T sum = T.Zero;
                    for (int p = p0; p < Math.Min(k, p0 + depth); p++)
                    {
                        sum = T.FusedMultiplyAdd(a[al.Offset + (i * al.RowStride) + (p * al.ColStride)], b[bl.Offset + (p * bl.RowStride) + (j * bl.ColStride)], sum);
                    }

                    c[(i * n) + j] = p0 == 0 && !accumulate ? sum : c[(i * n) + j] + sum;
                }
            }
        }

        return c;
    }

    private static double[] Naive(int m, int n, int k, double[] a, Layout al, double[] b, Layout bl)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += a[al.Offset + (i * al.RowStride) + (p * al.ColStride)] * b[bl.Offset + (p * bl.RowStride) + (j * bl.ColStride)];
                }

                c[i * n + j] = sum;
            }
        }

        return c;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
