using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Symbolic;

namespace SymDiff.Generators.Emit;

/// <summary>Writes IR expressions as C#, with only the parentheses precedence needs.</summary>
internal static class ExprWriter
{
    private const int Conditional = 1, Or = 2, And = 3, Equality = 4, Comparison = 5, Additive = 6, Multiplicative = 7, Unary = 8, Primary = 9;

    [ThreadStatic]
    private static string? dialect;

    [ThreadStatic]
    private static bool notation;

    /// <summary>
    /// Writes code of the floating-point type <paramref name="scalar"/> until the returned scope is
    /// disposed: <c>double</c>; <c>float</c> (MathF, <c>f</c> literals); or a generic method's
    /// type parameter <c>T</c> (<c>T.Sin</c>, <c>T.CreateChecked(2)</c>, <c>T.One</c>).
    /// </summary>
    public static IDisposable Dialect(string scalar)
    {
        string? saved = dialect;
        dialect = scalar;
        return new Model.Scope(() => dialect = saved);
    }

    /// <summary>The floating-point type being written.</summary>
    public static string Scalar => dialect ?? "double";

    /// <summary>True while writing a generic method's code, whose floating-point type is a type parameter.</summary>
    public static bool IsGeneric => IsGenericName(Scalar);

    /// <summary>True when <paramref name="scalar"/> names a generic method's type parameter rather than double or float.</summary>
    public static bool IsGenericName(string scalar) => scalar is not ("double" or "float");

    private static bool IsFloat => dialect == "float";

    /// <summary>
    /// The constants a generic method's T names (<c>T.Zero</c>, <c>T.Pi</c>…): the parser reads
    /// them as numbers, and numbers with these values are written by name.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, double Value)> NamedConstants =
        [("Zero", 0), ("One", 1), ("Pi", Math.PI), ("E", Math.E), ("Tau", 2 * Math.PI)];

    /// <summary>The tape call that takes a zeroed local array of <paramref name="length"/> elements of the floating-point type.</summary>
    public static string TapeArray(string length) =>
        IsGeneric ? $"Values<{Scalar}>({length})" : IsFloat ? $"Floats({length})" : $"Doubles({length})";

    /// <summary>The tape call that restores a floating-point value.</summary>
    public static string TapePop => IsGeneric ? $"PopValue<{Scalar}>()" : IsFloat ? "PopFloat()" : "PopDouble()";

    /// <summary>The tape call that saves a floating-point value.</summary>
    public static string TapePush => IsGeneric ? "PushValue" : "Push";

    /// <summary>An integer value converted to the floating-point type: <c>(double)n</c>, or <c>T.CreateChecked(n)</c>.</summary>
    private static string FromInteger(Expr e) =>
        IsGeneric ? $"{Scalar}.CreateChecked({Write(e)})" : $"({Scalar})" + Write(e, Primary);

    public static string Write(Expr e) => Write(e, 0);

    /// <summary>Writes <paramref name="e"/> as a formula for the doc comments: conditionals stay <c>?:</c>.</summary>
    public static string Formula(Expr e) => InNotation(() => Write(e));

    /// <summary>What <paramref name="render"/> writes with conditionals as <c>?:</c> rather than <c>Branchless.Select</c>.</summary>
    public static string InNotation(System.Func<string> render)
    {
        bool saved = notation;
        notation = true;
        try
        {
            return render();
        }
        finally
        {
            notation = saved;
        }
    }

    private static string Write(Expr e, int context)
    {
        (string text, int precedence) = Render(e);
        return precedence < context ? "(" + text + ")" : text;
    }

