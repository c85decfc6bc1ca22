using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Symbolic;

/// <summary>Short builders for IR expressions, so that rules read like the math.</summary>
internal static class E
{
    public static Expr N(double value) => new Num(value);

    public static Expr Add(Expr a, Expr b) => new Binary(BinOp.Add, a, b);

    public static Expr Sub(Expr a, Expr b) => new Binary(BinOp.Sub, a, b);

    public static Expr Mul(Expr a, Expr b) => new Binary(BinOp.Mul, a, b);

    public static Expr Mul(Expr a, Expr b, Expr c) => Mul(Mul(a, b), c);

    public static Expr Div(Expr a, Expr b) => new Binary(BinOp.Div, a, b);

    public static Expr Neg(Expr a) => new Neg(a);

    public static Expr Sq(Expr a) => Mul(a, a);

    public static Expr Eq(Expr a, Expr b) => new Binary(BinOp.Eq, a, b);

    public static Expr Ge(Expr a, Expr b) => new Binary(BinOp.Ge, a, b);

    public static Expr Le(Expr a, Expr b) => new Binary(BinOp.Le, a, b);

    public static Expr Lt(Expr a, Expr b) => new Binary(BinOp.Lt, a, b);

    public static Expr Gt(Expr a, Expr b) => new Binary(BinOp.Gt, a, b);

    public static Expr If(Expr test, Expr whenTrue, Expr whenFalse) => new Cond(test, whenTrue, whenFalse);

    public static Expr F(MathFn function, params Expr[] args) => new Fn(function, args.ToEquatableArray());

    public static Expr Sin(Expr a) => F(MathFn.Sin, a);

    public static Expr Cos(Expr a) => F(MathFn.Cos, a);

    public static Expr Sinh(Expr a) => F(MathFn.Sinh, a);

    public static Expr Cosh(Expr a) => F(MathFn.Cosh, a);

    public static Expr Sqrt(Expr a) => F(MathFn.Sqrt, a);

    public static Expr Log(Expr a) => F(MathFn.Log, a);

    public static Expr Pow(Expr a, Expr b) => F(MathFn.Pow, a, b);

    public static bool IsZero(Expr e) => e is Num { Value: 0 };

    /// <summary>The direct child expressions of a node (the ones <see cref="MapChildren"/> rebuilds).</summary>
    public static System.Collections.Generic.IEnumerable<Expr> Children(Expr e) => e switch
    {
        Neg n => [n.Operand],
        Not n => [n.Operand],
        Elem el => [el.Index],
        Binary b => [b.Left, b.Right],
        Cond c => [c.Test, c.WhenTrue, c.WhenFalse],
        Fn fn => fn.Args,
        Call c => c.Args,
        DerivativeCall d => d.Args.Concat(d.Tangents),
        _ => [],
    };

    /// <summary>The value a local of <paramref name="type"/> starts from: <c>0</c>, <c>false</c>.</summary>
    public static Expr Zero(Ty type) => type switch
    {
        Ty.Bool => new Opaque("false", Ty.Bool, true),
        Ty.Int => new Opaque("0", Ty.Int, true),
        _ => Num.Zero,
    };

    /// <summary>The same node with <paramref name="f"/> applied to each direct child expression.</summary>
    public static Expr MapChildren(Expr e, System.Func<Expr, Expr> f) => e switch
    {
        Neg n => n with { Operand = f(n.Operand) },
        Not n => n with { Operand = f(n.Operand) },
        Elem el => el with { Index = f(el.Index) },
        Binary b => b with { Left = f(b.Left), Right = f(b.Right) },
        Cond c => c with { Test = f(c.Test), WhenTrue = f(c.WhenTrue), WhenFalse = f(c.WhenFalse) },
        Fn fn => fn with { Args = fn.Args.Select(f).ToEquatableArray() },
        Call c => c with { Args = c.Args.Select(f).ToEquatableArray() },
        DerivativeCall d => d with { Args = d.Args.Select(f).ToEquatableArray(), Tangents = d.Tangents.Select(f).ToEquatableArray() },
        _ => e,
    };
}
