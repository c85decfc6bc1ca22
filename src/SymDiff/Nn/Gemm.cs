using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace SymDiff.Nn;

/// <summary>
/// A strided view of a row-major matrix: element (i, j) is at <c>Offset + i·RowStride + j·ColStride</c>.
/// A transpose is the same storage with the strides swapped, so <see cref="Gemm"/> needs one kernel.
/// </summary>
/// <param name="RowStride">Distance between rows.</param>
/// <param name="ColStride">Distance between columns.</param>
public readonly record struct Layout(int RowStride, int ColStride)
{
    /// <summary>Where element (0, 0) is: a view of a block inside a larger matrix (default 0).</summary>
    public int Offset { get; init; }

    /// <summary>One past the last element a <paramref name="rows"/> × <paramref name="columns"/> matrix laid out this way touches (0 when it is empty).</summary>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    /// <returns>The least storage length.</returns>
    public long Extent(int rows, int columns) =>
        rows == 0 || columns == 0 ? 0 : Offset + ((long)(rows - 1) * RowStride) + ((long)(columns - 1) * ColStride) + 1;

    /// <summary>A row-major matrix with <paramref name="columns"/> columns.</summary>
    /// <param name="columns">The number of columns.</param>
    /// <returns>The layout.</returns>
    public static Layout RowMajor(int columns) => new(columns, 1);

    /// <summary>The transpose of a row-major matrix with <paramref name="columns"/> columns.</summary>
    /// <param name="columns">The number of columns of the stored matrix.</param>
    /// <returns>The layout.</returns>
    public static Layout Transposed(int columns) => new(1, columns);
}

/// <summary>
/// Matrix multiplication C (+)= A·B for <see cref="float"/> and <see cref="double"/>, the way
/// BLAS libraries do it: A and B are copied block by block into packed panels that the
/// micro-kernel reads sequentially (unless an operand is already stored the way the kernel
/// reads it: then it is read in place), and the micro-kernel keeps an 8-row × 2-vector tile of C
/// in registers (<see cref="Vector512{T}"/> where the CPU has AVX-512, else <see cref="Vector256{T}"/>),
/// one fused multiply-add per element pair. Bands of C are shared between threads (up to
/// <see cref="Parallelism.MaxThreads"/>) when the product is large enough to pay for it.
/// </summary>
public static class Gemm
{
    private const int MR = 8;
    // The deepest slice of k one pass over C takes. k is cut into equal slices no deeper than
    // this: on 784-256-10 one slice of 784 instead of 256 + 256 + 256 + 16 (four loads and
    // stores of every element of C, the last pass for only 16 multiply-adds) took the first
    // layer's forward product from 168 to 138 µs on two threads (float; 335 to 291 in double).
    private const int KC = 1024;
    private const int MC = 64;
    private const int NC = 1024;

    /// <summary>The number of threads a large product may use: the same setting as <see cref="Parallelism.MaxThreads"/>.</summary>
    public static int MaxThreads
    {
        get => Parallelism.MaxThreads;
        set => Parallelism.MaxThreads = value;
    }

    /// <summary>C[m×n] = A[m×k]·B[k×n] (or C += A·B when <paramref name="accumulate"/>).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="m">Rows of C and A.</param>
    /// <param name="n">Columns of C and B.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="a">A's storage.</param>
    /// <param name="aLayout">How A is laid out in <paramref name="a"/>.</param>
    /// <param name="b">B's storage.</param>
    /// <param name="bLayout">How B is laid out in <paramref name="b"/>.</param>
    /// <param name="c">C, row-major with <paramref name="n"/> columns.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Multiply<T>(int m, int n, int k, T[] a, Layout aLayout, T[] b, Layout bLayout, T[] c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Multiply(m, n, k, a, aLayout, b, bLayout, c, accumulate, null);

    /// <summary>
    /// The same product, shared between threads as <paramref name="split"/> says (null: as
    /// <see cref="Split"/> says), with <paramref name="rows"/>' work (if any) on each band of C's
    /// rows done by the thread that computes the band, just before and just after it; that work
    /// needs a split that cuts C into bands of rows.
    /// </summary>
    internal static void Multiply<T>(int m, int n, int k, T[] a, Layout aLayout, T[] b, Layout bLayout, T[] c, bool accumulate, GemmSplit? split, IRowBandWork? rows = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows is not null && split is not { ByRows: true })
        {
            throw new ArgumentException("Work on bands of rows needs a product cut into bands of rows.", nameof(split));
        }

        Validate(m, n, k, a, aLayout, b, bLayout, c);
        if (m == 0 || n == 0 || k == 0)
        {
            rows?.BeforeRows(0, m);
            if (k == 0 && !accumulate)
            {
                c.AsSpan(0, m * n).Clear();
            }

            rows?.AfterRows(0, m);
            return;
        }

