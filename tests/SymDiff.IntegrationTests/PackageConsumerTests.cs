using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Xunit;

namespace SymDiff.IntegrationTests;

/// <summary>
/// The consumer path end to end: <c>dotnet pack src/SymDiff</c> makes one package carrying the
/// runtime and the generator, and a fresh console project whose only reference is that package
/// (from a local folder feed) gets the attributes, the generator and working generated methods.
/// </summary>
public class PackageConsumerTests
{
    [Fact]
    public void A_fresh_project_referencing_only_the_package_gets_generated_gradients()
    {
        string repo = RepoRoot();
        string work = Path.Combine(Path.GetTempPath(), "symdiff-consumer-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        string version = "0.1.0-ci" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Run(repo, "dotnet", $"pack src/SymDiff -c Release -o \"{feed}\" -p:Version={version}");
            string package = Directory.GetFiles(feed, "SymDiff.*.nupkg").Single();
            using (ZipArchive zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("analyzers/dotnet/cs/SymDiff.Generators.dll", entries);
                Assert.Contains("lib/net8.0/SymDiff.dll", entries);
                Assert.Contains("lib/net10.0/SymDiff.dll", entries);
                Assert.Contains("README.md", entries);
                string nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
                Assert.Contains("<repository", nuspec);
                Assert.Contains("<tags>", nuspec);
                Assert.Contains("<description>", nuspec);
            }

            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <RestorePackagesPath>{Path.Combine(work, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="SymDiff" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using System;
                using SymDiff;

                double loss = LineFit.LossGradient(-3, 3, out double dw, out double db);
                Console.WriteLine($"{loss} {dw} {Math.Round(db, 9)} {LineFit.SquareDerivative(3, 1)}");

                public static partial class LineFit
                {
                    static readonly double[] X = { -2, -1, 0, 1, 2 };
                    static readonly double[] Y = { -3, -1, 1, 3, 5 };

                    [Differentiable]
                    public static double Loss(double w, double b)
                    {
                        double sum = 0;
                        for (int i = 0; i < X.Length; i++) { double error = w * X[i] + b - Y[i]; sum += error * error; }
                        return sum / X.Length;
                    }

                    [Differentiable]
                    public static double Square(double x) => x * x;
                }
                """);
            string output = Run(app, "dotnet", "run");
            Assert.Contains("54 -20 4 6", output);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Run(string directory, string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed ({process.ExitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }

    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SymDiff.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Repository root not found");
    }
}
