using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Constant propagation over generated statements: <c>double dT = 1;</c> is substituted into
/// later statements when nothing writes it again (copies such as <c>double dZ = dE;</c> stay, so
/// every source line keeps its named step),
/// and the results are simplified once more (so a seed of 1 disappears from the products).
/// The user's own locals are never substituted, and a statement that reads no substituted name is
/// left as it is: simplifying reorders sums, which would change the rounding of a value the user's
/// method computes (an output, a branch decision) where the generated method must match it bit for bit.
/// </summary>
internal static class Propagate
{
    /// <summary>Every local the body declares or assigns (after lowering): the primal values, which keep their arithmetic.</summary>
    public static HashSet<string> PrimalNames(IEnumerable<Stmt> body) => new(Parsing.BodyParser.AllStatements(body).Select(s => s switch
    {
        Decl d => d.Name,
        Assign a => a.Name,
        _ => null,
    }).OfType<string>());

    public static List<Code> Run(List<Code> code, ISet<string> primal)
    {
        var writeCounts = new Dictionary<string, int>();
        foreach (string w in code.SelectMany(Effects.Writes))
        {
            writeCounts[w] = writeCounts.TryGetValue(w, out int n) ? n + 1 : 1;
        }

        // Names that code kept as text reads (an integer index, a condition, a loop header) stay.
        var inText = new HashSet<string>();
        foreach (Code c in code)
        {
            TextReads(c, inText);
        }

        var substitutions = new Dictionary<string, Expr>();
        var result = new List<Code>();
        foreach (Code c in code)
        {
            Code rewritten = Rewrite(c, substitutions);
            if (rewritten is Let { Type: Ty.Double, Value: Num } let && writeCounts[let.Name] == 1 && !inText.Contains(let.Name) && !primal.Contains(let.Name))
            {
                substitutions[let.Name] = let.Value;
                continue;
            }

            result.Add(rewritten);
        }

        return WithoutZeroAdds(result);
    }

    private static Code Rewrite(Code c, Dictionary<string, Expr> s)
    {
        if (s.Count == 0)
        {
            return c;
        }

        Expr R(Expr e) => ReadsAny(e, s) ? Simplify.Run(Substitute(e, s)) : e;

        return c switch
        {
            Let l => l.Type is Ty.Double or Ty.Bool ? l with { Value = R(l.Value) } : l,
            Set x => x with { Value = R(x.Value) },
            AddTo a => a with { Value = R(a.Value) },
            AddToElement a => a with { Value = R(a.Value) },
            Update u => u with { Value = R(u.Value) },
            ReturnValue r => r with { Value = R(r.Value) },
            BackwardCall b => b with { Args = b.Args.Select(a => a.Type == Ty.Double ? R(a) : a).ToList(), Seed = R(b.Seed) },
            Loop l => l with { Body = l.Body.Select(x => Rewrite(x, s)).ToList() },
            Branch b => b with { Test = R(b.Test), Then = b.Then.Select(x => Rewrite(x, s)).ToList(), Else = b.Else.Select(x => Rewrite(x, s)).ToList() },
            Repeat r => r with { Test = R(r.Test), Body = r.Body.Select(x => Rewrite(x, s)).ToList() },
            Push p => p with { Value = Substitute(p.Value, s) },
            Taped t => t with { Action = Rewrite(t.Action, s) },
            StoreElement st => st with { Value = R(st.Value) },
            _ => c,
        };
    }

    // Without the statements that add zero, at any depth.
    private static List<Code> WithoutZeroAdds(IEnumerable<Code> code) => code.Where(c => !AddsZero(c)).Select(c => c switch
    {
        Loop l => l with { Body = WithoutZeroAdds(l.Body) },
        Branch b => b with { Then = WithoutZeroAdds(b.Then), Else = WithoutZeroAdds(b.Else) },
        Repeat r => r with { Body = WithoutZeroAdds(r.Body) },
        _ => c,
    }).ToList();

    // 'x += 0' and its kin, left where a propagated zero reached an accumulation or a call's seed.
    private static bool AddsZero(Code c) => c switch
    {
        AddTo { Value: Num { Value: 0 } } => true,
        Update { Op: AssignOp.Add or AssignOp.Sub, Value: Num { Value: 0 } } => true,
        AddToElement { First: false, Value: Num { Value: 0 } } => true,

        // A pullback is linear in its seed: with seed 0 it adds nothing.
        BackwardCall { Seed: Num { Value: 0 } } => true,
        _ => false,
    };

    private static void TextReads(Code c, HashSet<string> names)
    {
        switch (c)
        {
            case Loop l:
                names.UnionWith(Effects.Identifiers(l.Header));
                foreach (Code x in l.Body)
                {
                    TextReads(x, names);
                }

                break;
            case Branch b:
                foreach (Code x in b.Then)
                {
                    TextReads(x, names);
                }

                foreach (Code x in b.Else)
                {
                    TextReads(x, names);
                }

                OpaqueNames(b.Test, names);
                break;
            case Repeat r:
                foreach (Code x in r.Body)
                {
                    TextReads(x, names);
                }

                OpaqueNames(r.Test, names);
                break;
            case Raw r:
                names.UnionWith(Effects.Identifiers(r.Text));
                break;
            case Taped t:
                TextReads(t.Action, names);
                break;
            default:
                foreach (Expr e in ExprsOf(c))
                {
                    OpaqueNames(e, names);
                }

                break;
        }
    }

    private static IEnumerable<Expr> ExprsOf(Code c) => c switch
    {
        Let l => [l.Value],
        Set x => [x.Value],
        AddTo a => [a.Value],
        AddToElement a => [a.Index, a.Value],
        Update u => [u.Value],
        ReturnValue r => [r.Value],
        Push p => [p.Value],
        StoreElement st => [st.Index, st.Value],
        Pop p when p.Index is not null => [p.Index],
        BackwardCall b => b.Args.Append(b.Seed),
        _ => [],
    };

    private static void OpaqueNames(Expr e, HashSet<string> names)
    {
        if (e is Opaque o)
        {
            names.UnionWith(Effects.Identifiers(o.Code));
            return;
        }

        for (int i = 0, n = E.ChildCount(e); i < n; i++)
        {
            OpaqueNames(E.Child(e, i), names);
        }
    }

    private static bool ReadsAny(Expr e, Dictionary<string, Expr> s)
    {
        if (e is Var v)
        {
            return s.ContainsKey(v.Name);
        }

        for (int i = 0, n = E.ChildCount(e); i < n; i++)
        {
            if (ReadsAny(E.Child(e, i), s))
            {
                return true;
            }
        }

        return false;
    }

    private static Expr Substitute(Expr e, Dictionary<string, Expr> s) =>
        e is Var v && s.TryGetValue(v.Name, out Expr? value) ? value : E.MapChildren(e, child => Substitute(child, s));
}
