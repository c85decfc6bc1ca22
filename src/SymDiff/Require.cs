using System;

namespace SymDiff;

/// <summary>
/// Argument checks that name the value and say what is allowed, as <c>torch.optim</c> does: each
/// returns the value when it is allowed and throws <see cref="ArgumentOutOfRangeException"/>
/// (whose <c>ParamName</c> is <c>name</c>) when it is not.
/// </summary>
internal static class Require
{
    public static int AtLeast(int value, int minimum, string name, string? meaning = null) =>
        value >= minimum ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}{(meaning is null ? "" : $" ({meaning})")}, not {value}.");

    public static double AtLeastZero(double value, string name) =>
        value >= 0 && !double.IsPositiveInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number at least 0, not {value}.");

    public static double AboveZero(double value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be above 0, not {value}.");

    public static double Fraction(double value, string name, bool includingOne) =>
        value >= 0 && (includingOne ? value <= 1 : value < 1)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1{(includingOne ? "]" : ")")}, not {value}.");
}
