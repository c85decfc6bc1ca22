using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
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
    // The caches are keyed by instance: the IR is immutable, and the differentiator hands the same
    // subexpressions to Run and Key again and again (every adjoint of a nested expression holds
    // the ones below it). Without them a 300-deep expression took cubic time. They live for one
    // Session (one generated file), in plain dictionaries: weak tables keyed by millions of
    // short-lived expressions made every garbage collection walk as many dependent handles.
    [ThreadStatic]
    private static Caches? current;

    private static Caches Current => current ??= new Caches();

    /// <summary>Simplifies with fresh caches until the returned scope is disposed (one per generated file).</summary>
    public static IDisposable Session()
    {
        Caches? saved = current;
        current = new Caches();
        return new Scope(() => current = saved);
    }

    public static Expr Run(Expr e) => e is Num or Var or Opaque or ArrayRef or Elem ? e : Memo(Current.Simplified, e, Simplest);

    private static TValue Memo<TValue>(Dictionary<Expr, TValue> cache, Expr e, Func<Expr, TValue> compute)
    {
        if (!cache.TryGetValue(e, out TValue? value))
        {
            value = compute(e);
            cache[e] = value;
        }

        return value;
    }

    private static Expr Simplest(Expr e) => e switch
    {
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
    public static string Key(Expr e) => Info(e).Text;

    private static KeyInfo Info(Expr e) => e switch
    {
        Num n => new KeyInfo(n.Value.ToString("R", CultureInfo.InvariantCulture)),
        Var v => new KeyInfo(v.Name),
        _ => Memo(Current.Keys, e, static x => new KeyInfo(Compose(x))),
    };

    /// <summary>A key with its hash, computed once: keys of deep expressions are long, and share long prefixes.</summary>
    private sealed class KeyInfo(string text) : System.IComparable<KeyInfo>
    {
        public readonly string Text = text;
        public readonly int Hash = StringComparer.Ordinal.GetHashCode(text);

        public bool Same(KeyInfo other) => ReferenceEquals(this, other) || (Hash == other.Hash && Text == other.Text);

        // Any total order consistent with Same will do for sorting factors; hashes decide most pairs at once.
        public int CompareTo(KeyInfo? other) =>
            other is null ? 1 : Hash != other.Hash ? Hash.CompareTo(other.Hash) : string.CompareOrdinal(Text, other.Text);
    }

    // The key of a compound expression, from the (cached) keys of its parts.
    private static string Compose(Expr e) => e switch
    {
        Opaque o => "{" + o.Code + "}",
        ArrayRef a => "&" + a.Code + "[" + a.Slice + "]",
        Elem el => el.Array + "[" + Key(el.Index) + "]",
        Neg n => "(-" + Key(n.Operand) + ")",
        Not n => "(!" + Key(n.Operand) + ")",
        Binary b => "(" + b.Op + " " + Key(b.Left) + " " + Key(b.Right) + ")",
        Cond c => "(? " + Key(c.Test) + " " + Key(c.WhenTrue) + " " + Key(c.WhenFalse) + ")",
        Fn f => CallKey(f.Function.ToString(), f.Args),
        Call c => CallKey(c.Callee.Qualified(string.Empty), c.Args),
        DerivativeCall d => CallKey(d.Callee.Qualified("'"), d.Args.Concat(d.Tangents)),
        _ => string.Empty,
    };

    private static string CallKey(string name, IEnumerable<Expr> args)
    {
        var sb = new StringBuilder(name).Append('(');
        foreach (Expr a in args)
        {
            sb.Append(Key(a)).Append(',');
        }

        return sb.Append(')').ToString();
    }

    // A term's factor lists are filled while it is made (Product, Quotient and Cancel work on
    // terms they make) and never changed after, so copies share them and the shape they give;
    // only the coefficient is each copy's own.
    private sealed class Term
    {
        public double Coef = 1;
        public readonly List<Expr> Num;
        public readonly List<Expr> Den;
        private Shape? shape;

        public Term()
        {
            Num = new();
            Den = new();
        }

        private Term(Term from)
        {
            Coef = from.Coef;
            Num = from.Num;
            Den = from.Den;
            shape = from.shape;
        }

        public Term Copy() => new(this);

        public Shape Shape() => shape ??= new(Sorted(Num), Sorted(Den));

        private static KeyInfo[] Sorted(List<Expr> factors)
        {
            var keys = new KeyInfo[factors.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = Info(factors[i]);
            }

            Array.Sort(keys);
            return keys;
        }
    }

    /// <summary>The factors of a term without its coefficient, as multisets: like terms have equal shapes.</summary>
    private readonly struct Shape(KeyInfo[] num, KeyInfo[] den) : IEquatable<Shape>
    {
        private readonly KeyInfo[] num = num, den = den;

        public bool Equals(Shape other) => Same(num, other.num) && Same(den, other.den);

        public override bool Equals(object? obj) => obj is Shape other && Equals(other);

        public override int GetHashCode()
        {
            int hash = num.Length * 31 + den.Length;
            foreach (KeyInfo k in num)
            {
                hash = hash * 31 + k.Hash;
            }

            foreach (KeyInfo k in den)
            {
                hash = hash * 37 + k.Hash;
            }

            return hash;
        }

        private static bool Same(KeyInfo[] a, KeyInfo[] b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (!a[i].Same(b[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    // The callers change the coefficients of the terms they get (Scale, Combine), so each gets its own copy.
    private static List<Term> Terms(Expr e) =>
        e is Num n
            ? [new Term { Coef = n.Value }]
            : Memo(Current.SumsOfProducts, e, static x => TermsOf(x)).Select(t => t.Copy()).ToList();

    private static List<Term> TermsOf(Expr e)
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
        t.Num.Add(Rebuild(Scale(sum.Select(t => t.Copy()).ToList(), 1 / common)));
        return t;
    }

    private static Term Cancel(Term t)
    {
        if (t.Den.Count == 0)
        {
            return t;
        }

        for (int i = t.Num.Count - 1; i >= 0; i--)
        {
            KeyInfo key = Info(t.Num[i]);
            int j = t.Den.FindIndex(d => Info(d).Same(key));
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
        // One term has nothing to combine with (most products and quotients).
        if (terms is IReadOnlyList<Term> { Count: 1 } one)
        {
            return one[0].Coef == 0 ? [] : [one[0]];
        }

        var result = new List<Term>();
        var byShape = new Dictionary<Shape, Term>();
        foreach (Term t in terms)
        {
            if (t.Coef == 0)
            {
                continue;
            }

            Shape shape = t.Shape();
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
            Expr Inner(Expr branch) => branch is Num { Value: 0 } ? branch : Rebuild(Product(Terms(branch), [rest.Copy()]));
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

        if (Info(whenTrue).Same(Info(whenFalse)))
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
                _ when Info(cmp.Left).Same(Info(cmp.Right)) && cmp.Left.Type == Ty.Double => cmp.Op is BinOp.Le or BinOp.Ge or BinOp.Eq,
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

    private sealed class Caches
    {
        public readonly Dictionary<Expr, Expr> Simplified = new(ByInstance.Instance);
        public readonly Dictionary<Expr, KeyInfo> Keys = new(ByInstance.Instance);
        public readonly Dictionary<Expr, List<Term>> SumsOfProducts = new(ByInstance.Instance);
    }

    /// <summary>Expressions compared as instances (their records compare by value, deeply).</summary>
    private sealed class ByInstance : IEqualityComparer<Expr>
    {
        public static readonly ByInstance Instance = new();

        public bool Equals(Expr? x, Expr? y) => ReferenceEquals(x, y);

        public int GetHashCode(Expr obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
