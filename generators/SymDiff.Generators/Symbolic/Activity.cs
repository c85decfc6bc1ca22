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
    private readonly System.Func<string, bool> isActive;

    public Activity(MethodModel model, IReadOnlyList<Stmt> body)
        : this(model.Params.Where(p => p.Differentiable).Select(p => p.Name), body)
    {
    }

    public Activity(IEnumerable<string> differentiableParameters, IReadOnlyList<Stmt> body)
    {
        var statements = BodyParser.AllStatements(body).ToList();

        // Forward from the parameters: a written name is active when its value may depend on an
        // active name. One pass over a worklist, so a chain of n statements costs n, not n².
        var readers = new Dictionary<string, List<string>>();
        foreach (Stmt s in statements)
        {
            (string? name, Expr? value) = s switch
            {
                Decl { Type: Ty.Double } d => (d.Name, d.Init),
                Assign a => (a.Name, a.Value),
                Store st => (st.Array, st.Value),
                _ => (null, null),
            };
            if (name is not null && value is not null)
            {
                AnyRead(value, read =>
                {
                    Add(readers, read, name);
                    return false;
                });
            }
        }

        active = Reach(differentiableParameters, readers);
        isActive = active.Contains;

        // A value that never reaches the result needs no derivative: its adjoint would be zero,
        // and zero times an undefined partial (atan2 at the origin) is NaN. Useful values are
        // those the returned value or an output reads, directly or through other useful values.
        var locals = new HashSet<string>(statements.OfType<NewArray>().Select(a => a.Name));
        var sources = new Dictionary<string, List<string>>();
        foreach (Stmt s in statements)
        {
            (string? name, Expr? value) = s switch
            {
                Decl d => (d.Name, d.Init),
                Assign a => (a.Name, a.Value),
                Store st => (st.Array, st.Value),
                _ => (null, null),
            };
            if (name is not null && value is not null)
            {
                foreach (string read in Effects.VarsIn(value))
                {
                    Add(sources, name, read);
                }
            }
        }

        HashSet<string> useful = Reach(
            statements.SelectMany(s => s switch
            {
                Return { Value: { } value } => Effects.VarsIn(value),
                Store st when !locals.Contains(st.Array) => [st.Array],
                _ => [],
            }),
            sources);
        active.IntersectWith(useful);
    }

    private static void Add(Dictionary<string, List<string>> edges, string from, string to)
    {
        if (!edges.TryGetValue(from, out List<string>? list))
        {
            edges[from] = list = new List<string>();
        }

        list.Add(to);
    }

    // Every name reachable from the start names along the edges.
    private static HashSet<string> Reach(IEnumerable<string> start, Dictionary<string, List<string>> edges)
    {
        var reached = new HashSet<string>();
        var pending = new Stack<string>();
        foreach (string name in start)
        {
            if (reached.Add(name))
            {
                pending.Push(name);
            }
        }

        while (pending.Count > 0)
        {
            if (edges.TryGetValue(pending.Pop(), out List<string>? next))
            {
                foreach (string name in next)
                {
                    if (reached.Add(name))
                    {
                        pending.Push(name);
                    }
                }
            }
        }

        return reached;
    }

    public bool IsActive(string name) => active.Contains(name);

    /// <summary>True when <paramref name="e"/> may have a non-zero derivative.</summary>
    public bool Depends(Expr e) => AnyRead(e, isActive);

    // Visits the names whose activity decides whether e may have a non-zero derivative, in order,
    // until 'stop' returns true for one (then true). Allocates nothing: the differentiators ask
    // Depends at every node they descend through.
    private static bool AnyRead(Expr e, System.Func<string, bool> stop)
    {
        switch (e)
        {
            case Var v:
                return v.Type == Ty.Double && stop(v.Name);
            case Elem el:
                return el.IsParameter && stop(el.Array);
            case ArrayRef a:
                return a.IsParameter && stop(a.Code);
            case Neg n:
                return AnyRead(n.Operand, stop);
            case Binary { Type: Ty.Bool }:
                return false;
            case Binary b:
                return AnyRead(b.Left, stop) || AnyRead(b.Right, stop);
            case Cond c:
                return AnyRead(c.WhenTrue, stop) || AnyRead(c.WhenFalse, stop);
            case Fn f:
                foreach (Expr arg in f.Args.AsSpan())
                {
                    if (AnyRead(arg, stop))
                    {
                        return true;
                    }
                }

                return false;
            case Call c:
                for (int i = 0; i < c.Args.Count; i++)
                {
                    if (c.Callee.Params[i].Differentiable && AnyRead(c.Args[i], stop))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }
}
