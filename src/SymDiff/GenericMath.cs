using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace SymDiff;

/// <summary>
/// The transcendental functions of generic math, as fast in generic code as <see cref="Math"/>
/// and <see cref="MathF"/> are in code of one precision. In a method over <c>T</c>, <c>T.Tanh(x)</c>
/// with <c>T = double</c> calls <see cref="double.Tanh(double)"/>, which the JIT does not inline,
/// and which calls <see cref="Math.Tanh(double)"/>: two calls per value where code written for
/// double makes one. Over a 4,096-element tanh pullback that is 5–6 % (bench/RESULTS.md). Each
/// method here tests <c>typeof(T)</c>, which the JIT decides when it compiles the method for a
/// value type, and calls <see cref="Math"/> or <see cref="MathF"/> directly; any other
/// <c>T</c> gets <c>T</c>'s own function. The results are the same bits as <c>T</c>'s function.
/// SymDiff writes the generated code of generic methods through these; the functions the JIT
/// already inlines (<c>Sqrt</c>, <c>Abs</c>, <c>Max</c>, <c>Min</c>, <c>Clamp</c>, rounding,
/// <c>FusedMultiplyAdd</c>) stay <c>T.Sqrt</c> and so on.
/// </summary>
public static class GenericMath
{

    /// <summary><c>T.Sin(x)</c>, calling <c>Math.Sin</c> or <c>MathF.Sin</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Sin</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sin<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Sin((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Sin((float)(object)x!)
        : T.Sin(x);

    /// <summary><c>T.Cos(x)</c>, calling <c>Math.Cos</c> or <c>MathF.Cos</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Cos</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Cos<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Cos((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Cos((float)(object)x!)
        : T.Cos(x);

    /// <summary><c>T.Tan(x)</c>, calling <c>Math.Tan</c> or <c>MathF.Tan</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Tan</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tan<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Tan((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Tan((float)(object)x!)
        : T.Tan(x);

    /// <summary><c>T.Asin(x)</c>, calling <c>Math.Asin</c> or <c>MathF.Asin</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Asin</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Asin<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Asin((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Asin((float)(object)x!)
        : T.Asin(x);

    /// <summary><c>T.Acos(x)</c>, calling <c>Math.Acos</c> or <c>MathF.Acos</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Acos</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Acos<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Acos((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Acos((float)(object)x!)
        : T.Acos(x);

    /// <summary><c>T.Atan(x)</c>, calling <c>Math.Atan</c> or <c>MathF.Atan</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Atan</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Atan<T>(T x)
        where T : ITrigonometricFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Atan((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Atan((float)(object)x!)
        : T.Atan(x);

    /// <summary><c>T.Atan2(y, x)</c>, calling <c>Math.Atan2</c> or <c>MathF.Atan2</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="y">The first argument.</param>
    /// <param name="x">The second argument.</param>
    /// <returns>What <c>T.Atan2</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Atan2<T>(T y, T x)
        where T : IFloatingPointIeee754<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Atan2((double)(object)y!, (double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Atan2((float)(object)y!, (float)(object)x!)
        : T.Atan2(y, x);

    /// <summary><c>T.Exp(x)</c>, calling <c>Math.Exp</c> or <c>MathF.Exp</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Exp</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x)
        where T : IExponentialFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Exp((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Exp((float)(object)x!)
        : T.Exp(x);

    /// <summary><c>T.Log(x)</c>, calling <c>Math.Log</c> or <c>MathF.Log</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Log</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log<T>(T x)
        where T : ILogarithmicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Log((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Log((float)(object)x!)
        : T.Log(x);

    /// <summary><c>T.Log10(x)</c>, calling <c>Math.Log10</c> or <c>MathF.Log10</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Log10</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log10<T>(T x)
        where T : ILogarithmicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Log10((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Log10((float)(object)x!)
        : T.Log10(x);

    /// <summary><c>T.Log2(x)</c>, calling <c>Math.Log2</c> or <c>MathF.Log2</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Log2</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log2<T>(T x)
        where T : ILogarithmicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Log2((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Log2((float)(object)x!)
        : T.Log2(x);

    /// <summary><c>T.Pow(x, y)</c>, calling <c>Math.Pow</c> or <c>MathF.Pow</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The first argument.</param>
    /// <param name="y">The second argument.</param>
    /// <returns>What <c>T.Pow</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Pow<T>(T x, T y)
        where T : IPowerFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Pow((double)(object)x!, (double)(object)y!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Pow((float)(object)x!, (float)(object)y!)
        : T.Pow(x, y);

    /// <summary><c>T.Sinh(x)</c>, calling <c>Math.Sinh</c> or <c>MathF.Sinh</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Sinh</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sinh<T>(T x)
        where T : IHyperbolicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Sinh((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Sinh((float)(object)x!)
        : T.Sinh(x);

    /// <summary><c>T.Cosh(x)</c>, calling <c>Math.Cosh</c> or <c>MathF.Cosh</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Cosh</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Cosh<T>(T x)
        where T : IHyperbolicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Cosh((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Cosh((float)(object)x!)
        : T.Cosh(x);

    /// <summary><c>T.Tanh(x)</c>, calling <c>Math.Tanh</c> or <c>MathF.Tanh</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Tanh</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x)
        where T : IHyperbolicFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Tanh((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Tanh((float)(object)x!)
        : T.Tanh(x);

    /// <summary><c>T.Cbrt(x)</c>, calling <c>Math.Cbrt</c> or <c>MathF.Cbrt</c> itself for double and float.</summary>
    /// <typeparam name="T">The floating-point type.</typeparam>
    /// <param name="x">The argument.</param>
    /// <returns>What <c>T.Cbrt</c> returns, bit for bit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Cbrt<T>(T x)
        where T : IRootFunctions<T> =>
        typeof(T) == typeof(double) ? (T)(object)Math.Cbrt((double)(object)x!)
        : typeof(T) == typeof(float) ? (T)(object)MathF.Cbrt((float)(object)x!)
        : T.Cbrt(x);
}
