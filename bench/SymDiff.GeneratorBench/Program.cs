using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators;
using SymDiff.GeneratorBench;

// What the generator costs a build: a project of realistic [Differentiable] methods compiled
// with and without the generator in this process (paired rounds), the generator's own time,
// an edit outside the methods and an edit inside one, traced through the driver's steps.
//   dotnet run -c Release --project bench/SymDiff.GeneratorBench [-- --methods 1000 --rounds 5]
//   ... -- --sizes        time one method as it grows (straight-line statements, nested depth)
//   ... -- --edits 30     only the edits, 30 of each kind outside the methods
//   ... -- --msbuild      the same project built with dotnet build both ways, a fresh compiler each time
int methods = Option("--methods", 1000);
int rounds = Option("--rounds", 5);
if (args.Contains("--sizes"))
{
    Sizes.Run();
    return;
}

if (args.Contains("--edits"))
{
    // Only the edits, repeated (for a profiler).
    Edits.Run(ProjectWriter.Write(methods), Option("--edits", 5));
    return;
}

if (args.Contains("--msbuild"))
{
    MsBuild.Run(methods, Option("--rounds", 3));
    return;
}

Console.WriteLine($"SymDiff generator cost, {methods} methods, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}");
Dictionary<string, string> annotated = ProjectWriter.Write(methods);
Dictionary<string, string> plain = ProjectWriter.Write(methods, annotate: false);

var withGenerator = new List<double>();
var without = new List<double>();
var generatorOnly = new List<double>();
BuildResult last = default;
for (int round = 0; round <= rounds; round++)
{
    // Round 0 is cold: it includes the JIT of the compiler paths and of the generator, as a fresh compiler process pays.
    BuildResult plainBuild = Builds.Compile(plain, generate: false);
    BuildResult generated = Builds.Compile(annotated, generate: true);
    string label = round == 0 ? "cold" : $"warm {round}";
    Console.WriteLine($"  {label,-7} without {plainBuild.Total.TotalSeconds,6:0.00} s   with {generated.Total.TotalSeconds,6:0.00} s   generator {generated.Generator.TotalSeconds,5:0.00} s   (JIT so far: {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.00} s)");
    if (round > 0)
    {
        without.Add(plainBuild.Total.TotalSeconds);
        withGenerator.Add(generated.Total.TotalSeconds);
        generatorOnly.Add(generated.Generator.TotalSeconds);
    }

    last = generated;
    last = last with { PlainImageBytes = plainBuild.ImageBytes };
}

Console.WriteLine();
Console.WriteLine($"median build without generator  {Median(without),7:0.00} s");
Console.WriteLine($"median build with generator     {Median(withGenerator),7:0.00} s  ({Median(withGenerator) / Median(without):0.00}x)");
Console.WriteLine($"median generator time           {Median(generatorOnly),7:0.00} s");
Console.WriteLine($"generated lines                 {last.GeneratedLines,7}  ({(double)last.GeneratedLines / methods:0.0} per method)");
Console.WriteLine($"image size                      {last.ImageBytes / 1024,7} KB  (without: {last.PlainImageBytes / 1024} KB; {(double)(last.ImageBytes - last.PlainImageBytes) / methods:0} bytes per method)");
Console.WriteLine();
Edits.Run(annotated);

int Option(string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
}
