using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace SymDiff.IntegrationTests;

/// <summary>
/// The samples behave like command-line tools: --help exits 0, a bad value names its option and
/// the reason and exits non-zero before any work, an unknown option is an error, and a run prints
/// readable numbers. Each sample is run as built beside this test (same configuration).
/// </summary>
public class SampleCommandLineTests
{
    [Theory]
    [InlineData("LineFit")]
    [InlineData("Playground")]
    [InlineData("TwoLayer")]
    [InlineData("Newton")]
    public void Help_exits_zero_and_an_unknown_option_is_an_error(string sample)
    {
        var (help, helpOut, _) = Run(sample, "--help");
        Assert.Equal(0, help);
        Assert.Contains("Usage:", helpOut);

        var (unknown, _, unknownError) = Run(sample, "--no-such-option");
        Assert.NotEqual(0, unknown);
        Assert.Contains("--no-such-option", unknownError);
    }

    [Theory]
    [InlineData("LineFit", "--lr -1", "--lr must be positive; got -1.")]
    [InlineData("LineFit", "--lr abc", "--lr: 'abc' is not a finite number.")]
    [InlineData("LineFit", "--steps 2.5", "--steps: '2.5' is not a whole number.")]
    [InlineData("LineFit", "--order random", "--order: 'random' is not one of fixed, shuffled.")]
    [InlineData("LineFit", "--batch -2", "--batch must be 0 or more; got -2.")]
    [InlineData("Playground", "--dataset circles", "--dataset: 'circles' is not one of xor, moons, spirals, sine.")]
    [InlineData("Playground", "--layers 3,8,1", "--layers must start with 2 (the xor inputs) and end with 1; got 3,8,1.")]
    [InlineData("Playground", "--epochs 0", "--epochs must be at least 1; got 0.")]
    public void A_bad_value_names_its_option_and_the_reason(string sample, string arguments, string message)
    {
        var (code, output, error) = Run(sample, arguments);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error);
        Assert.DoesNotContain("Exception", error + output);
    }

    [Fact]
    public void An_out_that_is_a_file_or_cannot_be_written_is_one_line_and_an_exit_code_before_training()
    {
        string file = Path.GetTempFileName();
        try
        {
            var (code, output, error) = Run("Playground", $"--out \"{file}\"");
            Assert.Equal(2, code);
            Assert.Equal($"--out: '{file}' is a file; give a directory for the pictures and model.sdm.", error.Trim());
            Assert.DoesNotContain("epoch", output);

            var (unwritable, _, unwritableError) = Run("Playground", $"--out \"{Path.Combine(file, "inside")}\"");
            Assert.Equal(2, unwritable);
            Assert.StartsWith("--out: cannot write to", unwritableError.Trim());
            Assert.Single(unwritableError.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Playground_draws_its_pictures_as_png_files()
    {
        string directory = Path.Combine(Path.GetTempPath(), "symdiff-playground-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output, error) = Run("Playground", $"--dataset moons --layers 2,8,8,1 --epochs 3 --vanishing --out \"{directory}\"");
            Assert.True(code == 0, error);
            foreach (string picture in new[] { "loss.png", "decision.png", "gradients.png" })
            {
                byte[] bytes = File.ReadAllBytes(Path.Combine(directory, picture));
                Assert.True(bytes.Length > 5000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', picture);
                Assert.Contains("wrote " + Path.Combine(directory, picture), output);
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public void LineFit_prints_the_seed_figures_and_both_tables_say_what_their_columns_hold()
    {
        var (code, output, _) = Run("LineFit", string.Empty);
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^0\s+54\s+-3\.0000\s+3\.0000\s+-20\s+4\r?$", output);

        var (batchCode, batchOutput, _) = Run("LineFit", "--batch 2 --epochs 1");
        Assert.Equal(0, batchCode);
        string header = "loss          w          b           dw           db";
        Assert.Contains(header, output);
        Assert.Contains(header, batchOutput);
        Assert.Contains("w and b before the step", output);
        Assert.Contains("w and b before the step", batchOutput);

        // A diverging run shows its losses as 1.0e+300-style numbers, never hundreds of digits.
        var (divergeCode, divergeOutput, _) = Run("LineFit", "--lr 1.5 --steps 400");
        Assert.Equal(0, divergeCode);
        Assert.Contains("e+", divergeOutput);
        Assert.DoesNotContain("0000000000000", divergeOutput);
    }

    private static (int Code, string Output, string Error) Run(string sample, string arguments)
    {
        string dll = Path.Combine(Repository.Root(), "samples", sample, "bin", Configuration(), "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        using Process process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    // Debug or Release: the configuration this test was built in, which built the samples too.
    private static string Configuration() =>
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
}
