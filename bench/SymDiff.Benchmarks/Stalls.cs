using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace SymDiff.Benchmarks;

/// <summary>
/// How often, and for how long, the machine takes a busy core away from this process: one and
/// then two threads each read the clock in a tight loop, and every gap of 3 µs or more between two
/// reads is time the thread did not run (an interrupt, the hypervisor, another task).
/// <para>
/// A stall of one thread costs a one-thread step its length, but can cost a two-thread step up to
/// its length as well, while the other thread waits for the stalled one's work in flight: the
/// more the cores stall, the further the mean two-thread speed-up falls below that of the
/// fastest steps (see ThreadScaling).
/// </para>
/// Run with <c>dotnet run -c Release -- --stalls [seconds]</c>.
/// </summary>
internal static class Stalls
{
    private const double GapMicroseconds = 3;

    public static void Run(double seconds)
    {
        Report.Header(
            $"Stalls of busy threads, {seconds:F1} s per run, gaps of {GapMicroseconds} µs or more",
            [],
            ["busy threads", "thread", "stalls per second", "time stalled", "median stall (µs)", "90th percentile (µs)", "longest (µs)"]);
        for (int threads = 1; threads <= Math.Min(2, Environment.ProcessorCount); threads++)
        {
            List<double>[] gaps = Measure(threads, seconds);
            for (int t = 0; t < threads; t++)
            {
                double[] sorted = gaps[t].Order().ToArray();
                double At(double q) => sorted.Length == 0 ? 0 : sorted[(int)(q * (sorted.Length - 1))];
                Console.WriteLine($"| {threads} | {t + 1} | {sorted.Length / seconds:F0} | {sorted.Sum() / (seconds * 1e4):F1} % | {At(0.5):F1} | {At(0.9):F1} | {At(1):F0} |");
            }
        }
    }

    // Each thread's gaps, in microseconds, over `seconds` of spinning together.
    private static List<double>[] Measure(int threads, double seconds)
    {
        // Room for 10,000 stalls a second (this VM shows up to 2,200), so that no list grows,
        // and stalls its thread, while it measures.
        var gaps = Enumerable.Range(0, threads).Select(_ => new List<double>((int)(seconds * 10_000))).ToArray();
        using var start = new ManualResetEventSlim(false);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() => Spin(start, seconds, gaps[t]))).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        start.Set();
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        return gaps;
    }

    private static void Spin(ManualResetEventSlim start, double seconds, List<double> gaps)
    {
        start.Wait();
        long gap = (long)(GapMicroseconds * Stopwatch.Frequency / 1e6);
        long previous = Stopwatch.GetTimestamp(), end = previous + (long)(seconds * Stopwatch.Frequency);
        while (previous < end)
        {
            long now = Stopwatch.GetTimestamp();
            if (now - previous >= gap)
            {
                gaps.Add(Stopwatch.GetElapsedTime(previous, now).TotalMicroseconds);
            }

            previous = now;
        }
    }
}
