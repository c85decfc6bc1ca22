using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace SymDiff.Generated;

/// <summary>
/// The tape of generated reverse-mode code: a per-thread stack of the values the forward sweep
/// overwrote (and of branch decisions and loop counts), popped in reverse by the backward sweep,
/// plus an arena for local arrays. Generated methods push and pop in balanced pairs, so nested
/// calls (a generated Backward calling another) share one tape, and after the first calls grow
/// it no call allocates. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Tape
{
    [ThreadStatic]
    private static Tape? current;

    private double[] values = new double[64];
    private long[] integers = new long[64];
    private double[] doubles = new double[64];
    private float[] floats = new float[64];
    private int valueTop, integerTop, doubleTop, floatTop;

    private Tape()
    {
    }

    /// <summary>This thread's tape.</summary>
    public static Tape Current => current ??= new Tape();

    /// <summary>Values on the stack now (a test hook: balanced code leaves it where it found it).</summary>
    public int Depth => valueTop + integerTop;

    /// <summary>Saves a floating-point value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(double value)
    {
        if (valueTop == values.Length)
        {
            Array.Resize(ref values, values.Length * 2);
        }

        values[valueTop++] = value;
    }

    /// <summary>Saves an integer (any integer type fits in a long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long value)
    {
        if (integerTop == integers.Length)
        {
            Array.Resize(ref integers, integers.Length * 2);
        }

        integers[integerTop++] = value;
    }

    /// <summary>Saves a branch decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(bool value) => Push(value ? 1L : 0L);

    /// <summary>Restores the last saved floating-point value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double PopDouble() => values[--valueTop];

    /// <summary>Restores the last saved floating-point value as a float (it was saved exactly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PopFloat() => (float)values[--valueTop];

    /// <summary>
    /// Saves a value of a generic method's floating-point type T. It is kept as a double, which
    /// holds every IEEE type of up to 64 bits (Half, float, double) exactly.
    /// </summary>
    /// <typeparam name="T">The method's floating-point type.</typeparam>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushValue<T>(T value)
        where T : INumberBase<T> => Push(double.CreateTruncating(value));

    /// <summary>Restores the last value saved by <see cref="PushValue{T}(T)"/>.</summary>
    /// <typeparam name="T">The method's floating-point type.</typeparam>
    /// <returns>The value, exactly as saved.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T PopValue<T>()
        where T : INumberBase<T> => T.CreateTruncating(values[--valueTop]);

    /// <summary>Restores the last saved integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long PopLong() => integers[--integerTop];

    /// <summary>Restores the last saved integer as an int.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PopInt() => (int)integers[--integerTop];

    /// <summary>Restores the last saved branch decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool PopBool() => integers[--integerTop] != 0;

    /// <summary>Where the arenas stand; pass it to <see cref="Release"/> when the local arrays are no longer needed.</summary>
    public long Mark => ((long)doubleTop << 32) | (uint)floatTop;

    /// <summary>A zeroed local array of doubles, valid until <see cref="Release"/>.</summary>
    public Span<double> Doubles(int length) => Take(ref doubles, ref doubleTop, length);

    /// <summary>A zeroed local array of floats, valid until <see cref="Release"/>.</summary>
    public Span<float> Floats(int length) => Take(ref floats, ref floatTop, length);

    /// <summary>
    /// A zeroed local array of a generic method's floating-point type, valid until
    /// <see cref="Release"/>: the double or float arena for those types, otherwise the bytes of
    /// the double arena (all-zero bits are +0 in every IEEE format).
    /// </summary>
    /// <typeparam name="T">The method's floating-point type, a value type without references.</typeparam>
    /// <param name="length">The number of elements.</param>
    /// <returns>The array.</returns>
    public Span<T> Values<T>(int length)
        where T : INumberBase<T>
    {
        if (typeof(T) == typeof(float))
        {
            return MemoryMarshal.CreateSpan(ref Unsafe.As<float, T>(ref MemoryMarshal.GetReference(Floats(length))), length);
        }

        if (!typeof(T).IsValueType || RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            throw new NotSupportedException($"A local array of {typeof(T).Name} cannot live in the tape's arena: use a floating-point value type.");
        }

        int doubles = typeof(T) == typeof(double) ? length : (int)(((long)length * Unsafe.SizeOf<T>() + sizeof(double) - 1) / sizeof(double));
        return MemoryMarshal.CreateSpan(ref Unsafe.As<double, T>(ref MemoryMarshal.GetReference(Doubles(doubles))), length);
    }

    /// <summary>Frees the local arrays taken since <paramref name="mark"/>.</summary>
    public void Release(long mark)
    {
        doubleTop = (int)(mark >> 32);
        floatTop = (int)(uint)mark;
    }

    private static Span<T> Take<T>(ref T[] arena, ref int top, int length)
    {
        if (length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A local array's length cannot be negative.");
        }

        if (top + length > arena.Length)
        {
            // Spans handed out earlier keep the old block alive and stay valid.
            arena = new T[Math.Max(arena.Length * 2, top + length)];
        }

        Span<T> span = arena.AsSpan(top, length);
        span.Clear();
        top += length;
        return span;
    }
}
