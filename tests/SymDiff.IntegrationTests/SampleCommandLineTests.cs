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

    [Fact]
    public void LineFit_explain_prints_the_chain_rule_of_step_zero_with_the_seed_figures()
    {
        var (code, output, error) = Run("LineFit", "--explain");
        Assert.True(code == 0, error);
        foreach (string residual in new[] { "error = 12", "error = 7", "error = 2", "error = -3", "error = -8" })
        {
            Assert.Contains(residual, output);
        }

        Assert.Contains("Loss = 54", output);
        Assert.Contains("dError = 2 * error × dSum = 24 × 0.2 = 4.8", output);
        Assert.Contains("∂Loss/∂w = -20", output);
        Assert.Contains("∂Loss/∂b = 4", output);
        Assert.DoesNotContain("Full-batch", output);

        // The README's excerpt of this output is this output.
        string readme = File.ReadAllText(Path.Combine(Repository.Root(), "README.md")).Replace("\r\n", "\n");
        const string marker = "prints step 0 of the line fit; this is part of its output:";
        int at = readme.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "the README no longer introduces its trace excerpt with: " + marker);
        int start = readme.IndexOf("```text\n", at, StringComparison.Ordinal) + "```text\n".Length;
        string[] excerpt = readme.Substring(start, readme.IndexOf("```", start, StringComparison.Ordinal) - start).TrimEnd().Split('\n');
        Assert.True(excerpt.Length >= 5);
        Assert.Contains(string.Join("\n", excerpt), output.Replace("\r\n", "\n"));
    }

    [Fact]
    public void TwoLayer_explain_and_html_show_the_networks_forward_and_backward_pass()
    {
        string page = Path.Combine(Path.GetTempPath(), "symdiff-trace-" + Guid.NewGuid().ToString("N") + ".html");
        try
        {
            var (code, output, error) = Run("TwoLayer", $"--explain --html \"{page}\"");
            Assert.True(code == 0, error);

            // The article's forward values, its matrix-form deltas (δ2 = 2e, δ1 = W2ᵀδ2 ⊙ relu′) and gradients.
            foreach (string figure in new[] { "z10 = 1.815", "z11 = 0.055", "Loss = 0.5001125", "de0 = 2 * e0 × dLoss = -0.985", "de1 = 2 * e1 × dLoss = -1.015", "da10 = -0.2985", "da11 = -0.1045", "∂Loss/∂W1[1] = -2.0895", "∂Loss/∂W2[2] = -1.842225" })
            {
                Assert.Contains(figure, output);
            }

            string html = File.ReadAllText(page);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Contains("Backward pass", html);
            Assert.Contains("dW2[2] += a10 × dOut1", System.Net.WebUtility.HtmlDecode(html));
            Assert.DoesNotContain("<script", html);
            Assert.DoesNotContain("http", html);

            var (bad, _, badError) = Run("TwoLayer", $"--html \"{Path.GetTempPath()}\"");
            Assert.Equal(2, bad);
            Assert.StartsWith("--html: '", badError.Trim());
            Assert.Single(badError.Trim().Split('\n'));
        }
        finally
        {
            File.Delete(page);
        }
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
