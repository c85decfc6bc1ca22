using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SymDiff;

/// <summary>
/// <c>condition ? whenTrue : whenFalse</c> without a jump. The generator writes the conditionals
/// of derivative code through <see cref="Select(bool, double, double)"/> when both choices are
/// plain values (a variable, a constant, a short product): the ReLU pullback
/// <c>dz += Branchless.Select(z &gt; 0, dRelu, 0)</c> is one of them. A conditional jump on the
/// sign of z is mispredicted for about half of the values of a real layer, where a select costs
/// the same for every value: over 32 768 random values the jump took about 190 µs, the select
/// about 40 µs (bench/RESULTS.md, session 9). The result is the same as the conditional's, bit for bit.
/// </summary>
public static class Branchless
{
    /// <summary><paramref name="condition"/> ? <paramref name="whenTrue"/> : <paramref name="whenFalse"/>, with both already evaluated.</summary>
    /// <param name="condition">The test; a <see langword="bool"/> from a comparison (0 or 1 in memory).</param>
    /// <param name="whenTrue">The result when <paramref name="condition"/> holds.</param>
    /// <param name="whenFalse">The result otherwise.</param>
    /// <returns>One of the two, bit for bit (a NaN or −0 included).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Select(bool condition, double whenTrue, double whenFalse)
    {
        // All ones or all zeros, from the bool's byte (JIT-compiled `c ? -1 : 0` jumps).
        long mask = -(long)Unsafe.As<bool, byte>(ref condition);
        return Vector128.ConditionalSelect(
            Vector128.CreateScalarUnsafe(mask).AsDouble(),
            Vector128.CreateScalarUnsafe(whenTrue),
            Vector128.CreateScalarUnsafe(whenFalse)).ToScalar();
    }

    /// <summary><paramref name="condition"/> ? <paramref name="whenTrue"/> : <paramref name="whenFalse"/>, with both already evaluated.</summary>
    /// <param name="condition">The test; a <see langword="bool"/> from a comparison (0 or 1 in memory).</param>
    /// <param name="whenTrue">The result when <paramref name="condition"/> holds.</param>
    /// <param name="whenFalse">The result otherwise.</param>
    /// <returns>One of the two, bit for bit (a NaN or −0 included).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(bool condition, float whenTrue, float whenFalse)
    {
        int mask = -Unsafe.As<bool, byte>(ref condition);
        return Vector128.ConditionalSelect(
            Vector128.CreateScalarUnsafe(mask).AsSingle(),
            Vector128.CreateScalarUnsafe(whenTrue),
            Vector128.CreateScalarUnsafe(whenFalse)).ToScalar();
    }

    /// <summary>
    /// <paramref name="condition"/> ? <paramref name="whenTrue"/> : <paramref name="whenFalse"/> for the
    /// floating-point type T of a generic method: the double and float selects for those types (the
    /// JIT compiles one copy of the method per value type and drops the other branches), and the
    /// conditional for any other type.
    /// </summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="condition">The test.</param>
    /// <param name="whenTrue">The result when <paramref name="condition"/> holds.</param>
    /// <param name="whenFalse">The result otherwise.</param>
    /// <returns>One of the two, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Select<T>(bool condition, T whenTrue, T whenFalse)
    {
        if (typeof(T) == typeof(double))
        {
            double chosen = Select(condition, Unsafe.As<T, double>(ref whenTrue), Unsafe.As<T, double>(ref whenFalse));
            return Unsafe.As<double, T>(ref chosen);
        }

        if (typeof(T) == typeof(float))
        {
            float chosen = Select(condition, Unsafe.As<T, float>(ref whenTrue), Unsafe.As<T, float>(ref whenFalse));
            return Unsafe.As<float, T>(ref chosen);
        }

        return condition ? whenTrue : whenFalse;
    }
}
