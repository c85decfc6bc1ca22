using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Activity analysis: which values depend on a differentiated parameter. Only active values get
/// adjoints and tangents, so data-only computations produce no derivative code at all. A local
/// array or output is active when any element written into it is. The analysis ignores order and
/// branches (a name is active if any write makes it so), which can only over-approximate.
/// </summary>
internal sealed class Activity
{
    private readonly HashSet<string> active;

    public Activity(MethodModel model, IReadOnlyList<Stmt> body)
        : this(model.Params.Where(p => p.Differentiable).Select(p => p.Name), body)
    {
    }

    public Activity(IEnumerable<string> differentiableParameters, IReadOnlyList<Stmt> body)
    {
        active = new HashSet<string>(differentiableParameters);
        var statements = BodyParser.AllStatements(body).ToList();
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (Stmt s in statements)
            {
                (string? name, Expr? value) = s switch
                {
                    Decl { Type: Ty.Double } d => (d.Name, d.Init),
                    Assign a => (a.Name, a.Value),
                    Store st => (st.Array, st.Value),
                    _ => (null, null),
                };
                if (name is not null && value is not null && !active.Contains(name) && Depends(value))
                {
                    active.Add(name);
                    changed = true;
                }
            }
        }

        // A value that never reaches the result needs no derivative: its adjoint would be zero,
        // and zero times an undefined partial (atan2 at the origin) is NaN. Useful values are
        // those the returned value or an output reads, directly or through other useful values.
        var locals = new HashSet<string>(statements.OfType<NewArray>().Select(a => a.Name));
        var useful = new HashSet<string>(statements.SelectMany(s => s switch
        {
            Return { Value: { } value } => Effects.VarsIn(value),
            Store st when !locals.Contains(st.Array) => [st.Array],
            _ => [],
        }));
        changed = true;
        while (changed)
        {
            int before = useful.Count;
            foreach (Stmt s in statements)
            {
                (string? name, Expr? value) = s switch
                {
                    Decl d => (d.Name, d.Init),
                    Assign a => (a.Name, a.Value),
                    Store st => (st.Array, st.Value),
                    _ => (null, null),
                };
                if (name is not null && value is not null && useful.Contains(name))
                {
                    useful.UnionWith(Effects.VarsIn(value));
                }
            }

            changed = useful.Count != before;
        }

        active.IntersectWith(useful);
    }

    public bool IsActive(string name) => active.Contains(name);

    /// <summary>True when <paramref name="e"/> may have a non-zero derivative.</summary>
    public bool Depends(Expr e) => e switch
    {
        Var v => v.Type == Ty.Double && active.Contains(v.Name),
        Elem el => el.IsParameter && active.Contains(el.Array),
        ArrayRef a => a.IsParameter && active.Contains(a.Code),
        Neg n => Depends(n.Operand),
        Binary { Type: Ty.Bool } => false,
        Binary b => Depends(b.Left) || Depends(b.Right),
        Cond c => Depends(c.WhenTrue) || Depends(c.WhenFalse),
        Fn f => f.Args.Any(Depends),
        Call c => c.Args.Where((a, i) => c.Callee.Params[i].Differentiable).Any(Depends),
        _ => false,
    };
}
