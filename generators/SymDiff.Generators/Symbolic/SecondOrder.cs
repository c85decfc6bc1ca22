using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Second order, forward over reverse: forward mode applied to the statements of the generated
/// <c>Gradient</c>. Every value the gradient sweep computes gets its tangent along the input
/// tangents <c>t</c>; the tangents of the parameter adjoints are H·t, the Hessian-vector product,
/// for a small multiple of one gradient's cost and without forming H.
/// Naming: <c>tName</c> is the tangent of <c>name</c>, <c>hName</c> the tangent of its adjoint
/// <c>dName</c> (so <c>hx</c> is the x-component of H·t).
/// </summary>
internal sealed class SecondOrder
{
    private readonly MethodModel model;
    private readonly HashSet<string> taken;
    private readonly HashSet<string> reserved;
    private readonly Dictionary<string, string> tangentOf = new();
    private readonly HashSet<string> active = new();

    // The parameter adjoints: scalars become locals, array adjoints are not kept (H·t replaces them).
    private readonly HashSet<string> scalarAdjoints = new(), arrayAdjoints = new();

    // BackwardTangent (the tangent of Backward, for callers' second order) keeps the adjoints it
    // accumulates into; HessianVectorProduct (the tangent of Gradient) keeps only their tangents.
    private readonly string? seedTangent;

    // The one parameter whose tangent may be nonzero (a column sweep of Hessian), or null for all.
    private string? only;

    private SecondOrder(MethodModel model, HashSet<string> taken, string? seedTangent = null)
    {
        this.model = model;
        this.taken = taken;
        this.seedTangent = seedTangent;
        reserved = new HashSet<string>(model.ReservedNames);
        foreach (ParamModel p in model.Params.Where(p => p.Differentiable))
        {
            tangentOf[p.Name] = TangentParameter(p);
            tangentOf[p.DerivativeName] = ProductParameter(p);
            active.Add(p.Name);
            if (seedTangent is null)
            {
                (p.IsArray ? arrayAdjoints : scalarAdjoints).Add(p.DerivativeName);
            }
            else
            {
                active.Add(p.DerivativeName);
            }
        }

        if (seedTangent is not null)
        {
            tangentOf[model.SeedName] = seedTangent;
            active.Add(model.SeedName);
        }
    }

    /// <summary>
    /// The body of <c>BackwardTangent</c> from the statements of <c>Backward</c>: it accumulates
    /// seed·∇f into the adjoints, as Backward does, and seedTangent·∇f + seed·H·t into their
    /// tangents (the parameters' product names). A caller's second order goes through it.
    /// </summary>
    public static List<Code> BackwardTangent(MethodModel model, IReadOnlyList<Code> backward, HashSet<string> taken, string seedTangent) =>
        new SecondOrder(model, taken, seedTangent).Run(backward);

    /// <summary>The name of the tangent parameter of <paramref name="p"/> in <c>HessianVectorProduct</c>: <c>tx</c>.</summary>
    public static string TangentParameter(ParamModel p) => p.TangentName;

    /// <summary>The name of the H·t component of <paramref name="p"/>: <c>hx</c>.</summary>
    public static string ProductParameter(ParamModel p) => p.ProductName;

    /// <summary>
    /// The body of <c>HessianVectorProduct</c> from the statements of <c>Gradient</c>;
    /// <paramref name="only"/> restricts the input tangents to one parameter (the others are zero),
    /// for the zero-block analysis.
    /// </summary>
    public static List<Code> HessianVectorProduct(MethodModel model, IReadOnlyList<Code> gradient, HashSet<string> taken, string? only = null)
    {
        var pass = new SecondOrder(model, taken) { only = only };
        if (only is not null)
        {
            pass.active.RemoveWhere(n => n != only);
        }

        return pass.Run(gradient);
    }

