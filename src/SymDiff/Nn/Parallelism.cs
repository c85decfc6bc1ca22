using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace SymDiff.Nn;

/// <summary>
/// How many threads the runtime's kernels may use: the GEMM, the element-wise passes of large
/// layers and the optimizers' updates of large parameters. One thread makes every result
/// bit-identical to a single-threaded run by construction; more threads keep results identical
/// too, because work is only ever split into independent parts (no reductions change order).
/// </summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    /// <summary>The most threads one operation may use, the caller's included (default: the processor count).</summary>
    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = Math.Max(1, value);
    }
}

/// <summary>One piece of work cut into independent chunks.</summary>
internal interface IParallelWork
{
    /// <summary>Does chunk <paramref name="chunk"/>. Any thread may do any chunk, in any order.</summary>
    /// <param name="chunk">Which chunk, from 0.</param>
    void Execute(int chunk);
}

/// <summary>
/// A fork/join pool of persistent helper threads for the short, frequent parallel regions of a
/// training step (tens to hundreds of microseconds each), where <c>Parallel.For</c>'s scheduling
/// and allocations cost more than they gain. The caller is one of the threads; each helper spins
/// briefly for its next job, then sleeps. Only one caller uses the helpers at a time: a second
/// concurrent caller runs its job on its own thread.
/// <para>
/// A job's chunks are shared out in contiguous bands, one per thread, and a thread that finishes
/// its band takes chunks from the back of another's. Cores are not always equally fast: on the
/// 2-vCPU VM the benchmarks run on, one vCPU at times took 1.2 times as long as the other for
/// the same share of a product and up to 2.5 times as long for a memory-bound pass, and even
/// halves left the fast core waiting (bench/RESULTS.md, session 7). Each chunk is computed the
/// same way whichever thread takes it, so results do not depend on who did what.
/// </para>
/// </summary>
internal static class Workers
{
    private static readonly object Gate = new();
    private static Helper[] helpers = [];

    /// <summary>The number of parts worth making: at most <see cref="Parallelism.MaxThreads"/>.</summary>
    /// <param name="work">The amount of work, in any unit.</param>
    /// <param name="grain">The least work worth a thread of its own, in the same unit.</param>
    /// <returns>Between 1 and <see cref="Parallelism.MaxThreads"/>.</returns>
    public static int Parts(long work, long grain) =>
        (int)Math.Max(1, Math.Min(Parallelism.MaxThreads, work / Math.Max(1, grain)));

