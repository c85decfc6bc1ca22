using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Closed-form partial derivatives of straight-line methods, for the generated XML docs:
/// the locals are substituted into the result and the result is differentiated symbolically.
/// </summary>
internal static class Formula
{
    /// <summary>∂F/∂p for each differentiable scalar parameter, or null when the body has loops or calls.</summary>
    public static IReadOnlyList<(string Parameter, Expr Partial)>? Partials(MethodModel model, IReadOnlyList<Stmt> body)
    {
        if (body.Any(s => s is not (Decl { Type: Ty.Double } or Return)) || body.Any(s => Contains(s, e => e is Call or Elem or Cond)))
        {
            return null;
        }

        // Inlining copies a local into every place that reads it, so a chain of locals each read
        // twice doubles at every line (20 lines: a million nodes). The sizes are counted first,
        // in time linear in the body, and a formula too long to read in a doc comment is not
        // built at all.
        var definitions = new Dictionary<string, Expr>();
        var sizes = new Dictionary<string, long>();
        foreach (Decl d in body.OfType<Decl>())
        {
            long size = Size(d.Init!, sizes);
            if (size > MaxInlinedSize)
            {
                return null;
            }

            sizes[d.Name] = size;
            definitions[d.Name] = Inline(d.Init!, definitions);
        }

        Expr returned = ((Return)body[body.Count - 1]).Value!;
        if (Size(returned, sizes) > MaxInlinedSize)
        {
            return null;
        }

        Expr result = Inline(returned, definitions);
        return model.Params
            .Where(p => p.Differentiable && p.Kind == ParamKind.Double)
            .Select(p => (p.Name, Simplify.Run(D(result, p.Name))))
            .ToList();
    }

    // The most nodes the inlined result may have: a formula beyond this is no help in a doc comment.
    private const long MaxInlinedSize = 200;

    // The node count of `e` with every local in `sizes` inlined (saturating, never overflowing).
    private static long Size(Expr e, Dictionary<string, long> sizes)
    {
        if (e is Var v && sizes.TryGetValue(v.Name, out long inlined))
        {
            return inlined;
        }

        long total = 1;
        foreach (Expr child in E.Children(e))
        {
            total = System.Math.Min(total + Size(child, sizes), long.MaxValue / 4);
        }

        return total;
    }

    private static bool Contains(Stmt s, System.Func<Expr, bool> predicate) => s switch
    {
        Decl d => d.Init is not null && Any(d.Init, predicate),
        Return r => r.Value is not null && Any(r.Value, predicate),
        _ => false,
    };

    private static bool Any(Expr e, System.Func<Expr, bool> predicate) => predicate(e) || e switch
    {
        Neg n => Any(n.Operand, predicate),
        Binary b => Any(b.Left, predicate) || Any(b.Right, predicate),
        Fn f => f.Args.Any(a => Any(a, predicate)),
        Call c => c.Args.Any(a => Any(a, predicate)),
        _ => false,
    };

    private static Expr Inline(Expr e, Dictionary<string, Expr> definitions) =>
        e is Var v && definitions.TryGetValue(v.Name, out Expr? d) ? d : E.MapChildren(e, child => Inline(child, definitions));

    private static Expr D(Expr e, string p) => e switch
    {
        Var v => v.Name == p ? Num.One : Num.Zero,
        Neg n => Neg(D(n.Operand, p)),
        Binary { Op: BinOp.Add } b => Add(D(b.Left, p), D(b.Right, p)),
        Binary { Op: BinOp.Sub } b => Sub(D(b.Left, p), D(b.Right, p)),
        Binary { Op: BinOp.Mul } b => Add(Mul(D(b.Left, p), b.Right), Mul(b.Left, D(b.Right, p))),
        Binary { Op: BinOp.Div } b => Sub(Div(D(b.Left, p), b.Right), Div(Mul(b.Left, D(b.Right, p)), Mul(b.Right, b.Right))),
        Fn f => Rules.Table[f.Function].Jvp(f.Args.ToArray(), f.Args.Select(a => D(a, p)).ToArray(), f),
        _ => Num.Zero,
    };
}