    /// <summary>
    /// True when the Hessian's rows and columns of <paramref name="parameter"/> are zero for every
    /// input: no output of the product depends on that parameter's tangent.
    /// </summary>
    public static bool ZeroBlock(MethodModel model, IReadOnlyList<Code> gradient, ParamModel parameter)
    {
        List<Code> code = HessianVectorProduct(model, gradient, new HashSet<string>(model.ReservedNames), parameter.Name);
        var products = new HashSet<string>(model.Params.Where(p => p.Differentiable).Select(p => p.ProductName));
        return !Flatten(code).Any(c => c is not Raw and not ClearSpan && Effects.Writes(c).Any(products.Contains) && !WritesZero(c));
    }

    private static bool WritesZero(Code c) => c switch
    {
        Set s => IsZero(s.Value),
        AddToElement a => IsZero(a.Value),

        // A callee's pullback tangent with no tangent in its arguments or seed adds H·0 = 0.
        BackwardTangentCall b => IsZero(b.SeedTangent) && b.Tangents.All(t => IsZero(t) || t == NoArrayTangent),
        _ => false,
    };

    private static IEnumerable<Code> Flatten(IEnumerable<Code> code) => code.SelectMany(c => c switch
    {
        Branch b => Flatten(b.Then).Concat(Flatten(b.Else)).Prepend(c),
        Repeat r => Flatten(r.Body).Prepend(c),
        Loop l => Flatten(l.Body).Prepend(c),
        Taped t => Flatten([t.Action]),
        _ => [c],
    });

    private List<Code> Run(IReadOnlyList<Code> gradient)
    {
        // Which names carry a tangent: a fixed point over every statement, as loops feed back.
        int before;
        do
        {
            before = active.Count;
            foreach (Code c in Flatten(gradient))
            {
                Mark(c);
            }
        }
        while (active.Count != before);

        var code = new List<Code>();
        foreach (ParamModel p in model.Params.Where(p => p.Differentiable))
        {
            bool seeded = only is null || only == p.Name;
            if (p.IsArray)
            {
                if (seeded)
                {
                    code.Add(new Raw($"{p.TangentName} = global::SymDiff.Generated.Tangent.OrZero({p.TangentName}, {p.Name}.Length, nameof({p.TangentName}));", p.TangentName));
                }
            }
            else
            {
                if (seedTangent is null)
                {
                    code.Add(new Set(p.ProductName, Num.Zero));
                }

                // In a column sweep another parameter's tangent is a local: zero, until the body reassigns the parameter.
                if (!seeded && active.Contains(p.Name))
                {
                    code.Add(new Let(p.TangentName, Ty.Double, Num.Zero));
                }
            }
        }

        // A column sweep of Hessian returns nothing: the primal work only its value needs goes.
        code.AddRange(Block(gradient).Where(c => only is null || c is not ReturnValue));
        var outputs = new HashSet<string>(model.Params.Where(p => p.Differentiable && !p.IsArray).Select(p => p.ProductName));
        if (seedTangent is not null)
        {
            outputs.UnionWith(model.Params.Where(p => p.Differentiable && !p.IsArray).Select(p => p.DerivativeName));
        }

        // Taped code keeps every save and restore (the tape must balance), so only unread locals go;
        // tape-free code also loses the statements whose values are overwritten unread.
        var taped = Flatten(code).Where(c => c is Push or Pop).ToList();
        bool tapeFree = !Flatten(gradient).Any(c => c is Raw r && r.Text.Contains("Tape.Current"));
        List<Code> cleaned = tapeFree ? Optimize.Prune(code, outputs) : code;

        // The gradient's own scalar adjoints become locals; dropped with every write when unread.
        cleaned.InsertRange(0, scalarAdjoints.Select(d => (Code)new Let(d, Ty.Double, Num.Zero)));
        var keep = new HashSet<string>(outputs);
        keep.UnionWith(taped.SelectMany(c => c is Pop pop ? [pop.Target] : Effects.Reads(c)));
        cleaned = MergeFirstWrites(Optimize.DropUnreadAndEmpty(cleaned, keep));
        return Share.Run(cleaned, taken);
    }

