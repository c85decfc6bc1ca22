using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Chooses how a body is differentiated (see DESIGN.md in this folder). Straight-line code and
/// counted loops that only accumulate are differentiated without a tape: overwritten scalars get
/// their own names and each loop iteration is recomputed in the backward sweep. Everything else
/// (branches, while loops, break/continue/early return, loop-carried reassignment, integer
/// reassignment, local arrays, outputs) is differentiated with a tape.
/// </summary>
internal static class Strategy
{
    /// <summary>True when the tape-free reverse mode is exact for <paramref name="model"/>.</summary>
    public static bool TapeFree(MethodModel model)
    {
        IReadOnlyList<Stmt> body = model.Body;
        if (model.ReturnsVoid || body.Count == 0 || body[body.Count - 1] is not Return { Value: not null })
        {
            return false;
        }

        return body.Take(body.Count - 1).All(s => Plain(s, top: true));
    }

    private static bool Plain(Stmt s, bool top) => s switch
    {
        Decl d => d.Type is Ty.Double or Ty.Int,
        Assign a => a.Value.Type == Ty.Double,
        For f => f.Body.All(inner => Plain(inner, top: false)) && OnlyAccumulates(f),
        _ => false,
    };

    // The loop may change values declared outside it only by '+=' / '-=' that no other statement
    // of the loop reads: then iterations do not depend on each other.
    private static bool OnlyAccumulates(For loop)
    {
        var all = BodyParser.AllStatements(loop.Body).ToList();
        var inner = new HashSet<string>(all.OfType<Decl>().Select(d => d.Name));
        var outer = all.OfType<Assign>().Where(a => !inner.Contains(a.Name)).ToList();
        if (outer.Any(a => a.Op is not (AssignOp.Add or AssignOp.Sub)))
        {
            return false;
        }

        var accumulators = new HashSet<string>(outer.Select(a => a.Name));
        var reads = all.SelectMany(s => s switch
        {
            Decl d => d.Init is null ? [] : Effects.VarsIn(d.Init),
            Assign a => Effects.VarsIn(a.Value),
            _ => [],
        });
        return !reads.Any(accumulators.Contains);
    }
}