    /// <summary>Runs chunks 0 … <paramref name="chunks"/> − 1 of <paramref name="work"/> on up to <paramref name="threads"/> threads and returns when all are done.</summary>
    /// <param name="work">The work.</param>
    /// <param name="chunks">The number of chunks.</param>
    /// <param name="threads">The most threads worth using, the caller's included.</param>
    public static void Run(IParallelWork work, int chunks, int threads)
    {
        threads = Math.Min(threads, chunks);

        // A chunk that starts parallel work of its own runs it alone: its helpers are busy.
        if (threads <= 1 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
        {
            for (int c = 0; c < chunks; c++)
            {
                work.Execute(c);
            }

            return;
        }

        try
        {
            Helper[] pool = Ensure(threads - 1);
            Claims.Share(chunks, threads);
            for (int t = 1; t < threads; t++)
            {
                pool[t - 1].Post(work, t, threads);
            }

            ExceptionDispatchInfo? failure = Drain(work, 0, threads);

            // Always wait for every helper, even after a failure: the pool is free only then.
            for (int t = 1; t < threads; t++)
            {
                ExceptionDispatchInfo? helperFailure = pool[t - 1].Join();
                failure ??= helperFailure;
            }

            failure?.Throw();
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    // One thread's share of a job: chunks until none are left. A failure ends the job: no
    // thread takes another chunk, the ones under way finish, and the first failure is rethrown.
    private static ExceptionDispatchInfo? Drain(IParallelWork work, int thread, int threads)
    {
        try
        {
            for (int c = Claims.Next(thread, threads); c >= 0; c = Claims.Next(thread, threads))
            {
                work.Execute(c);
            }

            return null;
        }
        catch (Exception e)
        {
            Claims.Share(0, threads);
            return ExceptionDispatchInfo.Capture(e);
        }
    }

    private static Helper[] Ensure(int count)
    {
        if (helpers.Length < count)
        {
            var grown = new Helper[count];
            Array.Copy(helpers, grown, helpers.Length);
            for (int i = helpers.Length; i < count; i++)
            {
                grown[i] = new Helper(i + 1);
            }

            helpers = grown;
        }

        return helpers;
    }

    private sealed class Helper
    {
        // How long an idle helper spins before it sleeps: longer than the gaps between the
        // parallel regions of one training step, far shorter than a human notices.
        private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 2000;

        private readonly ManualResetEventSlim wake = new(false);
        private volatile IParallelWork? job;
        private int thread;
        private int threads;
        private ExceptionDispatchInfo? failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"SymDiff worker {index}" };
            thread.Start();
        }

        public void Post(IParallelWork work, int thread, int threads)
        {
            this.thread = thread;
            this.threads = threads;
            failure = null;
            job = work;
            wake.Set();
        }

        public ExceptionDispatchInfo? Join()
        {
            // The helper is running its chunks: spin without yielding the core for a while (a
            // yield can hand the core to another thread just as the part ends), then politely.
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            var spin = default(SpinWait);
            while (job is not null)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(1);
                }
                else
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }

            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                failure = Drain(Next(), thread, threads);
                job = null;
            }
        }

        private IParallelWork Next()
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                IParallelWork? work = job;
                if (work is not null)
                {
                    return work;
                }

                if (System.Diagnostics.Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(1);
                    continue;
                }

                // Sleep. Reset before the last look, so a Post between the two is never missed.
                wake.Reset();
                if ((work = job) is not null)
                {
                    return work;
                }

                wake.Wait();
                until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }

    // Who takes which chunk. Thread t's band is chunks [t·n/T, (t+1)·n/T): it takes them from the
    // front, in order (so it mostly works on data it touched in the previous job, which was cut
    // the same way), then takes from the back of the other bands. A band's state is one long:
    // the next chunk from the front in the low half, one past the last unclaimed chunk in the
    // high half, claimed by compare-and-swap; each band has a cache line of its own.
    private static class Claims
    {
        private const int Stride = 8;
        private static long[] bands = new long[Stride * 2];

        public static void Share(int chunks, int threads)
        {
            if (bands.Length < Stride * (threads + 1))
            {
                bands = new long[Stride * (threads + 1)];
            }

            for (int t = 0; t < threads; t++)
            {
                long front = (long)chunks * t / threads, back = (long)chunks * (t + 1) / threads;
                Volatile.Write(ref State(t), (back << 32) | front);
            }
        }

        public static int Next(int thread, int threads)
        {
            int chunk = Take(thread, fromFront: true);
            for (int i = 1; chunk < 0 && i < threads; i++)
            {
                chunk = Take((thread + i) % threads, fromFront: false);
            }

            return chunk;
        }

        // Band t's state, a cache line away from the array's length (which every bounds check
        // reads) and from the other bands.
        private static ref long State(int band) => ref bands[(band + 1) * Stride];

        private static int Take(int band, bool fromFront)
        {
            ref long state = ref State(band);
            while (true)
            {
                long seen = Volatile.Read(ref state);
                int front = (int)seen, back = (int)(seen >> 32);
                if (front >= back)
                {
                    return -1;
                }

                long next = fromFront ? (seen & ~0xFFFFFFFFL) | (uint)(front + 1) : ((long)(back - 1) << 32) | (uint)front;
                if (Interlocked.CompareExchange(ref state, next, seen) == seen)
                {
                    return fromFront ? front : back - 1;
                }
            }
        }
    }
}