    // A name is active when some write to it has a nonzero tangent; a call's pullback may make all its targets so.
    private void Mark(Code c)
    {
        (string? target, Expr? value) = c switch
        {
            Let { Type: Ty.Double } l => (l.Name, l.Value),
            Set x => (x.Name, x.Value),
            AddTo a => (a.Name, a.Value),
            Update u => (u.Name, u.Value),
            AddToElement a => (a.Span, a.Value),
            StoreElement x => (x.Array, x.Value),
            _ => ((string?)null, (Expr?)null),
        };
        if (target is not null && Active(value!))
        {
            active.Add(target);
        }
        else if (c is BackwardCall b)
        {
            active.UnionWith(b.Adjoints.OfType<string>().Select(Effects.Target));
        }
    }

    private bool Active(Expr e) => Effects.VarsIn(e).Any(active.Contains) && e.Type == Ty.Double;

    private string TangentName(string name)
    {
        if (!tangentOf.TryGetValue(name, out string? tangent))
        {
            // A generated dError is the adjoint of error: its tangent is hError; any other name gets a t.
            bool adjoint = name.Length > 1 && name[0] == 'd' && !reserved.Contains(name);
            tangent = Names.Fresh(adjoint ? Names.Prefixed("h", name.Substring(1)) : Names.Prefixed("t", name), taken);
            tangentOf[name] = tangent;
        }

        return tangent;
    }

    private List<Code> Block(IEnumerable<Code> code)
    {
        var output = new List<Code>();
        foreach (Code c in code)
        {
            output.AddRange(Statement(c));
        }

        return output;
    }

