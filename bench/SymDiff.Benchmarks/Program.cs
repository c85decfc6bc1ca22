using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SymDiff.Benchmarks.Models).Assembly).Run(args);
