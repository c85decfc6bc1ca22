using System;
using System.Linq;

namespace SymDiff.Benchmarks;

/// <summary>The opening of the markdown tables that the bench's own measurements (--scaling, --stalls, --activation-pairs) print, and their statistics.</summary>
internal static class Report
{
    /// <summary>The <paramref name="q"/> quantile of <paramref name="values"/>, interpolated between the two nearest.</summary>
    public static double Quantile(System.Collections.Generic.IReadOnlyCollection<double> values, double q)
    {
        double[] sorted = values.Order().ToArray();
        double at = q * (sorted.Length - 1);
        int low = (int)Math.Floor(at), high = (int)Math.Ceiling(at);
        return sorted[low] + ((sorted[high] - sorted[low]) * (at - low));
    }

    /// <summary>
    /// Times <paramref name="first"/> and <paramref name="second"/> in <paramref name="rounds"/>
    /// pairs, back to back and in alternating order, so that the two of a pair see the same
    /// moment of the machine: each list holds one time per round.
    /// </summary>
    public static (System.Collections.Generic.List<double> First, System.Collections.Generic.List<double> Second) Pairs(int rounds, Func<double> first, Func<double> second)
    {
        var a = new System.Collections.Generic.List<double>(rounds);
        var b = new System.Collections.Generic.List<double>(rounds);
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                a.Add(first());
                b.Add(second());
            }
            else
            {
                b.Add(second());
                a.Add(first());
            }
        }

        return (a, b);
    }

    /// <summary>The title, when and on what, and a table's header: <paramref name="labels"/> left-aligned, then <paramref name="figures"/> right-aligned.</summary>
    public static void Header(string title, string[] labels, string[] figures)
    {
        Console.WriteLine($"# {title}");
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs, {Cpu()}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine($"| {string.Join(" | ", labels.Concat(figures))} |");
        Console.WriteLine($"| {string.Join(" | ", labels.Select(_ => "---").Concat(figures.Select(_ => "---:")))} |");
    }

    private static string Cpu()
    {
        try
        {
            string? model = System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return model is null ? "CPU unknown" : model[(model.IndexOf(':') + 1)..].Trim();
        }
        catch (System.IO.IOException)
        {
            return "CPU unknown";
        }
    }
}
