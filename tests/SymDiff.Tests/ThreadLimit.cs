using System;
using SymDiff.Nn;

namespace SymDiff.Tests;

/// <summary>
/// The test classes that set <see cref="Parallelism.MaxThreads"/> or rely on the helper threads
/// taking part. They run alone, after the others: the limit is process-wide and the runtime has
/// one pool of helpers, so a class running beside them could change their thread count, or hold
/// the helpers so that their jobs run on the caller's thread alone and a two-thread test checks
/// one thread (as a CI run once saw: a helper's failure never happened because no helper ran).
/// </summary>
[CollectionDefinition(nameof(ThreadLimit), DisableParallelization = true)]
public sealed class ThreadLimitCollection;

/// <summary>Sets <see cref="Parallelism.MaxThreads"/> for a block and restores it: <c>using (ThreadLimit.Set(2)) { … }</c>.</summary>
internal sealed class ThreadLimit : IDisposable
{
    private readonly int saved = Parallelism.MaxThreads;

    private ThreadLimit(int threads) => Parallelism.MaxThreads = threads;

    public static ThreadLimit Set(int threads) => new(threads);

    public void Dispose() => Parallelism.MaxThreads = saved;
}
