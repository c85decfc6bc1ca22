using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using SymDiff.Nn;

namespace SymDiff.Benchmarks;

/// <summary>
/// Two threads against one on 784-256-10 (batch 128, the TrainingThroughput "c" step), measured
/// in pairs: each round times a block of steps on one thread and a block on two, back to back
/// in one process (in alternating order), and the speed-up is the median of the rounds' ratios.
/// <para>
/// BenchmarkDotNet times one thread and two threads in separate processes minutes apart. On the
/// shared 2-vCPU VM of bench/RESULTS.md the same two-thread step measured from 317 to 417 µs in
/// processes a few seconds apart (and one thread from 596 to 757 µs), so a ratio of two such
/// runs says as much about the moment as about the code. A pair of blocks 0.2 s apart sees the
/// same machine; the quartiles of the ratios show how much the pairs still vary.
/// </para>
/// Run with <c>dotnet run -c Release -- --scaling [rounds]</c>.
/// </summary>
internal static class ThreadScaling
{
    private const int Steps = 200;

    public static void Run(int rounds)
    {
        Report.Header(
            $"Thread scaling, 784-256-10 batch 128, {rounds} rounds of {Steps} steps per thread count",
            ["precision", "step"],
            ["1 thread (median µs)", "2 threads (median µs)", "speed-up: median of pairs", "quartiles", "lowest, highest", "fastest tenth of steps: 1 thread, 2 threads (µs), speed-up"]);
        Measure(new TrainingThroughputFloat(), "float", rounds);
        Measure(new TrainingThroughputDouble(), "double", rounds);
    }

    // The benchmark's own "c" steps, so that the pairs time exactly what BenchmarkDotNet times.
    private static void Measure<T>(TrainingThroughput<T> benchmark, string precision, int rounds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int saved = Parallelism.MaxThreads;
        benchmark.Config = "c";
        benchmark.Setup();
        var steps = new (string Name, Action Step)[]
        {
            ("TrainStep", () => benchmark.SymDiffTrainStep()),
            ("ComputeGradients + Step", () => benchmark.SymDiffMlp()),
        };

        try
        {
            foreach ((string name, Action step) in steps)
            {
                // Warm-up: the JIT's tiers and both threads' caches.
                var warmUp = new List<double>(10 * Steps);
                Time(step, 1, 5 * Steps, warmUp);
                Time(step, 2, 5 * Steps, warmUp);

                // Sized up front, so that no list grows (and allocates) between timed steps.
                var oneSteps = new List<double>(rounds * Steps);
                var twoSteps = new List<double>(rounds * Steps);
                (List<double> one, List<double> two) = Report.Pairs(rounds, () => Time(step, 1, Steps, oneSteps), () => Time(step, 2, Steps, twoSteps));
                List<double> ratios = one.Zip(two, (t1, t2) => t1 / t2).ToList();

                Console.WriteLine($"| {precision} | {name} | {Report.Quantile(one, 0.5):F0} | {Report.Quantile(two, 0.5):F0} | {Report.Quantile(ratios, 0.5):F2}× | " +
                    $"{Report.Quantile(ratios, 0.25):F2}–{Report.Quantile(ratios, 0.75):F2} | {ratios.Min():F2}, {ratios.Max():F2} | " +
                    $"{Report.Quantile(oneSteps, 0.1):F0}, {Report.Quantile(twoSteps, 0.1):F0}, {Report.Quantile(oneSteps, 0.1) / Report.Quantile(twoSteps, 0.1):F2}× |");
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    // Microseconds per step over `count` steps on `threads` threads (the mean: throughput), after
    // a few untimed steps that wake the helper thread; each step's own time is added to `steps`.
    // The fastest steps are those no stall of the VM's cores fell into (see Stalls): their
    // speed-up is the code's own, the mean's is what a user gets on this machine.
    private static double Time(Action step, int threads, int count, List<double> steps)
    {
        Parallelism.MaxThreads = threads;
        for (int i = 0; i < 5; i++)
        {
            step();
        }

        long start = Stopwatch.GetTimestamp(), last = start;
        for (int i = 0; i < count; i++)
        {
            step();
            long now = Stopwatch.GetTimestamp();
            steps.Add(Stopwatch.GetElapsedTime(last, now).TotalMicroseconds);
            last = now;
        }

        return Stopwatch.GetElapsedTime(start, last).TotalMicroseconds / count;
    }
}