        Team<T>.Run(split ?? Split<T>(m, n, k, aLayout, bLayout), m, n, k, a, aLayout, b, bLayout, c, accumulate, rows);
    }

    /// <summary>
    /// Rows <paramref name="rows"/> and columns <paramref name="columns"/> (start inclusive, end
    /// exclusive) of C[m×n] = A[m×k]·B[k×n] (or C += A·B), on the calling thread: one block of a
    /// product whose other blocks other threads compute. Every element is the same sum as in the
    /// whole product.
    /// </summary>
    internal static void MultiplyBlock<T>(int m, int n, int k, T[] a, Layout aLayout, T[] b, Layout bLayout, T[] c, bool accumulate, (int Start, int End) rows, (int Start, int End) columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(m, n, k, a, aLayout, b, bLayout, c);
        if (rows.Start < 0 || rows.End > m || columns.Start < 0 || columns.End > n)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"Rows {rows} and columns {columns} are not a block of a {m} × {n} product.");
        }

        if (rows.Start >= rows.End || columns.Start >= columns.End)
        {
            return;
        }

        if (k == 0)
        {
            for (int i = rows.Start; !accumulate && i < rows.End; i++)
            {
                c.AsSpan((i * n) + columns.Start, columns.End - columns.Start).Clear();
            }

            return;
        }

        Run(rows.Start, rows.End, columns.Start, columns.End, k, a, aLayout, b, bLayout, c, n, accumulate);
    }

    // The element type, the sizes and every operand's length for its layout, checked before any
    // product or block of one.
    private static void Validate<T>(int m, int n, int k, T[] a, Layout aLayout, T[] b, Layout bLayout, T[] c)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException("Gemm supports float and double.");
        }

        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"A {m} × {k} by {k} × {n} product has a negative size.");
        }

        Require(nameof(a), a.Length, aLayout, m, k);
        Require(nameof(b), b.Length, bLayout, k, n);
        Require(nameof(c), c.Length, Layout.RowMajor(n), m, n);
    }

    // The kernels read through refs without bounds checks: an operand too short for its layout
    // would be read past its end, so that is an error up front.
    private static void Require(string name, int length, Layout layout, int rows, int columns)
    {
        if (layout.Offset < 0 || layout.RowStride < 0 || layout.ColStride < 0 || layout.Extent(rows, columns) > length)
        {
            throw new ArgumentException($"A {rows} × {columns} matrix laid out as {layout} needs {layout.Extent(rows, columns)} values; {name} has {length}.", name);
        }
    }

    /// <summary>
    /// The multiply-adds worth a thread: about two million (some tens of microseconds). Smaller
    /// products measured slower on two threads: the fork is cheap, but moving the operands and
    /// results between the cores' caches is not.
    /// </summary>
    internal const long ThreadWork = 2_000_000;

    /// <summary>C cut into <paramref name="threads"/> bands of whole micro-tile rows, one per thread.</summary>
    internal static GemmSplit RowBands(int threads) => new(threads, true, threads, MR);

    /// <summary>C cut into <paramref name="threads"/> bands of whole micro-tile columns, one per thread.</summary>
    internal static GemmSplit ColumnBands<T>(int threads) => new(threads, false, threads, Width<T>() * 2);

    /// <summary>How <see cref="Multiply{T}(int, int, int, T[], Layout, T[], Layout, T[], bool)"/> shares C[m×n] = A[m×k]·B[k×n] between threads.</summary>
    internal static GemmSplit Split<T>(int m, int n, int k, Layout aLayout, Layout bLayout)
    {
        int threads = Workers.Parts((long)m * n * k, ThreadWork);
        int nr = Width<T>() * 2;

        // C is cut into bands of rows or of columns, whichever divides more evenly into whole
        // micro-tiles (on a tie, the cut that repeats the smaller operand: a row cut makes every
        // band read, and unless it is read in place pack, all of B; a column cut all of A). The
        // bands are disjoint, so the result is the same as on one thread. When the repeated
        // operand is read in place, repeating it costs nothing, and when B is packed in one block
        // a thread packs it once for all the bands it takes (see Run): then C is cut into more
        // bands than threads so that a faster core can take over some of a slower one's (see
        // Workers). That takes a packed B small enough to stay in the core's cache from band to
        // band: on 784-256-10 the first layer's forward product (B is the batch, packed: 401 KB
        // in float) went from one band per thread to four, and a two-thread training step from
        // 372 to 366 and 376 to 370 µs (in-process alternation); in double (802 KB) four bands
        // cost 6 µs (702 → 708), so there it stays one band per thread. Eight bands per thread
        // left less to wait for at the end, when one core ran behind: float's two-thread speed-up
        // on that step, as the median of paired one- and two-thread runs (bench ThreadScaling),
        // went from 1.62× (1.48–1.68 over five runs) to 1.70× (1.66–1.72 over eight); sixteen
        // cost double 0.05–0.15×.
        // (Sharing one packed B between the threads measured slower here: half of every panel
        // then comes from the other core's cache.)
        double rowWaste = Waste(m, threads, MR), colWaste = Waste(n, threads, nr);
        bool byRows = Math.Abs(rowWaste - colWaste) < 0.02 ? n < m : rowWaste < colWaste;
        bool repeatsInPlace = byRows ? bLayout.ColStride == 1 : aLayout.ColStride == 1;
        int unit = byRows ? MR : nr;
        int units = ((byRows ? m : n) + unit - 1) / unit;
        bool packedOnce = byRows && k <= KC && n <= NC && (long)RoundUp(n, nr) * k * Unsafe.SizeOf<T>() <= PackedOnceBytes;
        int bands = threads == 1 ? 1 : repeatsInPlace || packedOnce ? Math.Min(units, 8 * threads) : threads;
        return new GemmSplit(threads, byRows, bands, unit);
    }

    // The largest packed B that a thread keeps for all its bands of a product (see Split).
    private const long PackedOnceBytes = 512 * 1024;

    // How much longer the longest band is than an even share, in whole units.
    private static double Waste(int count, int parts, int unit) => (double)RoundUp((count + parts - 1) / parts, unit) * parts / count;

    private static int Width<T>() => Vector512.IsHardwareAccelerated ? Vector512<T>.Count : Vector256<T>.Count;

    private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;

    // Part `part` of `parts` of a band of whole units: [start, end) of `count` items.
    internal static (int Start, int End) Band(int count, int part, int parts, int unit)
    {
        int size = RoundUp((count + parts - 1) / parts, unit);
        int start = Math.Min(count, part * size);
        return (start, Math.Min(count, start + size));
    }

    // C[m0:m1, n0:n1] (+)= A·B, with this thread's packing buffers. An operand already stored
    // the way the micro-kernel reads it (a row-major A: each of a tile's rows runs along k; a
    // row-major B: row p of a panel is a run of columns) is read in place, and only its ragged
    // edge is packed. Packing such an operand is a copy that the threads would each make of all
    // of it: on 784-256-10 (batch 128) reading in place took the first layer's products from
    // 275 to 265 µs on one thread and from about 350 to 310 µs on two (float).
    //
    // `product` names the product this band belongs to (0: none). When all of B is one packed
    // block, the thread's buffer remembers which product it holds, and the thread's next band of
    // the same product reads it instead of packing it again.
    private static void Run<T>(int m0, int m1, int n0, int n1, int k, T[] a, Layout al, T[] b, Layout bl, T[] c, int ldc, bool accumulate, long product = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Width<T>() * 2;
        int slices = (k + KC - 1) / KC, depth = (k + slices - 1) / slices;
        Buffers<T>.Ensure(MC * depth, RoundUp(Math.Min(NC, n1 - n0), nr) * depth);
        bool oneBlock = product != 0 && slices == 1 && n1 - n0 <= NC;
        bool packed = oneBlock && Buffers<T>.PackedFor == product;
        Buffers<T>.PackedFor = oneBlock ? product : 0;
        T[] ap = Buffers<T>.A!, bp = Buffers<T>.B!;
        bool directA = al.ColStride == 1, directB = bl.ColStride == 1;
        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            int inPlaceN = directB ? nc / nr * nr : 0;
            for (int pc = 0; pc < k; pc += depth)
            {
                int kc = Math.Min(depth, k - pc);
                bool add = accumulate || pc > 0;
                if (!packed)
                {
                    PackB(b, bl, pc, kc, jc + inPlaceN, nc - inPlaceN, nr, bp.AsSpan(inPlaceN * kc));
                }
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    int inPlaceM = directA ? mc / MR * MR : 0;
                    PackA(a, al, ic + inPlaceM, mc - inPlaceM, pc, kc, ap.AsSpan(inPlaceM * kc));
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        (T[] bArr, int bAt, int ldb) = jr < inPlaceN ? (b, bl.Offset + (pc * bl.RowStride) + jc + jr, bl.RowStride) : (bp, jr * kc, nr);
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            (T[] aArr, int aAt, int aStep, int aAcross) = ir < inPlaceM
                                ? (a, al.Offset + ((ic + ir) * al.RowStride) + pc, 1, al.RowStride)
                                : (ap, ir * kc, MR, 1);
                            Tile(aArr, aAt, aStep, aAcross, bArr, bAt, ldb, kc, c, (ic + ir) * ldc + jc + jr, ldc,
                                Math.Min(MR, mc - ir), Math.Min(nr, nc - jr), add);
                        }
                    }
                }
            }
        }
    }

    // A product shared by a team of threads (a team of one for a small product), cut as Split
    // says. The job object is reused per calling thread, so a product allocates nothing.
    private sealed class Team<T> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic]
        private static Team<T>? cached;

        private int m, n, k;
        private T[] a = [], b = [], c = [];
        private Layout al, bl;
        private bool accumulate;
        private GemmSplit split;
        private IRowBandWork? rows;
        private long product;

        // Products started so far, in every thread: each gets its own number.
        private static long products;

        public static void Run(GemmSplit split, int m, int n, int k, T[] a, Layout al, T[] b, Layout bl, T[] c, bool accumulate, IRowBandWork? rows)
        {
            Team<T> job = cached ?? new Team<T>();
            cached = null; // a product started inside a band (not done today) gets its own job
            (job.m, job.n, job.k, job.a, job.al, job.b, job.bl, job.c, job.accumulate, job.split, job.rows) = (m, n, k, a, al, b, bl, c, accumulate, split, rows);
            job.product = Interlocked.Increment(ref products);
            try
            {
                Workers.Run(job, split.Bands, split.Threads);
            }
            finally
            {
                (job.a, job.b, job.c, job.rows) = ([], [], [], null);
                cached = job;
            }
        }

        public void Execute(int chunk)
        {
            (int start, int end) = split.Band(split.ByRows ? m : n, chunk);
            if (start >= end)
            {
                return;
            }

            if (split.ByRows)
            {
                rows?.BeforeRows(start, end);
                Gemm.Run(start, end, 0, n, k, a, al, b, bl, c, n, accumulate, product);
                rows?.AfterRows(start, end);
            }
            else
            {
                Gemm.Run(0, m, start, end, k, a, al, b, bl, c, n, accumulate);
            }
        }
    }

    // Ap holds MR-row panels: for each p, the MR values of column p (zero past the last row).
    private static void PackA<T>(T[] a, Layout al, int i0, int mc, int p0, int kc, Span<T> ap)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            PackPanel(a, al.Offset + ((i0 + ir) * al.RowStride) + (p0 * al.ColStride), al.RowStride, al.ColStride,
                Math.Min(MR, mc - ir), kc, ap.Slice(ir * kc, MR * kc), MR);
        }
    }

    // Bp holds nr-column panels: for each p, the nr values of row p (zero past the last column).
    private static void PackB<T>(T[] b, Layout bl, int p0, int kc, int j0, int nc, int nr, Span<T> bp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            PackPanel(b, bl.Offset + (p0 * bl.RowStride) + ((j0 + jr) * bl.ColStride), bl.ColStride, bl.RowStride,
                Math.Min(nr, nc - jr), kc, bp.Slice(jr * kc, nr * kc), nr);
        }
    }

    // One panel: panel[p·width + i] = src[at + i·across + p·along] for i < count, p < kc, zero for
    // i ≥ count. A panel row is a slice across the stored matrix, so when the matrix is stored
    // along p (a row-major A, a transposed B) the block is transposed; when it is stored across,
    // each panel row is a contiguous copy.
    private static void PackPanel<T>(T[] src, int at, int across, int along, int count, int kc, Span<T> panel, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (count < width)
        {
            panel.Clear();
        }

        if (along == 1)
        {
            Transpose(ref src[at], across, count, kc, ref panel[0], width);
            return;
        }

        for (int p = 0; p < kc; p++)
        {
            if (across == 1)
            {
                src.AsSpan(at + p * along, count).CopyTo(panel.Slice(p * width));
                continue;
            }

            for (int i = 0; i < count; i++)
            {
                panel[p * width + i] = src[at + i * across + p * along];
            }
        }
    }

    /// <summary>dst = srcᵀ: <paramref name="src"/> is <paramref name="rows"/> × <paramref name="cols"/>, row-major; <paramref name="dst"/> becomes <paramref name="cols"/> × <paramref name="rows"/>.</summary>
    internal static void Transpose<T>(ReadOnlySpan<T> src, int rows, int cols, Span<T> dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (src.Length < rows * cols || dst.Length < rows * cols)
        {
            throw new ArgumentException("The matrices are too short.");
        }

        Transpose(ref MemoryMarshal.GetReference(src), cols, rows, cols, ref MemoryMarshal.GetReference(dst), rows);
    }

    // dst[c·dstStride + r] = src[r·srcStride + c] for r < rows, c < cols. With AVX-512, 64-byte
    // square blocks (16×16 floats, 8×8 doubles; see TransposeWide) first, then the rest by the
    // narrow blocks.
    private static void Transpose<T>(ref T src, int srcStride, int rows, int cols, ref T dst, int dstStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported)
        {
            TransposeNarrow(ref src, srcStride, rows, cols, ref dst, dstStride);
            return;
        }

        int wide = Vector512<T>.Count, wideRows = rows / wide * wide, wideCols = cols / wide * wide;
        Blocks(ref src, srcStride, wideRows, wideCols, wide, ref dst, dstStride);

        // The columns right of the wide blocks, then the rows below them (never a reference past
        // the end of an array: an empty remainder is skipped).
        if (wideRows > 0 && wideCols < cols)
        {
            TransposeNarrow(ref Unsafe.Add(ref src, wideCols), srcStride, wideRows, cols - wideCols, ref Unsafe.Add(ref dst, wideCols * dstStride), dstStride);
        }

        if (wideRows < rows)
        {
            TransposeNarrow(ref Unsafe.Add(ref src, wideRows * srcStride), srcStride, rows - wideRows, cols, ref Unsafe.Add(ref dst, wideRows), dstStride);
        }
    }

    // The same: 8×8 (float) or 4×4 (double) blocks through AVX shuffles, the ragged edges element
    // by element.
    private static void TransposeNarrow<T>(ref T src, int srcStride, int rows, int cols, ref T dst, int dstStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Without AVX there are no blocks: every element goes by the loop below (with block 1 the
        // "blocked" region would be the whole matrix and the loop would copy nothing).
        int block = typeof(T) == typeof(float) ? 8 : 4;
        int fullRows = Avx.IsSupported ? rows / block * block : 0, fullCols = Avx.IsSupported ? cols / block * block : 0;
        Blocks(ref src, srcStride, fullRows, fullCols, block, ref dst, dstStride);

        for (int r = 0; r < rows; r++)
        {
            // Columns the blocks left over in the blocked rows, every column in the rest.
            for (int c = r < fullRows ? fullCols : 0; c < cols; c++)
            {
                Unsafe.Add(ref dst, c * dstStride + r) = Unsafe.Add(ref src, r * srcStride + c);
            }
        }
    }

    // The square blocks of side `block` of a rows × cols region, both multiples of it: 64-byte
    // blocks (a Vector512's count) by TransposeWide, smaller ones (8 floats, 4 doubles) by the AVX kernels.
    private static void Blocks<T>(ref T src, int srcStride, int rows, int cols, int block, ref T dst, int dstStride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r += block)
        {
            for (int c = 0; c < cols; c += block)
            {
                ref T from = ref Unsafe.Add(ref src, r * srcStride + c);
                ref T to = ref Unsafe.Add(ref dst, c * dstStride + r);
                if (typeof(T) == typeof(float))
                {
                    ref float f = ref Unsafe.As<T, float>(ref from), g = ref Unsafe.As<T, float>(ref to);
                    if (block == Vector512<float>.Count)
                    {
                        TransposeWide(ref f, srcStride, ref g, dstStride);
                    }
                    else
                    {
                        Transpose8(ref f, srcStride, ref g, dstStride);
                    }
                }
                else
                {
                    ref double f = ref Unsafe.As<T, double>(ref from), g = ref Unsafe.As<T, double>(ref to);
                    if (block == Vector512<double>.Count)
                    {
                        TransposeWide(ref f, srcStride, ref g, dstStride);
                    }
                    else
                    {
                        Transpose4(ref f, srcStride, ref g, dstStride);
                    }
                }
            }
        }
    }

    // A 64-byte square block (16×16 floats, 8×8 doubles) in four passes of a quarter of the
    // columns each: every 128-bit lane of a vector is loaded with a quarter-row from a different
    // row (rows i, i + w/4, i + w/2, i + 3w/4 for lanes 0–3), so that the in-lane unpacks alone
    // finish the transpose and every store is a whole row of the result. Packing the 784-256-10
    // batch (a 128 × 784 transpose into panels) took 7.1 µs this way against 13.7 µs with 8×8 AVX
    // blocks in float, and 23.6 against 29.7 µs with 4×4 blocks in double.
    private static void TransposeWide(ref float src, int srcStride, ref float dst, int dstStride)
    {
        for (int q = 0; q < 4; q++)
        {
            // Lane l of a_i: row i + 4l, columns 4q … 4q + 3.
            Vector512<float> a0 = Quarters(ref src, srcStride, 0, 4 * q, 4), a1 = Quarters(ref src, srcStride, 1, 4 * q, 4);
            Vector512<float> a2 = Quarters(ref src, srcStride, 2, 4 * q, 4), a3 = Quarters(ref src, srcStride, 3, 4 * q, 4);
            Vector512<float> t0 = Avx512F.UnpackLow(a0, a1), t1 = Avx512F.UnpackHigh(a0, a1);
            Vector512<float> t2 = Avx512F.UnpackLow(a2, a3), t3 = Avx512F.UnpackHigh(a2, a3);

            // Lane l of column 4q + j: rows 4l … 4l + 3.
            Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(4 * q * dstStride));
            Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(((4 * q) + 1) * dstStride));
            Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(((4 * q) + 2) * dstStride));
            Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle().StoreUnsafe(ref dst, (nuint)(((4 * q) + 3) * dstStride));
        }
    }

    private static void TransposeWide(ref double src, int srcStride, ref double dst, int dstStride)
    {
        for (int q = 0; q < 4; q++)
        {
            // Lane l of a_i: row i + 2l, columns 2q and 2q + 1; their unpacks are those columns.
            Vector512<double> a0 = Quarters(ref src, srcStride, 0, 2 * q, 2), a1 = Quarters(ref src, srcStride, 1, 2 * q, 2);
            Avx512F.UnpackLow(a0, a1).StoreUnsafe(ref dst, (nuint)(2 * q * dstStride));
            Avx512F.UnpackHigh(a0, a1).StoreUnsafe(ref dst, (nuint)(((2 * q) + 1) * dstStride));
        }
    }

    // The 128-bit runs at column `column` of rows row, row + apart, row + 2·apart, row + 3·apart, as
    // lanes 0–3. One overload per element type for the lane inserts: the generic
    // Vector512.Create(Vector256.Create(…), Vector256.Create(…)) made the float packing above take
    // 10.2 µs instead of 7.1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(ref float src, int srcStride, int row, int column, int apart)
    {
        ref float at = ref Unsafe.Add(ref src, (row * srcStride) + column);
        nuint step = (nuint)(apart * srcStride);
        Vector512<float> v = Vector128.LoadUnsafe(ref at).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, step), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, 2 * step), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, 3 * step), 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Quarters(ref double src, int srcStride, int row, int column, int apart)
    {
        ref double at = ref Unsafe.Add(ref src, (row * srcStride) + column);
        nuint step = (nuint)(apart * srcStride);
        Vector512<double> v = Vector128.LoadUnsafe(ref at).ToVector256Unsafe().ToVector512Unsafe();
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, step), 1);
        v = Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, 2 * step), 2);
        return Avx512F.InsertVector128(v, Vector128.LoadUnsafe(ref at, 3 * step), 3);
    }

    private static void Transpose8(ref float src, int srcStride, ref float dst, int dstStride)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref src), r1 = Vector256.LoadUnsafe(ref src, (nuint)srcStride);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * srcStride)), r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * srcStride));
        Vector256<float> r4 = Vector256.LoadUnsafe(ref src, (nuint)(4 * srcStride)), r5 = Vector256.LoadUnsafe(ref src, (nuint)(5 * srcStride));
        Vector256<float> r6 = Vector256.LoadUnsafe(ref src, (nuint)(6 * srcStride)), r7 = Vector256.LoadUnsafe(ref src, (nuint)(7 * srcStride));

        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref dst, (nuint)dstStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref dst, (nuint)(2 * dstStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref dst, (nuint)(3 * dstStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref dst, (nuint)(4 * dstStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref dst, (nuint)(5 * dstStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref dst, (nuint)(6 * dstStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref dst, (nuint)(7 * dstStride));
    }

    private static void Transpose4(ref double src, int srcStride, ref double dst, int dstStride)
    {
        Vector256<double> r0 = Vector256.LoadUnsafe(ref src), r1 = Vector256.LoadUnsafe(ref src, (nuint)srcStride);
        Vector256<double> r2 = Vector256.LoadUnsafe(ref src, (nuint)(2 * srcStride)), r3 = Vector256.LoadUnsafe(ref src, (nuint)(3 * srcStride));
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Permute2x128(t0, t2, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(t1, t3, 0x20).StoreUnsafe(ref dst, (nuint)dstStride);
        Avx.Permute2x128(t0, t2, 0x31).StoreUnsafe(ref dst, (nuint)(2 * dstStride));
        Avx.Permute2x128(t1, t3, 0x31).StoreUnsafe(ref dst, (nuint)(3 * dstStride));
    }

    // One MR × nr tile of C. A full tile goes straight to C; an edge tile through a scratch tile.
    // A's element (i, p) is at a[aAt + p·aStep + i·aAcross]; B's row p starts at b[bAt + p·ldb].
    private static void Tile<T>(T[] a, int aAt, int aStep, int aAcross, T[] b, int bAt, int ldb, int kc, T[] c, int at, int ldc, int rows, int cols, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Width<T>() * 2;
        if (rows == MR && cols == nr)
        {
            Kernel(ref a[aAt], aStep, aAcross, ref b[bAt], ldb, kc, ref c[at], ldc, add);
            return;
        }

        Span<T> scratch = stackalloc T[MR * 64];
        scratch = scratch.Slice(0, MR * nr);
        scratch.Clear();
        Kernel(ref a[aAt], aStep, aAcross, ref b[bAt], ldb, kc, ref MemoryMarshal.GetReference(scratch), nr, add: false);
        for (int r = 0; r < rows; r++)
        {
            Span<T> target = c.AsSpan(at + r * ldc, cols);
            Span<T> source = scratch.Slice(r * nr, cols);
            for (int j = 0; j < cols; j++)
            {
                target[j] = add ? target[j] + source[j] : source[j];
            }
        }
    }

    private static void Kernel<T>(ref T a, int aStep, int aAcross, ref T b, int ldb, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Kernel512(ref a, aStep, aAcross, ref b, ldb, kc, ref c, ldc, add);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Kernel256(ref a, aStep, aAcross, ref b, ldb, kc, ref c, ldc, add);
        }
        else
        {
            KernelScalar(ref a, aStep, aAcross, ref b, ldb, kc, ref c, ldc, add);
        }
    }

    // The same tile element by element, for CPUs (or runtimes: DOTNET_EnableHWIntrinsic=0) without
    // 256-bit vectors. Every element is the same fused multiply-add chain as in the vector
    // kernels, so the result is the same to the bit.
    private static void KernelScalar<T>(ref T a, nint aStep, nint aAcross, ref T b, nint ldb, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nr = Width<T>() * 2;
        for (int i = 0; i < MR; i++)
        {
            for (int j = 0; j < nr; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < kc; p++)
                {
                    sum = T.FusedMultiplyAdd(Unsafe.Add(ref a, (p * aStep) + (i * aAcross)), Unsafe.Add(ref b, (p * ldb) + j), sum);
                }

                ref T target = ref Unsafe.Add(ref c, (i * ldc) + j);
                target = add ? target + sum : sum;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MulAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Avx512F.IsSupported && typeof(T) == typeof(float))
        {
            return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (Avx512F.IsSupported && typeof(T) == typeof(double))
        {
            return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        return Fused(a, b, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MulAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported && typeof(T) == typeof(float))
        {
            return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        if (System.Runtime.Intrinsics.X86.Fma.IsSupported && typeof(T) == typeof(double))
        {
            return System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }

        return Fused(a, b, c);
    }

    // a·b + c rounded once, where the CPU has no FMA instruction (or not one we call): the same
    // bits as the instruction, so results do not depend on whether the CPU has FMA. a·b + c would
    // round twice and change the last bit of some sums.
    private static Vector512<T> Fused<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.Create(Fused(a.GetLower(), b.GetLower(), c.GetLower()), Fused(a.GetUpper(), b.GetUpper(), c.GetUpper()));

    private static Vector256<T> Fused<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
#if NET9_0_OR_GREATER
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        }

        return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
#else
        Span<T> r = stackalloc T[Vector256<T>.Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = T.FusedMultiplyAdd(a[i], b[i], c[i]);
        }

        return Vector256.Create<T>(r);
#endif
    }

    // C[8 × 2W] (+)= A[8 × kc] · B[kc × 2W], all 16 accumulators in registers. A's element (i, p)
    // is at a[p·aStep + i·aAcross] (a packed panel, or rows of A in place); row p of B is the 2W
    // values at b[p·ldb] (a packed panel, or a run of a row-major B in place).
    private static void Kernel512<T>(ref T a, nint aStep, nint aAcross, ref T b, nint ldb, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint r1 = aAcross, r2 = 2 * aAcross, r3 = 3 * aAcross, r4 = 4 * aAcross, ao = 0, bo = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.LoadUnsafe(ref b, (nuint)bo);
            Vector512<T> b1 = Vector512.LoadUnsafe(ref b, (nuint)(bo + w));
            ref T a0 = ref Unsafe.Add(ref a, ao);
            ref T a4 = ref Unsafe.Add(ref a, ao + r4);
            Vector512<T> x = Vector512.Create(a0);
            c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01);
            x = Vector512.Create(Unsafe.Add(ref a0, r1)); c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11);
            x = Vector512.Create(Unsafe.Add(ref a0, r2)); c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21);
            x = Vector512.Create(Unsafe.Add(ref a0, r3)); c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31);
            x = Vector512.Create(a4); c40 = MulAdd(x, b0, c40); c41 = MulAdd(x, b1, c41);
            x = Vector512.Create(Unsafe.Add(ref a4, r1)); c50 = MulAdd(x, b0, c50); c51 = MulAdd(x, b1, c51);
            x = Vector512.Create(Unsafe.Add(ref a4, r2)); c60 = MulAdd(x, b0, c60); c61 = MulAdd(x, b1, c61);
            x = Vector512.Create(Unsafe.Add(ref a4, r3)); c70 = MulAdd(x, b0, c70); c71 = MulAdd(x, b1, c71);
            ao += aStep;
            bo += ldb;
        }

        Store(ref c, 0, ldc, w, c00, c01, add);
        Store(ref c, 1, ldc, w, c10, c11, add);
        Store(ref c, 2, ldc, w, c20, c21, add);
        Store(ref c, 3, ldc, w, c30, c31, add);
        Store(ref c, 4, ldc, w, c40, c41, add);
        Store(ref c, 5, ldc, w, c50, c51, add);
        Store(ref c, 6, ldc, w, c60, c61, add);
        Store(ref c, 7, ldc, w, c70, c71, add);
    }

    // The same kernel for CPUs without AVX-512.
    private static void Kernel256<T>(ref T a, nint aStep, nint aAcross, ref T b, nint ldb, int kc, ref T c, int ldc, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint r1 = aAcross, r2 = 2 * aAcross, r3 = 3 * aAcross, r4 = 4 * aAcross, ao = 0, bo = 0;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.LoadUnsafe(ref b, (nuint)bo);
            Vector256<T> b1 = Vector256.LoadUnsafe(ref b, (nuint)(bo + w));
            ref T a0 = ref Unsafe.Add(ref a, ao);
            ref T a4 = ref Unsafe.Add(ref a, ao + r4);
            Vector256<T> x = Vector256.Create(a0);
            c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01);
            x = Vector256.Create(Unsafe.Add(ref a0, r1)); c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11);
            x = Vector256.Create(Unsafe.Add(ref a0, r2)); c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21);
            x = Vector256.Create(Unsafe.Add(ref a0, r3)); c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31);
            x = Vector256.Create(a4); c40 = MulAdd(x, b0, c40); c41 = MulAdd(x, b1, c41);
            x = Vector256.Create(Unsafe.Add(ref a4, r1)); c50 = MulAdd(x, b0, c50); c51 = MulAdd(x, b1, c51);
            x = Vector256.Create(Unsafe.Add(ref a4, r2)); c60 = MulAdd(x, b0, c60); c61 = MulAdd(x, b1, c61);
            x = Vector256.Create(Unsafe.Add(ref a4, r3)); c70 = MulAdd(x, b0, c70); c71 = MulAdd(x, b1, c71);
            ao += aStep;
            bo += ldb;
        }

        Store(ref c, 0, ldc, w, c00, c01, add);
        Store(ref c, 1, ldc, w, c10, c11, add);
        Store(ref c, 2, ldc, w, c20, c21, add);
        Store(ref c, 3, ldc, w, c30, c31, add);
        Store(ref c, 4, ldc, w, c40, c41, add);
        Store(ref c, 5, ldc, w, c50, c51, add);
        Store(ref c, 6, ldc, w, c60, c61, add);
        Store(ref c, 7, ldc, w, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref T c, int row, int ldc, int w, Vector512<T> v0, Vector512<T> v1, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r = ref Unsafe.Add(ref c, row * ldc);
        if (add)
        {
            v0 += Vector512.LoadUnsafe(ref r);
            v1 += Vector512.LoadUnsafe(ref r, (nuint)w);
        }

        v0.StoreUnsafe(ref r);
        v1.StoreUnsafe(ref r, (nuint)w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(ref T c, int row, int ldc, int w, Vector256<T> v0, Vector256<T> v1, bool add)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref T r = ref Unsafe.Add(ref c, row * ldc);
        if (add)
        {
            v0 += Vector256.LoadUnsafe(ref r);
            v1 += Vector256.LoadUnsafe(ref r, (nuint)w);
        }

        v0.StoreUnsafe(ref r);
        v1.StoreUnsafe(ref r, (nuint)w);
    }

    // Packing buffers, one pair per thread, reused across calls.
    private static class Buffers<T>
    {
        [ThreadStatic]
        public static T[]? A;

        [ThreadStatic]
        public static T[]? B;

        // The product whose whole packed B is in B (0: none, or not all of it).
        [ThreadStatic]
        public static long PackedFor;

        public static void Ensure(int a, int b)
        {
            if (A is null || A.Length < a)
            {
                A = new T[a];
            }

            if (B is null || B.Length < b)
            {
                PackedFor = 0;
                B = new T[b];
            }
        }
    }
}

