using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "--scaling")
{
    SymDiff.Benchmarks.ThreadScaling.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 60);
    return;
}

if (args.Length > 0 && args[0] == "--activation-pairs")
{
    SymDiff.Benchmarks.ActivationPairs.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200);
    return;
}

if (args.Length > 0 && args[0] == "--stalls")
{
    SymDiff.Benchmarks.Stalls.Run(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    return;
}

if (args.Length > 0 && args[0] == "--check-second-order")
{
    // The hand-written baselines against the generated methods, before timing them.
    var logistic = new SymDiff.Benchmarks.LogisticSecondOrder();
    logistic.Setup();
    System.Console.WriteLine(logistic.Check());
    System.Console.WriteLine(SymDiff.Benchmarks.RosenbrockSecondOrder.Check());
    return;
}

if (args.Length > 0 && args[0] == "--check-forms")
{
    System.Console.WriteLine(SymDiff.Benchmarks.GradientFormChecks.Run());
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(SymDiff.Benchmarks.Models).Assembly).Run(args);
