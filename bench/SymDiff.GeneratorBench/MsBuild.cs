using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SymDiff.GeneratorBench;

/// <summary>
/// The build as a user runs it: the project written to disk twice (with the generator as an
/// analyzer, and the same sources without attributes or generator), each built with
/// <c>dotnet build --no-incremental</c> and a fresh compiler process (no build server), in
/// alternating order. The compiler's own report (-p:ReportAnalyzer=true) gives the generator's time.
/// </summary>
internal static partial class MsBuild
{
    public static void Run(int methods, int rounds)
    {
        string root = Path.Combine(Path.GetTempPath(), "symdiff-generator-bench");
        string with = Write(Path.Combine(root, "with"), ProjectWriter.Write(methods), generator: true);
        string without = Write(Path.Combine(root, "without"), ProjectWriter.Write(methods, annotate: false), generator: false);
        Dotnet("restore", with);
        Dotnet("restore", without);
        var timesWith = new List<double>();
        var timesWithout = new List<double>();
        var generator = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            (double plain, _) = Build(without);
            (double total, double gen) = Build(with);
            Console.WriteLine($"  round {round + 1}  without {plain,6:0.00} s   with {total,6:0.00} s   generator {gen,5:0.00} s");
            timesWithout.Add(plain);
            timesWith.Add(total);
            generator.Add(gen);
        }

        double a = Median(timesWithout), b = Median(timesWith);
        Console.WriteLine($"dotnet build, median of {rounds}: without {a:0.00} s, with {b:0.00} s ({b / a:0.00}x), generator {Median(generator):0.00} s");
        string dll = Path.Combine(with, "bin", "Release", "net10.0", "Project.dll");
        string plainDll = Path.Combine(without, "bin", "Release", "net10.0", "Project.dll");
        Console.WriteLine($"Project.dll: with {new FileInfo(dll).Length / 1024} KB, without {new FileInfo(plainDll).Length / 1024} KB");
    }

    private static string Write(string folder, Dictionary<string, string> files, bool generator)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        foreach ((string name, string text) in files)
        {
            File.WriteAllText(Path.Combine(folder, name), text);
        }

        string repository = Repository();
        string runtime = Path.Combine(repository, "src", "SymDiff", "SymDiff.csproj");
        string analyzer = Path.Combine(repository, "generators", "SymDiff.Generators", "SymDiff.Generators.csproj");
        File.WriteAllText(Path.Combine(folder, "Project.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <UseSharedCompilation>false</UseSharedCompilation>
                <ReportAnalyzer>true</ReportAnalyzer>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{runtime}" />
                {(generator ? $"<ProjectReference Include=\"{analyzer}\" OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\" />" : string.Empty)}
              </ItemGroup>
            </Project>
            """);
        return folder;
    }

    // Builds the project alone (its references are already built); returns wall time and the generator's reported time.
    private static (double Seconds, double Generator) Build(string folder)
    {
        var clock = Stopwatch.StartNew();
        string log = Dotnet("build -c Release --no-restore --no-incremental -p:BuildProjectReferences=false -v:d", folder);
        double seconds = clock.Elapsed.TotalSeconds;
        Match match = GeneratorTime().Match(log);
        double generator = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return (seconds, generator);
    }

    // The compiler's report has a line "  4.284   85      SymDiff.Generators.DifferentiableGenerator" (seconds, percent, name).
    [GeneratedRegex(@"([0-9]+\.[0-9]+)\s+[0-9]+\s+SymDiff\.Generators\.DifferentiableGenerator")]
    private static partial Regex GeneratorTime();

    private static string Dotnet(string arguments, string folder)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {arguments} failed in {folder}:\n{output[^Math.Min(output.Length, 3000)..]}");
        }

        return output;
    }

    private static string Repository()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "SymDiff.sln")))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder ?? throw new InvalidOperationException("run from inside the repository");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