/// <summary>
/// Work on a band of a product's rows that belongs with the product: preparing the rows of A
/// that the band reads, or finishing the rows of C that it wrote. The thread that computes the
/// band does it, while those rows are in its cache, instead of a separate pass that every
/// thread joins and waits for.
/// </summary>
internal interface IRowBandWork
{
    /// <summary>Runs before rows [<paramref name="start"/>, <paramref name="end"/>) of C are computed.</summary>
    void BeforeRows(int start, int end);

    /// <summary>Runs after rows [<paramref name="start"/>, <paramref name="end"/>) of C are computed.</summary>
    void AfterRows(int start, int end);
}

/// <summary>How a product's C is shared between threads: <see cref="Bands"/> bands of whole rows or columns.</summary>
/// <param name="Threads">The threads worth using, the caller's included.</param>
/// <param name="ByRows">Bands of rows (else of columns).</param>
/// <param name="Bands">The number of bands (chunks for <see cref="Workers"/>; thread t starts on the t-th share of them).</param>
/// <param name="Unit">Every band but the last is a whole number of this many rows or columns.</param>
internal readonly record struct GemmSplit(int Threads, bool ByRows, int Bands, int Unit)
{
    /// <summary>Band <paramref name="band"/> of <paramref name="count"/> rows or columns: [start, end), empty past the end.</summary>
    public (int Start, int End) Band(int count, int band) => Gemm.Band(count, band, Bands, Unit);
}
