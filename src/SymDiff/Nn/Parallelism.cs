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
/// Work in two phases of independent chunks, where the second needs all of the first: every
/// chunk of the first phase is done before any thread starts the second, and in between each
/// thread that goes on to the second phase does <see cref="Between"/>, its own copy of the small
/// work that joins the two (so that no thread waits while one does it, and its results stay in
/// that thread's cache).
/// </summary>
internal interface IPhasedWork
{
    /// <summary>Does chunk <paramref name="chunk"/> of the first phase. Any thread may do any chunk, in any order.</summary>
    /// <param name="chunk">Which chunk, from 0.</param>
    void First(int chunk);

    /// <summary>The work between the phases, done by every thread that goes on to the second (always by the caller).</summary>
    /// <param name="thread">Which thread: 0 is the caller, the others count from 1.</param>
    void Between(int thread);

    /// <summary>Does chunk <paramref name="chunk"/> of the second phase, after <see cref="Between"/> on the same thread.</summary>
    /// <param name="chunk">Which chunk, from 0.</param>
    /// <param name="thread">The thread, as <see cref="Between"/> was told.</param>
    void Second(int chunk, int thread);
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
    private static readonly Claims First = new(), Second = new();
    private static readonly PhasedJob Phases = new();
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
        if (!TakePool(threads))
        {
            for (int c = 0; c < chunks; c++)
            {
                work.Execute(c);
            }

            return;
        }

        Fork(work, threads, chunks, 0);
    }

    /// <summary>
    /// Runs both phases of <paramref name="work"/> on up to <paramref name="threads"/> threads
    /// and returns when all are done: one fork and join for both, and no thread waits for a
    /// serial step between them.
    /// </summary>
    /// <param name="work">The work.</param>
    /// <param name="firstChunks">The number of chunks of the first phase.</param>
    /// <param name="secondChunks">The number of chunks of the second phase.</param>
    /// <param name="threads">The most threads worth using, the caller's included.</param>
    public static void Run(IPhasedWork work, int firstChunks, int secondChunks, int threads)
    {
        threads = Math.Min(threads, Math.Max(firstChunks, secondChunks));
        if (!TakePool(threads))
        {
            for (int c = 0; c < firstChunks; c++)
            {
                work.First(c);
            }

            work.Between(0);
            for (int c = 0; c < secondChunks; c++)
            {
                work.Second(c, 0);
            }

            return;
        }

        Phases.Start(work, firstChunks);
        Fork(Phases, threads, firstChunks, secondChunks);
    }

    // Whether a job for `threads` threads gets the helpers (then the caller holds Gate until
    // Fork releases it). Otherwise the caller runs it alone: one thread is enough, or a chunk
    // that starts parallel work of its own finds its helpers busy, or another caller has them.
    private static bool TakePool(int threads) => threads > 1 && !Monitor.IsEntered(Gate) && Monitor.TryEnter(Gate);

    // Waits one pause while `until` has not passed, without yielding the core (a yield can hand
    // the core to another thread just as the awaited work ends), then politely.
    private static void Pause(long until, ref SpinWait spin)
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

    // Runs a job on `threads` threads: the caller, who holds Gate, and threads − 1 helpers.
    private static void Fork(object job, int threads, int firstChunks, int secondChunks)
    {
        try
        {
            First.Share(firstChunks, threads);
            Second.Share(secondChunks, threads);
            Helper[] pool = Ensure(threads - 1);
            for (int t = 1; t < threads; t++)
            {
                pool[t - 1].Post(job, t, threads);
            }

            ExceptionDispatchInfo? failure = Drain(job, 0, threads);

            // Always wait for every helper, even after a failure: the pool is free only then.
            for (int t = 1; t < threads; t++)
            {
                ExceptionDispatchInfo? helperFailure = pool[t - 1].Join();
                failure ??= helperFailure;
            }

            Phases.Start(null, 0);
            failure?.Throw();
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    // One thread's share of a job: chunks until none are left. A failure ends the job: no
    // thread takes another chunk, the ones under way finish, and the first failure is rethrown.
    private static ExceptionDispatchInfo? Drain(object job, int thread, int threads)
    {
        try
        {
            if (job is PhasedJob phased)
            {
                phased.Drain(thread, threads);
            }
            else
            {
                var work = (IParallelWork)job;
                for (int c = First.Next(thread, threads); c >= 0; c = First.Next(thread, threads))
                {
                    work.Execute(c);
                }
            }

            return null;
        }
        catch (Exception e)
        {
            First.Share(0, threads);
            Second.Share(0, threads);
            Phases.Fail();
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
        public static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 2000;

        private readonly ManualResetEventSlim wake = new(false);
        private volatile object? job;
        private int thread;
        private int threads;
        private ExceptionDispatchInfo? failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"SymDiff worker {index}" };
            thread.Start();
        }

        public void Post(object work, int thread, int threads)
        {
            this.thread = thread;
            this.threads = threads;
            failure = null;
            job = work;
            wake.Set();
        }

        public ExceptionDispatchInfo? Join()
        {
            // The helper is running its chunks.
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            var spin = default(SpinWait);
            while (job is not null)
            {
                Pause(until, ref spin);
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

        private object Next()
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                object? work = job;
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

    // How the threads run an IPhasedWork job: each takes chunks of the first phase until none
    // are left and waits until all are done (each was taken by a thread that is running it, so
    // the wait ends); then, unless nothing of the second phase is left to take, it does the work
    // between the phases and takes chunks of the second. The caller always does the work
    // between, so its results are there when the job returns.
    private sealed class PhasedJob
    {
        private IPhasedWork? work;
        private int firstChunks;
        private int done;
        private volatile bool failed;

        public void Start(IPhasedWork? work, int firstChunks)
        {
            (this.work, this.firstChunks, done, failed) = (work, firstChunks, 0, false);
        }

        public void Fail() => failed = true;

        public void Drain(int thread, int threads)
        {
            IPhasedWork phases = work!;
            for (int c = First.Next(thread, threads); c >= 0; c = First.Next(thread, threads))
            {
                try
                {
                    phases.First(c);
                }
                finally
                {
                    Interlocked.Increment(ref done);
                }
            }

            // The other threads are finishing chunks.
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + Helper.SpinTicks;
            var spin = default(SpinWait);
            while (Volatile.Read(ref done) < firstChunks && !failed)
            {
                Pause(until, ref spin);
            }

            if (failed || (thread > 0 && !Second.AnyLeft(threads)))
            {
                return;
            }

            phases.Between(thread);
            for (int c = Second.Next(thread, threads); c >= 0; c = Second.Next(thread, threads))
            {
                phases.Second(c, thread);
            }
        }
    }

    // Who takes which chunk. Thread t's band is chunks [t·n/T, (t+1)·n/T): it takes them from the
    // front, in order (so it mostly works on data it touched in the previous job, which was cut
    // the same way), then takes from the back of the other bands. A band's state is one long:
    // the next chunk from the front in the low half, one past the last unclaimed chunk in the
    // high half, claimed by compare-and-swap; each band has a cache line of its own.
    private sealed class Claims
    {
        private const int Stride = 8;
        private long[] bands = new long[Stride * 2];

        public void Share(int chunks, int threads)
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

        public bool AnyLeft(int threads)
        {
            for (int t = 0; t < threads; t++)
            {
                long seen = Volatile.Read(ref State(t));
                if ((int)seen < (int)(seen >> 32))
                {
                    return true;
                }
            }

            return false;
        }

        public int Next(int thread, int threads)
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
        private ref long State(int band) => ref bands[(band + 1) * Stride];

        private int Take(int band, bool fromFront)
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
