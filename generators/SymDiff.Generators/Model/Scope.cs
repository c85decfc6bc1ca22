using System;

namespace SymDiff.Generators.Model;

/// <summary>Runs <paramref name="end"/> when disposed: the end of a <c>using</c> scope that set thread-static state (a dialect, a simplification session).</summary>
internal sealed class Scope(Action end) : IDisposable
{
    public void Dispose() => end();
}
