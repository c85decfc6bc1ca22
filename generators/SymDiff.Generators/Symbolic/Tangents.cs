using System;
using System.Linq;
using SymDiff.Generators.Model;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// The forward rules of the inner nodes, shared by forward mode (<c>Derivative</c>) and forward
/// over reverse (<c>HessianVectorProduct</c>): each needs only its own rule for the leaves.
/// </summary>
internal static class Tangents
{
    /// <summary>
    /// The tangent of <paramref name="e"/> from its children's tangents (sum, product, quotient and
    /// chain rules; <paramref name="y"/> is the primal result when a local holds it), or null for
    /// a leaf or a call, which the caller differentiates.
    /// </summary>
    public static Expr? Compose(Expr e, Expr? y, Func<Expr, Expr> tangent) => e switch
    {
        Neg n => Neg(tangent(n.Operand)),
        Cond c => If(c.Test, tangent(c.WhenTrue), tangent(c.WhenFalse)),
        Binary { Op: BinOp.Add } b => Add(tangent(b.Left), tangent(b.Right)),
        Binary { Op: BinOp.Sub } b => Sub(tangent(b.Left), tangent(b.Right)),
        Binary { Op: BinOp.Mul } b => Add(Mul(tangent(b.Left), b.Right), Mul(b.Left, tangent(b.Right))),

        // d(a/b) = da/b − a·db/b²
        Binary { Op: BinOp.Div } b => Sub(Div(tangent(b.Left), b.Right), Div(Mul(b.Left, tangent(b.Right)), Mul(b.Right, b.Right))),
        Fn f => Rules.Table[f.Function].Jvp(f.Args.ToArray(), f.Args.Select(tangent).ToArray(), y ?? f),
        _ => null,
    };
}
