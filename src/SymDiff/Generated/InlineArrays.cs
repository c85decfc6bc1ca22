using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SymDiff.Generated;

/// <summary>Builds fixed-size buffers (<c>[InlineArray]</c> structs) for generated code. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class InlineArrays
{
    /// <summary>
    /// A buffer whose elements are <paramref name="values"/>, in order: what generated code needs to
    /// give an adjoint or tangent struct its fixed-size buffer field, which no C# expression builds.
    /// </summary>
    /// <typeparam name="TBuffer">The <c>[InlineArray]</c> struct.</typeparam>
    /// <typeparam name="T">Its element type.</typeparam>
    /// <param name="values">One value per element.</param>
    /// <returns>The buffer.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TBuffer Of<TBuffer, T>(ReadOnlySpan<T> values)
        where TBuffer : struct
    {
        TBuffer buffer = default;
        values.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<TBuffer, T>(ref buffer), values.Length));
        return buffer;
    }
}