    private static (string Text, int Precedence) Render(Expr e) => e switch
    {
        Num n => Number(n.Value, forceReal: false),
        Var v => (v.Name, Primary),
        Opaque o => (o.Code, o.Atomic ? Primary : 0),
        ArrayRef { Slice: null } a => (a.Code, Primary),
        ArrayRef a => ($"((global::System.ReadOnlySpan<{Scalar}>){a.Code}).Slice({a.Slice})", Primary),
        Elem el => ($"{el.Array}[{Write(el.Index)}]", Primary),
        Neg n => Negation(n.Operand),
        Not n => ("!" + Write(n.Operand, Unary), Unary),
        Binary b => BinaryText(b),
        Cond c when !notation && IsPlain(c.WhenTrue) && IsPlain(c.WhenFalse) => Select(c),
        Cond c => ($"{Write(c.Test, Comparison)} ? {Write(c.WhenTrue, Conditional + 1)} : {Write(c.WhenFalse, Conditional)}", Conditional),
        Fn f when Rules.Expanded(f) is { } formula => Render(formula),
        Fn f => ($"{MathClass(f.Function)}.{Rules.CSharpName(f.Function)}({string.Join(", ", f.Args.Select(Argument))})", Primary),
        Call c => ($"{c.Callee.Qualified(string.Empty)}({string.Join(", ", c.Args.Select(a => Write(a)))})", Primary),
        DerivativeCall d => ($"{d.Callee.Qualified("Derivative")}({string.Join(", ", d.Args.Concat(d.Tangents).Select(a => Write(a)))})", Primary),
        _ => throw new InvalidOperationException("Unknown expression " + e.GetType().Name),
    };

    // MathF has every function of the table but Clamp, whose float overload is Math's. Generic
    // code calls the transcendental functions through SymDiff.GenericMath, which calls Math or
    // MathF itself for double and float: the JIT does not inline double.Tanh and its kin, so
    // T.Tanh costs two calls where Math.Tanh costs one. Formulas keep T.Tanh.
    private static string MathClass(MathFn function) =>
        IsGeneric ? (!notation && ThroughGenericMath(function) ? "global::SymDiff.GenericMath" : Scalar)
        : IsFloat && function != MathFn.Clamp ? "global::System.MathF" : "global::System.Math";

    private static bool ThroughGenericMath(MathFn function) => function is MathFn.Sin or MathFn.Cos or MathFn.Tan or MathFn.Asin or MathFn.Acos
        or MathFn.Atan or MathFn.Atan2 or MathFn.Exp or MathFn.Log or MathFn.Log10 or MathFn.Log2 or MathFn.Pow
        or MathFn.Sinh or MathFn.Cosh or MathFn.Tanh or MathFn.Cbrt;

    // An argument of a math function has the method's floating type, so the overload is the one
    // the source chose: a literal is written as a real (Truncate(3.0), not the ambiguous
    // Truncate(3)), an integer value is converted.
    private static string Argument(Expr a) => a switch
    {
        Num n => Number(n.Value, forceReal: true).Text,
        { Type: Ty.Int } => FromInteger(a),
        _ => Write(a),
    };

    // A conditional between two plain values is written as a select, which computes both and
    // does not jump: a jump on the sign of a layer's values is mispredicted about half the time
    // (see SymDiff.Branchless). Two literals are written as reals, so that the overload is the
    // method's own precision.
    private static (string, int) Select(Cond c)
    {
        bool literals = c.WhenTrue is Num && c.WhenFalse is Num;
        string Arm(Expr arm) => literals ? Number(((Num)arm).Value, forceReal: true).Text : Write(arm);
        return ($"global::SymDiff.Branchless.Select({Write(c.Test)}, {Arm(c.WhenTrue)}, {Arm(c.WhenFalse)})", Primary);
    }

    // A value that is cheap and safe to compute when it is not chosen: literals, floating-point
    // locals and constants, and up to a few arithmetic operations on them. No calls (they may
    // cost more than a mispredicted jump) and no element reads (the index may be out of range).
    private static bool IsPlain(Expr e)
    {
        int budget = 8;
        return Fits(e, ref budget);
    }

