using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SymDiff.Generated;

/// <summary>Argument plumbing for the array adjoints of generated code. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Adjoint
{
    /// <summary>Throws when a <c>Gradient</c> method's array adjoint does not match its array.</summary>
    /// <param name="adjoint">The adjoint span.</param>
    /// <param name="length">The array's length.</param>
    /// <param name="name">The adjoint parameter's name.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireLength<T>(Span<T> adjoint, int length, string name) => RequireLength((ReadOnlySpan<T>)adjoint, length, name);

    /// <summary>Checks a read-only adjoint (the output adjoint a vector-valued Backward receives).</summary>
    /// <param name="adjoint">The span to check.</param>
    /// <param name="length">The length it must have.</param>
    /// <param name="name">The parameter's name, for the exception.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireLength<T>(ReadOnlySpan<T> adjoint, int length, string name)
    {
        if (adjoint.Length != length)
        {
            ThrowLength(adjoint.Length, length, name);
        }
    }

    /// <summary>
    /// Zeroes the elements from <paramref name="start"/> on: the part of a <c>Gradient</c> method's
    /// array adjoint that no step writes, because the method never reads those elements.
    /// </summary>
    /// <param name="adjoint">The adjoint span.</param>
    /// <param name="start">The first element no step writes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearFrom<T>(Span<T> adjoint, int start)
    {
        if (adjoint.Length > start)
        {
            adjoint.Slice(start).Clear();
        }
    }

    // Deliberately not NoInlining: the JIT sees that this method only throws, treats the call as
    // one that does not return and moves it out of line, so the caller keeps its registers. With
    // NoInlining the 3-2-2 gradient's four checks cost about 15 % of the whole call.
    [DoesNotReturn]
    private static void ThrowLength(int actual, int length, string name) =>
        throw new ArgumentException($"The adjoint has {actual} elements but its array has {length}.", name);

    /// <summary>
    /// The adjoint a <c>Backward</c> method accumulates into: the caller's span, or, when the
    /// caller passed an empty span because it does not need this adjoint, a per-thread scratch
    /// buffer whose contents are discarded (reused, so steady state allocates nothing).
    /// </summary>
    /// <param name="adjoint">The caller's span, or empty.</param>
    /// <param name="length">The array's length.</param>
    /// <param name="name">The adjoint parameter's name.</param>
    /// <returns>A span of <paramref name="length"/> elements to accumulate into.</returns>
    public static Span<T> OrSink<T>(Span<T> adjoint, int length, string name)
    {
        if (!adjoint.IsEmpty || length == 0)
        {
            RequireLength(adjoint, length, name);
            return adjoint;
        }

        return Scratch<T>.Get(length);
    }
}

/// <summary>Argument plumbing for the array tangents of generated code. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Tangent
{
    /// <summary>
    /// The tangent a <c>Derivative</c> method reads: the caller's span, or zeros when the caller
    /// passed an empty span because the array is constant.
    /// </summary>
    /// <param name="tangent">The caller's span, or empty.</param>
    /// <param name="length">The array's length.</param>
    /// <param name="name">The tangent parameter's name.</param>
    /// <returns>A span of <paramref name="length"/> elements.</returns>
    public static ReadOnlySpan<T> OrZero<T>(ReadOnlySpan<T> tangent, int length, string name)
    {
        if (!tangent.IsEmpty || length == 0)
        {
            if (tangent.Length != length)
            {
                throw new ArgumentException($"The tangent has {tangent.Length} elements but its array has {length}.", name);
            }

            return tangent;
        }

        return Zeros<T>.Get(length);
    }

    /// <summary>
    /// Checks an output's tangent span and zeroes it: elements the method never writes have
    /// tangent zero.
    /// </summary>
    public static void Start<T>(Span<T> tangent, int length, string name)
    {
        Adjoint.RequireLength(tangent, length, name);
        tangent.Clear();
    }
}

/// <summary>Per-thread scratch memory whose contents do not matter (a sink for unwanted adjoints).</summary>
internal static class Scratch<T>
{
    [ThreadStatic]
    private static T[]? buffer;

    public static Span<T> Get(int length) => ThreadBuffer.Take(ref buffer, length);
}

/// <summary>Per-thread zeros that nobody writes (a zero tangent).</summary>
internal static class Zeros<T>
{
    [ThreadStatic]
    private static T[]? buffer;

    public static ReadOnlySpan<T> Get(int length) => ThreadBuffer.Take(ref buffer, length);
}

/// <summary>Grows a per-thread buffer (at least doubling) and hands out its first elements.</summary>
internal static class ThreadBuffer
{
    public static Span<T> Take<T>(ref T[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new T[Math.Max(length, 2 * (buffer?.Length ?? 0))];
        }

        return buffer.AsSpan(0, length);
    }
}
