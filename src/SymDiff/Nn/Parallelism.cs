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

/// <summary>One piece of work split into independent parts.</summary>
internal interface IParallelWork
{
    /// <summary>Does part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    /// <param name="part">Which part, from 0.</param>
    /// <param name="parts">How many parts there are.</param>
    void Execute(int part, int parts);
}

/// <summary>
/// A fork/join pool of persistent helper threads for the short, frequent parallel regions of a
/// training step (tens to hundreds of microseconds each), where <c>Parallel.For</c>'s scheduling
/// and allocations cost more than they gain. The caller runs part 0 itself; each helper spins
/// briefly for its next part, then sleeps. The parts of one job run at the same time, so they may
/// wait for each other. Only one caller uses the helpers at a time: a second concurrent caller
/// runs its job on its own thread, as a single part.
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

    /// <summary>Runs parts 0 … <paramref name="parts"/> − 1 of <paramref name="work"/>, in parallel where it can, and returns when all are done.</summary>
    /// <param name="work">The work.</param>
    /// <param name="parts">The number of parts.</param>
    public static void Run(IParallelWork work, int parts)
    {
        // A part that starts parallel work of its own runs it alone: its helpers are busy.
        if (parts <= 1 || Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
        {
            // Alone (or the helpers are busy with another caller): all of it as a single part, so
            // that a job whose parts wait for each other never waits for itself.
            work.Execute(0, 1);
            return;
        }

        try
        {
            Helper[] pool = Ensure(parts - 1);
            for (int p = 1; p < parts; p++)
            {
                pool[p - 1].Post(work, p, parts);
            }

            ExceptionDispatchInfo? failure = null;
            try
            {
                work.Execute(0, parts);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            // Always wait for every helper, even after a failure: the pool is free only then.
            for (int p = 1; p < parts; p++)
            {
                ExceptionDispatchInfo? helperFailure = pool[p - 1].Join();
                failure ??= helperFailure;
            }

            failure?.Throw();
        }
        finally
        {
            Monitor.Exit(Gate);
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
        private int part;
        private int parts;
        private ExceptionDispatchInfo? failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"SymDiff worker {index}" };
            thread.Start();
        }

        public void Post(IParallelWork work, int part, int parts)
        {
            this.part = part;
            this.parts = parts;
            failure = null;
            job = work;
            wake.Set();
        }

        public ExceptionDispatchInfo? Join()
        {
            // The helper is running its part: spin without yielding the core for a while (a
            // yield can hand the core to another thread just as the part ends), then politely.
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            var spin = default(SpinWait);
            while (job is not null)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(16);
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
                IParallelWork work = Next();
                try
                {
                    work.Execute(part, parts);
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }

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
                    Thread.SpinWait(20);
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
}
