using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Algebraic simplification. Arithmetic is brought to a sum of products
/// <c>Σ cᵢ · Πnum / Πden</c>: constants fold into the coefficient, like terms combine
/// (<c>a·b + b·a → 2·a·b</c>), zero terms vanish (<c>x·0</c>, <c>+ 0</c>), unit factors
/// disappear (<c>·1</c>, <c>/1</c>) and a factor over itself cancels. Sums inside products
/// stay as they are (no expansion), so expressions never grow.
/// </summary>
internal static class Simplify
{
    public static Expr Run(Expr e) => e switch
    {
        Num or Var or Opaque or ArrayRef => e,
        Elem el => el,
        Binary { Type: Ty.Bool } b => Compare(b with { Left = Run(b.Left), Right = Run(b.Right) }),
        Neg or Binary => Rebuild(Terms(e)),
        Cond c => Conditional(Run(c.Test), Run(c.WhenTrue), Run(c.WhenFalse)),
        Not n => Truth(Run(n.Operand)) is { } t ? (t ? False : True) : new Not(Run(n.Operand)),
        Fn f => Function(f.Function, f.Args.Select(Run).ToArray()),
        Call c => c with { Args = c.Args.Select(Run).ToEquatableArray() },
        DerivativeCall d => d with { Args = d.Args.Select(Run).ToEquatableArray(), Tangents = d.Tangents.Select(Run).ToEquatableArray() },
        _ => e,
    };

    /// <summary>A canonical text for an expression, used to find equal factors.</summary>
    public static string Key(Expr e)
    {
        var sb = new StringBuilder();
        Append(sb, e);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, Expr e)
    {
        switch (e)
        {
            case Num n: sb.Append(n.Value.ToString("R", CultureInfo.InvariantCulture)); break;
            case Var v: sb.Append(v.Name); break;
            case Opaque o: sb.Append('{').Append(o.Code).Append('}'); break;
            case ArrayRef a: sb.Append('&').Append(a.Code); break;
            case Elem el: sb.Append(el.Array).Append('['); Append(sb, el.Index); sb.Append(']'); break;
            case Neg n: sb.Append("(-"); Append(sb, n.Operand); sb.Append(')'); break;
            case Not n: sb.Append("(!"); Append(sb, n.Operand); sb.Append(')'); break;
            case Binary b: sb.Append('(').Append(b.Op).Append(' '); Append(sb, b.Left); sb.Append(' '); Append(sb, b.Right); sb.Append(')'); break;
            case Cond c: sb.Append("(? "); Append(sb, c.Test); sb.Append(' '); Append(sb, c.WhenTrue); sb.Append(' '); Append(sb, c.WhenFalse); sb.Append(')'); break;
            case Fn f: AppendCall(sb, f.Function.ToString(), f.Args); break;
            case Call c: AppendCall(sb, c.Callee.Qualified(string.Empty), c.Args); break;
            case DerivativeCall d: AppendCall(sb, d.Callee.Qualified("'"), d.Args.Concat(d.Tangents)); break;
        }
    }

    private static void AppendCall(StringBuilder sb, string name, IEnumerable<Expr> args)
    {
        sb.Append(name).Append('(');
        foreach (Expr a in args)
        {
            Append(sb, a);
            sb.Append(',');
        }

        sb.Append(')');
    }

    private sealed class Term
    {
        public double Coef = 1;
        public readonly List<Expr> Num = new();
        public readonly List<Expr> Den = new();

        public string Shape() =>
            string.Join("*", Num.Select(Key).OrderBy(k => k, StringComparer.Ordinal)) + "/" +
            string.Join("*", Den.Select(Key).OrderBy(k => k, StringComparer.Ordinal));
    }

    private static List<Term> Terms(Expr e)
    {
        switch (e)
        {
            case Num n:
                return [new Term { Coef = n.Value }];
            case Neg n:
                return Scale(Terms(n.Operand), -1);
            case Binary { Op: BinOp.Add } b:
                return Combine(Terms(b.Left).Concat(Terms(b.Right)));
            case Binary { Op: BinOp.Sub } b:
                return Combine(Terms(b.Left).Concat(Scale(Terms(b.Right), -1)));
            case Binary { Op: BinOp.Mul } b:
                return Product(Terms(b.Left), Terms(b.Right));
            case Binary { Op: BinOp.Div } b:
                return Quotient(Terms(b.Left), Terms(b.Right));
            default:
                Expr atom = Run(e);
                if (atom is Num folded)
                {
                    return [new Term { Coef = folded.Value }];
                }

                var t = new Term();
                t.Num.Add(atom);
                return [t];
        }
    }

