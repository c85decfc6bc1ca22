using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--scaling")
{
    SymDiff.Benchmarks.ThreadScaling.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SymDiff.Benchmarks.Models).Assembly).Run(args);
