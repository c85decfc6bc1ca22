using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--scaling")
{
    SymDiff.Benchmarks.ThreadScaling.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
    return;
}

if (args.Length > 0 && args[0] == "--stalls")
{
    SymDiff.Benchmarks.Stalls.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SymDiff.Benchmarks.Models).Assembly).Run(args);