    private static List<Term> Scale(List<Term> terms, double factor)
    {
        foreach (Term t in terms)
        {
            t.Coef *= factor;
        }

        return terms;
    }

    private static List<Term> Product(List<Term> a, List<Term> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return [];
        }

        Term left = a.Count == 1 ? a[0] : AsFactor(a);
        Term right = b.Count == 1 ? b[0] : AsFactor(b);
        var t = new Term { Coef = left.Coef * right.Coef };
        t.Num.AddRange(left.Num);
        t.Num.AddRange(right.Num);
        t.Den.AddRange(left.Den);
        t.Den.AddRange(right.Den);
        return Combine([Cancel(t)]);
    }

    private static List<Term> Quotient(List<Term> a, List<Term> b)
    {
        if (a.Count == 0)
        {
            return [];
        }

        Term den = b.Count == 1 ? b[0] : AsFactor(b);
        if (den.Coef == 0)
        {
            var opaque = new Term();
            opaque.Num.Add(new Binary(BinOp.Div, Rebuild(a), Rebuild(b)));
            return [opaque];
        }

        Term num = a.Count == 1 ? a[0] : AsFactor(a);
        var t = new Term { Coef = num.Coef / den.Coef };
        t.Num.AddRange(num.Num);
        t.Num.AddRange(den.Den);
        t.Den.AddRange(num.Den);
        t.Den.AddRange(den.Num);
        return Combine([Cancel(t)]);
    }

    // A sum used as a factor: pull out a common constant so 2·(a + b) stays readable.
    private static Term AsFactor(List<Term> sum)
    {
        double common = sum[0].Coef < 0 ? -1 : 1;
        if (sum.All(t => t.Coef * common < 0))
        {
            common = -common;
        }

        var t = new Term { Coef = common };
        t.Num.Add(Rebuild(Scale(sum.Select(Clone).ToList(), 1 / common)));
        return t;
    }

    private static Term Clone(Term t)
    {
        var c = new Term { Coef = t.Coef };
        c.Num.AddRange(t.Num);
        c.Den.AddRange(t.Den);
        return c;
    }

    private static Term Cancel(Term t)
    {
        for (int i = t.Num.Count - 1; i >= 0; i--)
        {
            string key = Key(t.Num[i]);
            int j = t.Den.FindIndex(d => Key(d) == key);
            if (j >= 0)
            {
                t.Num.RemoveAt(i);
                t.Den.RemoveAt(j);
            }
        }

        return t;
    }

    private static List<Term> Combine(IEnumerable<Term> terms)
    {
        var result = new List<Term>();
        var byShape = new Dictionary<string, Term>();
        foreach (Term t in terms)
        {
            if (t.Coef == 0)
            {
                continue;
            }

            string shape = t.Shape();
            if (byShape.TryGetValue(shape, out Term? existing))
            {
                existing.Coef += t.Coef;
            }
            else
            {
                byShape[shape] = t;
                result.Add(t);
            }
        }

        result.RemoveAll(t => t.Coef == 0);
        return result;
    }

    private static Expr Rebuild(List<Term> terms)
    {
        if (terms.Count == 0)
        {
            return Num.Zero;
        }

        Expr? sum = null;
        foreach (Term t in terms)
        {
            Expr magnitude = RebuildTerm(t, Math.Abs(t.Coef));
            bool negative = t.Coef < 0;
            sum = sum is null
                ? (negative ? Negate(magnitude) : magnitude)
                : new Binary(negative ? BinOp.Sub : BinOp.Add, sum, magnitude);
        }

        return sum!;
    }

    private static Expr Negate(Expr e) => e is Num n ? new Num(-n.Value) : new Neg(e);

    private static Expr RebuildTerm(Term t, double magnitude)
    {
        // c · (test ? a : 0) · f  →  test ? c · a · f : 0, so a gated gradient reads as one choice.
        int gate = t.Num.FindIndex(f => f is Cond { WhenFalse: Num { Value: 0 } } or Cond { WhenTrue: Num { Value: 0 } });
        if (gate >= 0 && t.Num.Count > 1 || gate >= 0 && (magnitude != 1 || t.Den.Count > 0))
        {
            var cond = (Cond)t.Num[gate];
            var rest = new Term { Coef = magnitude };
            rest.Num.AddRange(t.Num.Where((_, i) => i != gate));
            rest.Den.AddRange(t.Den);
            Expr Inner(Expr branch) => branch is Num { Value: 0 } ? branch : Rebuild(Product(Terms(branch), [Clone(rest)]));
            return Conditional(cond.Test, Inner(cond.WhenTrue), Inner(cond.WhenFalse));
        }

        Expr? product = magnitude == 1 && t.Num.Count > 0 ? null : new Num(magnitude);
        foreach (Expr f in t.Num)
        {
            product = product is null ? f : new Binary(BinOp.Mul, product, f);
        }

        if (t.Den.Count == 0)
        {
            return product!;
        }

        Expr denominator = t.Den.Aggregate((a, b) => new Binary(BinOp.Mul, a, b));
        return new Binary(BinOp.Div, product!, denominator);
    }

    private static readonly Expr True = new Opaque("true", Ty.Bool, true), False = new Opaque("false", Ty.Bool, true);

    /// <summary>The value of a condition decided at generation time, or null.</summary>
    public static bool? Truth(Expr test) => test switch
    {
        Opaque { Code: "true" } => true,
        Opaque { Code: "false" } => false,
        Not n => !Truth(n.Operand),
        _ => null,
    };

    private static Expr Conditional(Expr test, Expr whenTrue, Expr whenFalse)
    {
        if (Truth(test) is { } known)
        {
            return known ? whenTrue : whenFalse;
        }

        if (Key(whenTrue) == Key(whenFalse))
        {
            return whenTrue;
        }

        // test ? 0 : x  →  !test ? x : 0, so the live branch comes first.
        if (whenTrue is Num { Value: 0 } && whenFalse is not Num && test is Binary { Op: BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge } cmp)
        {
            return new Cond(Compare(cmp with { Op = Opposite(cmp.Op) }), whenFalse, whenTrue);
        }

        return new Cond(test, whenTrue, whenFalse);
    }

    private static BinOp Opposite(BinOp op) => op switch
    {
        BinOp.Lt => BinOp.Ge,
        BinOp.Le => BinOp.Gt,
        BinOp.Gt => BinOp.Le,
        _ => BinOp.Lt,
    };

    // 0 < z  →  z > 0: the variable goes on the left.
    private static Expr Compare(Binary cmp)
    {
        // Comparisons of constants, or of a value with itself, are decided here.
        if (cmp.Op is BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge or BinOp.Eq or BinOp.Ne)
        {
            bool? known = (cmp.Left, cmp.Right) switch
            {
                (Num a, Num b) => cmp.Op switch
                {
                    BinOp.Lt => a.Value < b.Value,
                    BinOp.Le => a.Value <= b.Value,
                    BinOp.Gt => a.Value > b.Value,
                    BinOp.Ge => a.Value >= b.Value,
                    BinOp.Eq => a.Value == b.Value,
                    _ => a.Value != b.Value,
                },
                _ when Key(cmp.Left) == Key(cmp.Right) && cmp.Left.Type == Ty.Double => cmp.Op is BinOp.Le or BinOp.Ge or BinOp.Eq,
                _ => null,
            };
            if (known is { } value)
            {
                return new Opaque(value ? "true" : "false", Ty.Bool, true);
            }
        }

        if (cmp.Op is BinOp.And or BinOp.Or)
        {
            bool? left = Truth(cmp.Left), right = Truth(cmp.Right);
            if (cmp.Op == BinOp.And && (left == false || right == false))
            {
                return False;
            }

            if (cmp.Op == BinOp.Or && (left == true || right == true))
            {
                return True;
            }

            if (left is not null)
            {
                return cmp.Right;
            }

            if (right is not null)
            {
                return cmp.Left;
            }
        }

        if (cmp.Left is Num && cmp.Right is not Num && cmp.Op is BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge)
        {
            BinOp mirrored = cmp.Op switch
            {
                BinOp.Lt => BinOp.Gt,
                BinOp.Le => BinOp.Ge,
                BinOp.Gt => BinOp.Lt,
                _ => BinOp.Le,
            };
            return new Binary(mirrored, cmp.Right, cmp.Left);
        }

        return cmp;
    }

    private static Expr Function(MathFn function, Expr[] args)
    {
        if (args.All(a => a is Num))
        {
            double value = Rules.Evaluate(function, args.Select(a => ((Num)a).Value).ToArray());
            if (!double.IsNaN(value) && !double.IsInfinity(value))
            {
                return new Num(value);
            }
        }

        if (function == MathFn.Pow && args[1] is Num { Value: var p })
        {
            if (p == 1)
            {
                return args[0];
            }

            if (p == 0)
            {
                return Num.One;
            }
        }

        return new Fn(function, args.ToEquatableArray());
    }
}