    // Whether `e` is plain and has no more nodes than `budget`, which it uses up; stops at the
    // first node that is not plain or over the budget.
    private static bool Fits(Expr e, ref int budget) => --budget >= 0 && e switch
    {
        Num or Var { VarType: Ty.Double } or Opaque { CodeType: Ty.Double, Atomic: true } => true,
        Neg n => Fits(n.Operand, ref budget),
        Binary { Op: BinOp.Add or BinOp.Sub or BinOp.Mul or BinOp.Div } b => Fits(b.Left, ref budget) && Fits(b.Right, ref budget),
        _ => false,
    };

    private static (string, int) Negation(Expr operand)
    {
        string inner = Write(operand, Unary);
        return (inner.StartsWith("-", StringComparison.Ordinal) ? "-(" + inner + ")" : "-" + inner, Unary);
    }

    private static (string, int) BinaryText(Binary b)
    {
        int precedence = b.Op switch
        {
            BinOp.Add or BinOp.Sub => Additive,
            BinOp.Mul or BinOp.Div => Multiplicative,
            BinOp.Eq or BinOp.Ne => Equality,
            BinOp.And => And,
            BinOp.Or => Or,
            _ => Comparison,
        };
        string symbol = b.Op switch
        {
            BinOp.Add => "+",
            BinOp.Sub => "-",
            BinOp.Mul => "*",
            BinOp.Div => "/",
            BinOp.Lt => "<",
            BinOp.Le => "<=",
            BinOp.Gt => ">",
            BinOp.Ge => ">=",
            BinOp.Eq => "==",
            BinOp.Ne => "!=",
            BinOp.And => "&&",
            _ => "||",
        };

        // Keep floating arithmetic floating: 1 / n must not become integer division, nor 1 / 0 a
        // division of integer constants.
        bool arithmetic = precedence >= Additive;
        string left = arithmetic && b.Left is Num ln && b.Right is { Type: Ty.Int } or Num
            ? Number(ln.Value, forceReal: true).Text
            : Write(b.Left, precedence);
        string right = arithmetic && b.Right is Num rn && b.Left is { Type: Ty.Int } or Num
            ? Number(rn.Value, forceReal: true).Text
            : Write(b.Right, precedence + 1);
        // Two integers are converted on the left, which makes the operation floating; T has no
        // implicit conversion from int, so in a generic method every integer operand is converted.
        if (arithmetic && b.Left.Type == Ty.Int && (b.Right.Type == Ty.Int || IsGeneric))
        {
            left = FromInteger(b.Left);
        }

        if (arithmetic && b.Right.Type == Ty.Int && IsGeneric)
        {
            right = FromInteger(b.Right);
        }

        return ($"{left} {symbol} {right}", precedence);
    }

    /// <summary>A round-trip, invariant-culture literal.</summary>
    public static (string Text, int Precedence) Number(double value, bool forceReal)
    {
        if (double.IsNaN(value))
        {
            return (Scalar + ".NaN", Primary);
        }

        if (double.IsInfinity(value))
        {
            return (value > 0 ? Scalar + ".PositiveInfinity" : Scalar + ".NegativeInfinity", value > 0 ? Primary : Unary);
        }

        if (IsGeneric && !notation)
        {
            return GenericNumber(value);
        }

        string text = IsFloat ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);
        bool integral = text.IndexOfAny(['.', 'E']) < 0;
        if (IsFloat && (!integral || forceReal))
        {
            text += "f";
        }
        else if (forceReal && integral)
        {
            text += ".0";
        }

        return (text, value < 0 ? Unary : Primary);
    }

    // A constant of a generic method's type T: its named constants where there is one, otherwise
    // T.CreateChecked of the integer or double literal (exact for integers; rounded to T as a
    // literal of T would be).
    private static (string Text, int Precedence) GenericNumber(double value)
    {
        foreach ((string name, double named) in NamedConstants)
        {
            if (value == named)
            {
                return (Scalar + "." + name, Primary);
            }
        }

        if (value is -1 or -Math.PI or -Math.E)
        {
            return ("-" + GenericNumber(-value).Text, Unary);
        }

        return ($"{Scalar}.CreateChecked({value.ToString("R", CultureInfo.InvariantCulture)})", Primary);
    }
}
