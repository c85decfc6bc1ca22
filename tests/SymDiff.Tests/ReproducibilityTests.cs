using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace SymDiff.Tests;

/// <summary>
/// The README's promise: training gives the same bits whatever the CPU's vector width, with or
/// without FMA and hardware intrinsics, and on any number of threads. Each case runs
/// SymDiff.Reproducibility (a few epochs of Adam on a 77-131-19-10 network, float and double) in
/// a fresh process under one DOTNET_* setting, checks that the setting took effect (the process
/// reports the hardware it sees), and compares the hash of every weight with the default run's.
/// </summary>
public class ReproducibilityTests
{
    private static readonly Lazy<Run> Default = new(() => Start([], "2"));

    public static TheoryData<string, string, string> Settings => new()
    {
        { "DOTNET_EnableHWIntrinsic=0", "2", "vector128=False" },
        { "DOTNET_MaxVectorTBitWidth=512", "2", "vectorT=64" },
        { "DOTNET_EnableAVX2=0", "2", "fma=False" },
        { "DOTNET_EnableAVX512=0", "2", "vector512=False" },
        { string.Empty, "1", "threads=1" },
        { string.Empty, "3", "threads=3" },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Training_gives_the_same_bits_under_every_setting(string setting, string threads, string expectedHardware)
    {
        if (setting == "DOTNET_MaxVectorTBitWidth=512" && !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            // Without AVX-512 the setting cannot widen Vector<T>; the bits must still be the same.
            expectedHardware = "vector512=False";
        }

        Run baseline = Default.Value;
        Run run = Start(setting.Length == 0 ? [] : [setting], threads);
        Assert.True(run.Hardware.Contains(expectedHardware, StringComparison.Ordinal), $"{setting} did not take effect: {run.Hardware}");
        Assert.Equal(baseline.Hashes, run.Hashes);
    }

    private static Run Start(IReadOnlyList<string> environment, string threads)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "SymDiff.Reproducibility.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        start.ArgumentList.Add(threads);
        foreach (string pair in environment)
        {
            string[] parts = pair.Split('=');
            start.Environment[parts[0]] = parts[1];
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"SymDiff.Reproducibility failed under {string.Join(" ", environment)}:\n{output}\n{error}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Run(lines[0], string.Join("\n", lines.Skip(1)));
    }

    private sealed record Run(string Hardware, string Hashes);
}