    private IEnumerable<Code> Statement(Code c)
    {
        switch (c)
        {
            case Let { Type: Ty.Double } l:
                yield return l;
                if (active.Contains(l.Name))
                {
                    yield return new Let(TangentName(l.Name), Ty.Double, Tangent(l.Value, l.Value is Fn ? new Var(l.Name, Ty.Double) : null));
                }

                break;
            case Set s:
                if (active.Contains(s.Name))
                {
                    yield return new Set(TangentName(s.Name), Tangent(s.Value, null));
                }

                yield return s;
                break;
            case AddTo a:
                if (active.Contains(a.Name) && Nonzero(Tangent(a.Value, null)) is { } da)
                {
                    yield return new AddTo(TangentName(a.Name), da, a.Subtract);
                }

                yield return a;
                break;
            case Update u:
                if (active.Contains(u.Name) && UpdateTangent(new Var(u.Name, Ty.Double), new Var(TangentName(u.Name), Ty.Double), u.Op, u.Value) is { } du)
                {
                    yield return du.Op == AssignOp.Set ? new Set(TangentName(u.Name), du.Value) : new Update(TangentName(u.Name), du.Op, du.Value);
                }

                yield return u;
                break;
            case AddToElement a when arrayAdjoints.Contains(a.Span):
                // The gradient itself is not kept: its tangent is the product H·t.
                if (Nonzero(Tangent(a.Value, null)) is { } dElement)
                {
                    yield return new AddToElement(TangentName(a.Span), a.Index, dElement, a.First);
                }
                else if (a.First)
                {
                    yield return new AddToElement(TangentName(a.Span), a.Index, Num.Zero, First: true);
                }

                break;
            case AddToElement a:
                if (active.Contains(a.Span) && (Nonzero(Tangent(a.Value, null)) ?? (a.First ? Num.Zero : null)) is { } dLocal)
                {
                    // An assignment (an adjoint element reset to 0) resets the tangent too.
                    yield return new AddToElement(TangentName(a.Span), a.Index, dLocal, a.First);
                }

                yield return a;
                break;
            case StoreElement s:
                if (active.Contains(s.Array) && UpdateTangent(new Elem(s.Array, s.Index, false), new Elem(TangentName(s.Array), s.Index, false), s.Op, s.Value) is { } ds)
                {
                    yield return new StoreElement(TangentName(s.Array), s.Index, ds.Op, ds.Value);
                }

                yield return s;
                break;
            case ClearSpan clear when arrayAdjoints.Contains(clear.Span):
                yield return clear with { Span = TangentName(clear.Span) };
                break;
            case ClearSpan clear:
                yield return clear;
                if (active.Contains(clear.Span))
                {
                    yield return clear with { Span = TangentName(clear.Span) };
                }

                break;
            case Raw r when r.Writes is not null && arrayAdjoints.Contains(r.Writes):
                yield return new Raw(Lower.RenameCode(r.Text, new Dictionary<string, string> { [r.Writes] = TangentName(r.Writes) }), TangentName(r.Writes));
                break;
            case Raw r when seedTangent is not null && r.Writes is not null && model.Params.Any(p => p.IsArray && p.Differentiable && p.DerivativeName == r.Writes):
                // Backward's array adjoint (the caller's span, or a sink): its tangent is passed the same way.
                yield return r;
                yield return new Raw(Lower.RenameCode(r.Text, new Dictionary<string, string> { [r.Writes] = TangentName(r.Writes) }), TangentName(r.Writes));
                break;
            case Raw r when r.Writes is not null && active.Contains(r.Writes):
                // A local span from the tape (a local array or its adjoint): its tangent is a zeroed span of the same length.
                string declaration = $" {r.Writes} = ";
                if (!r.Text.StartsWith("global::System.Span<", System.StringComparison.Ordinal) || !r.Text.Contains(declaration))
                {
                    throw new System.NotSupportedException($"second order of '{r.Text}'");
                }

                yield return r;
                yield return new Raw(r.Text.Replace(declaration, $" {TangentName(r.Writes)} = "), TangentName(r.Writes));
                break;
            case Push p:
                yield return p;
                if (p.Value is Var { Type: Ty.Double } pushed && active.Contains(pushed.Name))
                {
                    yield return new Push(p.Tape, new Var(TangentName(pushed.Name), Ty.Double));
                }
                else if (p.Value is Elem pushedElement && active.Contains(pushedElement.Array))
                {
                    yield return new Push(p.Tape, pushedElement with { Array = TangentName(pushedElement.Array) });
                }
                else if (Active(p.Value))
                {
                    throw new System.NotSupportedException("second order of a pushed expression");
                }

                break;
            case Pop p:
                // Last in, first out: the tangent was pushed after its value.
                if (active.Contains(p.Target))
                {
                    yield return p with { Target = TangentName(p.Target) };
                }

                yield return p;
                break;
            case Taped t:
                foreach (Code inner in Statement(t.Action))
                {
                    yield return new Taped(t.Name, inner);
                }

                break;
            case Loop l:
                yield return l with { Body = Block(l.Body) };
                break;
            case Branch b:
                yield return b with { Then = Block(b.Then), Else = Block(b.Else) };
                break;
            case Repeat r:
                yield return r with { Body = Block(r.Body) };
                break;
            case BackwardCall b:
                yield return CallTangent(b);
                break;
            default:
                yield return c;
                break;
        }
    }

    // A call's pullback becomes the call of its tangent: the callee's BackwardTangent.
    private BackwardTangentCall CallTangent(BackwardCall b)
    {
        var tangents = new List<Expr>();
        for (int i = 0; i < b.Callee.Params.Count; i++)
        {
            if (b.Callee.Params[i].Differentiable)
            {
                tangents.Add(ArgumentTangent(b.Callee.Params[i], b.Args[i]));
            }
        }

        // In HessianVectorProduct the parameters' array adjoints are not kept: only their tangents.
        var adjoints = b.Adjoints.Select(a => a is not null && arrayAdjoints.Contains(Effects.Target(a)) ? null : a).ToList();
        var adjointTangents = b.Adjoints.Select(a => a is null ? null : TangentName(Effects.Target(a)) + a.Substring(Effects.Target(a).Length)).ToList();
        return new BackwardTangentCall(b.Callee, b.Args, tangents, b.Seed, Tangent(b.Seed, null), adjoints, adjointTangents);
    }

    private Expr ArgumentTangent(CalleeParam p, Expr argument) => p.Kind == ParamKind.Double
        ? Tangent(argument, null)
        : argument is ArrayRef a && active.Contains(a.Code) ? new ArrayRef(TangentName(a.Code), false, a.Slice) : NoArrayTangent;

