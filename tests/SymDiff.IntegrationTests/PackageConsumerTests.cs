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
        string repo = Repository.Root();
        string work = Path.Combine(Path.GetTempPath(), "symdiff-consumer-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(work, "feed");
        string app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        string version = "0.1.0-ci" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // Step 1 of the README's "Use it in your project" (with a version of the test's own, so no cached package stands in for it).
            Assert.Contains("dotnet pack src/SymDiff -c Release -o ~/symdiff-feed", File.ReadAllText(Path.Combine(repo, "README.md")));
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

            // Step 2 as the README writes it, in a fresh console project; packages restored into the test's own folder.
            string packages = Path.Combine(work, "packages");
            Run(app, "dotnet", "new console --framework net10.0", packages);
            Run(app, "dotnet", "new nugetconfig", packages);
            Run(app, "dotnet", $"nuget add source \"{feed}\" --name symdiff", packages);
            Run(app, "dotnet", $"add package SymDiff --version {version}", packages);

            // The README's Program.cs, exactly as written there.
            File.WriteAllText(Path.Combine(app, "Program.cs"), ReadmeProgram(repo));
            string output = Run(app, "dotnet", "run -p:TreatWarningsAsErrors=true", packages);
            Assert.Contains("loss 54, dw -20, db 4", output);
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

    // The C# block of the README's "Use it in your project" section, and the commands of its step 2.
    private static string ReadmeProgram(string repo)
    {
        string readme = File.ReadAllText(Path.Combine(repo, "README.md"));
        string section = readme.Substring(readme.IndexOf("## Use it in your project", StringComparison.Ordinal));
        section = section.Substring(0, section.IndexOf("\n## ", 3, StringComparison.Ordinal));
        foreach (string command in new[] { "dotnet new nugetconfig", "dotnet nuget add source ~/symdiff-feed --name symdiff", "dotnet add package SymDiff --version 0.1.0" })
        {
            Assert.Contains(command, section);
        }

        int start = section.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        return section.Substring(start, section.IndexOf("```", start, StringComparison.Ordinal) - start);
    }

    private static string Run(string directory, string file, string arguments, string? packages = null)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (packages is not null)
        {
            info.Environment["NUGET_PACKAGES"] = packages;
        }
        using Process process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed ({process.ExitCode}):\n{stdout}\n{stderr}");
        return stdout;
    }
}
