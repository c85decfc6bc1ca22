using System;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>Sets <see cref="Parallelism.MaxThreads"/> for a block and restores it: <c>using (ThreadLimit.Set(2)) { … }</c>.</summary>
internal sealed class ThreadLimit : IDisposable
{
    private readonly int saved = Parallelism.MaxThreads;

    private ThreadLimit(int threads) => Parallelism.MaxThreads = threads;

    public static ThreadLimit Set(int threads) => new(threads);

    public void Dispose() => Parallelism.MaxThreads = saved;
}
