using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Numerics;
using SymDiff.Nn;

namespace SymDiff.Benchmarks;

/// <summary>
/// The generic pullbacks against the one-precision ones, in pairs: each round times a block of
/// <see cref="ActivationBackward{T}.GeneratedGeneric"/> calls and a block of
/// <see cref="ActivationBackward{T}.GeneratedConcrete"/> calls back to back in one process (in
/// alternating order); the slowdown is the median of the rounds' ratios, with quartiles.
/// BenchmarkDotNet runs the two in separate processes, between which this VM's speed moves by
/// more than the effect being measured (the transcendental pullbacks' standard deviations there
/// are 5–20 % of their means).
/// Run with <c>dotnet run -c Release -- --activation-pairs [rounds]</c>.
/// </summary>
internal static class ActivationPairs
{
    private const int CallsPerBlock = 200;

    public static void Run(int rounds)
    {
        Report.Header(
            $"Generic against one-precision pullbacks, 4,096 elements, {rounds} rounds of {CallsPerBlock} calls each",
            ["activation", "precision"],
            ["one precision (median µs)", "generic (median µs)", "generic ÷ one precision: median of pairs", "quartiles"]);
        foreach (Activation function in new[] { Activation.Relu, Activation.Tanh, Activation.Gelu })
        {
            Measure(new ActivationBackwardDouble { Function = function }, "double", rounds);
            Measure(new ActivationBackwardFloat { Function = function }, "float", rounds);
        }
    }

    private static void Measure<T>(ActivationBackward<T> benchmark, string precision, int rounds)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        benchmark.Setup();
        Action concrete = () => benchmark.GeneratedConcrete();
        Action generic = () => benchmark.GeneratedGeneric();

        // Warm-up: both past the JIT's tiers.
        Time(concrete, 20 * CallsPerBlock);
        Time(generic, 20 * CallsPerBlock);

        (List<double> one, List<double> gen) = Report.Pairs(rounds, () => Time(concrete, CallsPerBlock), () => Time(generic, CallsPerBlock));
        List<double> ratios = gen.Zip(one, (b, a) => b / a).ToList();

        Console.WriteLine($"| {benchmark.Function} | {precision} | {Report.Quantile(one, 0.5):F2} | {Report.Quantile(gen, 0.5):F2} | {Report.Quantile(ratios, 0.5):F3} | {Report.Quantile(ratios, 0.25):F3}–{Report.Quantile(ratios, 0.75):F3} |");
    }

    // Microseconds per call, the mean over the block.
    private static double Time(Action call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            call();
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
    }
}
