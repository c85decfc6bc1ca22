using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators;

namespace SymDiff.GeneratorBench;

internal readonly record struct BuildResult(TimeSpan Total, TimeSpan Generator, int GeneratedLines, long ImageBytes, long PlainImageBytes, long GeneratorBytes = 0);

/// <summary>Compilations as a build makes them: parse, (generate,) bind and emit an image to memory.</summary>
internal static class Builds
{
    public static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return tpa.Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(SymDiff.DifferentiableAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    public static CSharpCompilation Compilation(Dictionary<string, string> files) =>
        CSharpCompilation.Create(
            "Project",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Value, Parse, path: f.Key)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool track) =>
        CSharpGeneratorDriver.Create(
            [new DifferentiableGenerator().AsSourceGenerator()],
            parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    /// <summary>One full build; fails loudly if the result has errors or warnings from the generated code.</summary>
    public static BuildResult Compile(Dictionary<string, string> files, bool generate)
    {
        CSharpCompilation compilation = Compilation(files);
        var clock = Stopwatch.StartNew();
        Compilation output = compilation;
        TimeSpan generator = TimeSpan.Zero;
        int lines = 0;
        long allocated = 0;
        if (generate)
        {
            // What the generator allocates (it runs on this thread): a figure the VM's noise does not move.
            long before = GC.GetAllocatedBytesForCurrentThread();
            GeneratorDriver driver = Driver(track: false).RunGeneratorsAndUpdateCompilation(compilation, out output, out ImmutableArray<Diagnostic> diagnostics);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            generator = driver.GetTimingInfo().ElapsedTime;
            Require(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning), "generator");
            lines = driver.GetRunResult().GeneratedTrees.Sum(t => t.GetText().Lines.Count);
        }

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        clock.Stop();
        Require(emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning), "compiler");
        return new BuildResult(clock.Elapsed, generator, lines, image.Length, 0, allocated);
    }

    private static void Require(IEnumerable<Diagnostic> problems, string who)
    {
        var list = problems.Take(5).ToList();
        if (list.Count > 0)
        {
            throw new InvalidOperationException($"the {who} reported:\n" + string.Join("\n", list));
        }
    }
}
