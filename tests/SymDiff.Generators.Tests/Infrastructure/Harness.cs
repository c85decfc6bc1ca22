using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generators;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>Runs the generator over in-memory sources and compiles the result.</summary>
internal static class Harness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return tpa.Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Append(typeof(DifferentiableAttribute).Assembly.Location)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(string assemblyName, IEnumerable<MetadataReference>? extra, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value.Concat(extra ?? []),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver Driver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new DifferentiableGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns the output compilation and the generator's diagnostics.</summary>
    public static (Compilation Output, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriverRunResult Run) Generate(CSharpCompilation compilation)
    {
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return (output, diagnostics, driver.GetRunResult());
    }

    /// <summary>Generates, compiles and loads; fails with every error when the result does not compile cleanly.</summary>
    public static Assembly Load(params string[] sources) => Load(null, sources);

    public static Assembly Load(IEnumerable<MetadataReference>? extra, params string[] sources) => Load(extra, null, sources);

    /// <summary>As <see cref="Load(string[])"/>; <paramref name="matters"/> picks the warnings that fail the build (default: all).</summary>
    public static Assembly Load(IEnumerable<MetadataReference>? extra, Func<Diagnostic, bool>? matters, params string[] sources)
    {
        byte[] image = Build("Test" + Guid.NewGuid().ToString("N"), extra, matters, sources);
        return new AssemblyLoadContext(null, isCollectible: true).LoadFromStream(new MemoryStream(image));
    }

    public static byte[] Build(string assemblyName, IEnumerable<MetadataReference>? extra, params string[] sources) => Build(assemblyName, extra, null, sources);

    public static byte[] Build(string assemblyName, IEnumerable<MetadataReference>? extra, Func<Diagnostic, bool>? matters, params string[] sources)
    {
        var (output, diagnostics, run) = Generate(Compilation(assemblyName, extra, sources));
        var problems = diagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && (matters?.Invoke(d) ?? true)))
            .ToList();
        if (problems.Count > 0)
        {
            string generated = string.Join("\n\n", run.GeneratedTrees.Select(t => t.FilePath + "\n" + t.GetText()));
            throw new InvalidOperationException("Compilation failed:\n" + string.Join("\n", problems) + "\n\nGenerated:\n" + generated);
        }

        using var stream = new MemoryStream();
        var result = output.Emit(stream);
        if (!result.Success)
        {
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        }

        return stream.ToArray();
    }

    /// <summary>The generated source of one hint name (file name ending).</summary>
    public static string GeneratedSource(string source, string hintEnding)
    {
        var (_, _, run) = Generate(Compilation("Snapshot", null, source));
        return run.GeneratedTrees.Single(t => t.FilePath.EndsWith(hintEnding, StringComparison.Ordinal)).GetText().ToString();
    }
}