    // The tangent of an array argument that carries none: default, an empty span.
    private static readonly ArrayRef NoArrayTangent = new("default", false);

    // The tangent update for 'target op= value' (written before the primal update, which it reads).
    private (AssignOp Op, Expr Value)? UpdateTangent(Expr target, Expr tangent, AssignOp op, Expr value)
    {
        Expr dv = Tangent(value, null);
        switch (op)
        {
            case AssignOp.Set:
                return (AssignOp.Set, Simplify.Run(dv));
            case AssignOp.Add or AssignOp.Sub:
                return Nonzero(dv) is { } d ? (op, d) : null;
            case AssignOp.Mul:
                // t(a·v) = ta·v + a·tv
                return (AssignOp.Set, Simplify.Run(Add(Mul(tangent, value), Mul(target, dv))));
            default:
                // t(a/v) = ta/v − a·tv/v²
                return (AssignOp.Set, Simplify.Run(Sub(Div(tangent, value), Div(Mul(target, dv), Mul(value, value)))));
        }
    }

    private static Expr? Nonzero(Expr tangent)
    {
        Expr simplified = Simplify.Run(tangent);
        return IsZero(simplified) ? null : simplified;
    }

    private Expr Tangent(Expr e, Expr? y) => Simplify.Run(RawTangent(e, y));

    private Expr RawTangent(Expr e, Expr? y)
    {
        if (e.Type != Ty.Double || !Effects.VarsIn(e).Any(active.Contains))
        {
            return Num.Zero;
        }

        if (Tangents.Compose(e, y, child => RawTangent(child, null)) is { } composed)
        {
            return composed;
        }

        switch (e)
        {
            case Var v:
                return active.Contains(v.Name) ? new Var(TangentName(v.Name), Ty.Double) : Num.Zero;
            case Elem el:
                return active.Contains(el.Array) ? el with { Array = TangentName(el.Array), IsParameter = false } : Num.Zero;
            case Opaque:
                return Num.Zero;
            case Call c:
                var tangents = new List<Expr>();
                for (int i = 0; i < c.Callee.Params.Count; i++)
                {
                    if (c.Callee.Params[i].Differentiable)
                    {
                        tangents.Add(ArgumentTangent(c.Callee.Params[i], c.Args[i]));
                    }
                }

                return new DerivativeCall(c.Callee, c.Args, tangents.ToEquatableArray());
            default:
                throw new System.NotSupportedException($"second order of {e.GetType().Name}");
        }
    }

    // 'double dx = 0;' or 'hx = 0;' followed, at the same level, by the first statement that
    // touches the name being an assignment that does not read it: one statement.
    private static List<Code> MergeFirstWrites(List<Code> code)
    {
        var result = new List<Code>(code);
        for (int i = 0; i < result.Count; i++)
        {
            (string? name, bool let) = result[i] switch
            {
                Let { Type: Ty.Double, Value: Num { Value: 0 } } l => (l.Name, true),
                Set { Value: Num { Value: 0 } } s => (s.Name, false),
                _ => ((string?)null, false),
            };
            if (name is null)
            {
                continue;
            }

            int next = result.FindIndex(i + 1, c => Effects.Reads(c).Concat(Effects.Writes(c)).Contains(name));
            if (next > 0 && result[next] is Set set && set.Name == name && !Effects.VarsIn(set.Value).Contains(name))
            {
                result[next] = let ? new Let(name, Ty.Double, set.Value) : set;
                result.RemoveAt(i);
                i--;
            }
            else if (next > 0 && result[next] is AddTo add && add.Name == name && !Effects.VarsIn(add.Value).Contains(name))
            {
                Expr value = add.Subtract ? Simplify.Run(Neg(add.Value)) : add.Value;
                result[next] = let ? new Let(name, Ty.Double, value) : new Set(name, value);
                result.RemoveAt(i);
                i--;
            }
        }

        return result;
    }
}
