using System.Text;

namespace SymDiff.GeneratorBench;

/// <summary>Generator time for one method as it grows: straight-line statements, and an expression nested deep.</summary>
internal static class Sizes
{
    public static void Run()
    {
        Time("warm-up", Straight(10));
        foreach (int n in (Environment.GetEnvironmentVariable("SIZES_STRAIGHT") is string only ? new[] { int.Parse(only) } : new[] { 250, 500, 1000, 2000 }))
        {
            Time($"{n} straight-line statements", Straight(n));
        }

        foreach (int n in (Environment.GetEnvironmentVariable("SIZES_NESTED") is string only ? new[] { int.Parse(only) } : new[] { 75, 150, 300 }))
        {
            Time($"expression nested {n} deep", Nested(n));
        }
    }

    /// <summary>A chain of locals, each read twice later (the shape that once doubled at every line).</summary>
    public static string Straight(int statements)
    {
        var body = new StringBuilder("double s0 = x * y;\n");
        for (int i = 1; i < statements; i++)
        {
            body.Append($"double s{i} = s{i - 1} * 0.5 + Math.Sin(s{i - 1}) * y;\n");
        }

        return Wrap(body + $"return s{statements - 1};");
    }

    /// <summary>One return expression nested <paramref name="depth"/> deep: ((x * y + 1) * x - y) * ...</summary>
    public static string Nested(int depth)
    {
        var expression = new StringBuilder("x");
        for (int i = 0; i < depth; i++)
        {
            expression.Insert(0, '(').Append(i % 3 == 0 ? " * y + 0.5)" : i % 3 == 1 ? " - x * 0.25)" : " * 0.75)");
        }

        return Wrap($"return Math.Sin({expression});");
    }

    private static string Wrap(string body) =>
        $"using System;\nusing SymDiff;\nnamespace Project;\npublic static partial class Big\n{{\n[Differentiable]\npublic static double F(double x, double y)\n{{\n{body}\n}}\n}}\n";

    // Runs in a row (SIZES_RUNS, 7 unless set): the first pays for the JIT of the paths this size
    // takes; the later ones run the code the JIT has optimised by then, and their median is the
    // generator's own growth.
    private static void Time(string label, string source)
    {
        var files = new Dictionary<string, string> { ["Big.cs"] = source };
        var generator = new List<double>();
        long allocated = 0;
        int lines = 0;
        int runs = int.Parse(Environment.GetEnvironmentVariable("SIZES_RUNS") ?? "7");
        for (int run = 0; run < runs; run++)
        {
            BuildResult result = Builds.Compile(files, generate: true);
            generator.Add(result.Generator.TotalSeconds);
            lines = result.GeneratedLines;
            allocated = result.GeneratorBytes;
        }

        List<double> later = generator.Skip(1).Order().ToList();
        Console.WriteLine($"{label,-32} generator {generator[0],7:0.000} s first, {later[later.Count / 2],7:0.000} s median of the {later.Count} after it   {lines} lines   {allocated / 1e6:0} MB allocated");
    }
}
