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
    public static System.Collections.Generic.IEnumerable<Expr> Children(Expr e)
    {
        for (int i = 0, n = ChildCount(e); i < n; i++)
        {
            yield return Child(e, i);
        }
    }

    /// <summary>How many direct children <see cref="Child"/> reaches; walks over every node count and index them rather than build a sequence.</summary>
    public static int ChildCount(Expr e) => e switch
    {
        Model.Neg or Not or Elem => 1,
        Binary => 2,
        Cond => 3,
        Fn fn => fn.Args.Count,
        Call c => c.Args.Count,
        DerivativeCall d => d.Args.Count + d.Tangents.Count,
        _ => 0,
    };

    /// <summary>The direct child at <paramref name="index"/>, in the order of <see cref="Children"/>.</summary>
    public static Expr Child(Expr e, int index) => e switch
    {
        Neg n => n.Operand,
        Not n => n.Operand,
        Elem el => el.Index,
        Binary b => index == 0 ? b.Left : b.Right,
        Cond c => index == 0 ? c.Test : index == 1 ? c.WhenTrue : c.WhenFalse,
        Fn fn => fn.Args[index],
        Call c => c.Args[index],
        DerivativeCall d => index < d.Args.Count ? d.Args[index] : d.Tangents[index - d.Args.Count],
        _ => throw new System.ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>The value a local of <paramref name="type"/> starts from: <c>0</c>, <c>false</c>.</summary>
    public static Expr Zero(Ty type) => type switch
    {
        Ty.Bool => new Opaque("false", Ty.Bool, true),
        Ty.Int => new Opaque("0", Ty.Int, true),
        _ => Num.Zero,
    };

    /// <summary>
    /// The same node with <paramref name="f"/> applied to each direct child expression; the node
    /// itself when every child comes back as it was (caches keyed by instance stay valid, and an
    /// unchanged tree costs no copy).
    /// </summary>
    public static Expr MapChildren(Expr e, System.Func<Expr, Expr> f)
    {
        switch (e)
        {
            case Neg n:
                return Same(n.Operand, f(n.Operand), out Expr operand) ? n : n with { Operand = operand };
            case Not n:
                return Same(n.Operand, f(n.Operand), out operand) ? n : n with { Operand = operand };
            case Elem el:
                return Same(el.Index, f(el.Index), out Expr index) ? el : el with { Index = index };
            case Binary b:
                bool left = Same(b.Left, f(b.Left), out Expr l), right = Same(b.Right, f(b.Right), out Expr r);
                return left && right ? b : b with { Left = l, Right = r };
            case Cond c:
                bool test = Same(c.Test, f(c.Test), out Expr t), whenTrue = Same(c.WhenTrue, f(c.WhenTrue), out Expr wt), whenFalse = Same(c.WhenFalse, f(c.WhenFalse), out Expr wf);
                return test && whenTrue && whenFalse ? c : c with { Test = t, WhenTrue = wt, WhenFalse = wf };
            case Fn fn:
                return Map(fn.Args, f) is { } args ? fn with { Args = args } : fn;
            case Call call:
                return Map(call.Args, f) is { } callArgs ? call with { Args = callArgs } : call;
            case DerivativeCall d:
                EquatableArray<Expr>? dArgs = Map(d.Args, f), tangents = Map(d.Tangents, f);
                return dArgs is null && tangents is null ? d : d with { Args = dArgs ?? d.Args, Tangents = tangents ?? d.Tangents };
            default:
                return e;
        }
    }

    private static bool Same(Expr before, Expr after, out Expr result)
    {
        result = after;
        return ReferenceEquals(before, after);
    }

    // The mapped list, or null when every item came back as it was.
    private static EquatableArray<Expr>? Map(EquatableArray<Expr> items, System.Func<Expr, Expr> f)
    {
        Expr[]? mapped = null;
        for (int i = 0; i < items.Count; i++)
        {
            Expr item = f(items[i]);
            if (mapped is null && !ReferenceEquals(item, items[i]))
            {
                mapped = new Expr[items.Count];
                for (int k = 0; k < i; k++)
                {
                    mapped[k] = items[k];
                }
            }

            if (mapped is not null)
            {
                mapped[i] = item;
            }
        }

        return mapped is null ? null : new EquatableArray<Expr>(mapped);
    }
}
