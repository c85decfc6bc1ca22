using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Forward mode: each statement is followed by its tangent statement, <c>dX</c> for <c>x</c>,
/// and the method returns the tangent of its result — the directional derivative along the
/// parameters' tangents. Builds the body of <c>Derivative</c>.
/// </summary>
internal sealed partial class Forward
{
    private readonly MethodModel model;
    private readonly Activity activity;
    private readonly HashSet<string> taken;
    private readonly Dictionary<string, string> tangentOf = new();
    private HashSet<string> declared = new();

    private Forward(MethodModel model, Activity activity, HashSet<string> taken)
    {
        this.model = model;
        this.activity = activity;
        this.taken = taken;
        foreach (ParamModel p in model.Params.Where(p => p.Differentiable))
        {
            tangentOf[p.Name] = p.DerivativeName;
            declared.Add(p.DerivativeName);
        }
    }

    public static List<Code> Build(MethodModel model, IReadOnlyList<Stmt> body)
    {
        var taken = new HashSet<string>(model.ReservedNames);
        return new Forward(model, new Activity(model, body), taken).Run(body);
    }

    private List<Code> Run(IReadOnlyList<Stmt> body)
    {
        var code = new List<Code>(ArrayTangentChecks());

        Block(body, code);
        return Share.Run(Optimize.Prune(Propagate.Run(code, Propagate.PrimalNames(body)), new HashSet<string>()), taken);
    }

    // An empty tangent span stands for zeros; any other must have its array's length.
    private IEnumerable<Code> ArrayTangentChecks() => model.Params
        .Where(p => p.Differentiable && p.IsArray)
        .Select(p => new Raw($"{p.DerivativeName} = global::SymDiff.Generated.Tangent.OrZero({p.DerivativeName}, {p.Name}.Length, nameof({p.DerivativeName}));", p.DerivativeName));

    private void Block(IEnumerable<Stmt> statements, List<Code> output)
    {
        foreach (Stmt s in statements)
        {
            switch (s)
            {
                case Decl d:
                    output.Add(new Let(d.Name, d.Type, d.Init!, d.TypeCode));
                    if (d.Type == Ty.Double && Nonzero(Tangent(d.Init!, d.Init is Fn ? new Var(d.Name, Ty.Double) : null)) is { } dInit)
                    {
                        declared.Add(TangentName(d.Name));
                        output.Add(new Let(TangentName(d.Name), Ty.Double, dInit));
                    }

                    break;
                case Assign a:
                    output.Add(new Update(a.Name, a.Op, a.Value));
                    if (Nonzero(Tangent(a.Value, null)) is { } dValue)
                    {
                        string t = TangentName(a.Name);
                        output.Add(declared.Add(t)
                            ? new Let(t, Ty.Double, a.Op == AssignOp.Sub ? Simplify.Run(Neg(dValue)) : dValue)
                            : new AddTo(t, dValue, Subtract: a.Op == AssignOp.Sub));
                    }

                    break;
                case For f:
                    foreach (string accumulator in Versions.Accumulators(f))
                    {
                        bool moves = BodyParser.AllStatements(f.Body).OfType<Assign>().Any(a => a.Name == accumulator && activity.Depends(a.Value));
                        if (moves && declared.Add(TangentName(accumulator)))
                        {
                            output.Add(new Let(TangentName(accumulator), Ty.Double, Num.Zero));
                        }
                    }

                    HashSet<string> saved = declared;
                    declared = new HashSet<string>(declared);
                    var body = new List<Code>();
                    Block(f.Body, body);
                    declared = saved;
                    output.Add(new Loop(f.Header, body));
                    break;
                case Return r:
                    output.Add(new ReturnValue(Nonzero(Tangent(r.Value!, null)) ?? Num.Zero));
                    break;
            }
        }
    }

    private static Expr? Nonzero(Expr tangent)
    {
        Expr simplified = Simplify.Run(tangent);
        return IsZero(simplified) ? null : simplified;
    }

    private string TangentName(string name)
    {
        if (!tangentOf.TryGetValue(name, out string? tangent))
        {
            tangent = Names.Fresh(Names.Derivative(name), taken);
            tangentOf[name] = tangent;
        }

        return tangent;
    }

    private Expr Tangent(Expr e, Expr? y)
    {
        if (!activity.Depends(e))
        {
            return Num.Zero;
        }

        if (Tangents.Compose(e, y, child => Tangent(child, null)) is { } composed)
        {
            return composed;
        }

        switch (e)
        {
            case Var v:
                string t = TangentName(v.Name);
                return declared.Contains(t) ? new Var(t, Ty.Double) : Num.Zero;
            case Elem el:
                return el with { Array = TangentName(el.Array) };
            case Call c:
                var tangents = new List<Expr>();
                for (int i = 0; i < c.Callee.Params.Count; i++)
                {
                    CalleeParam p = c.Callee.Params[i];
                    if (p.Differentiable)
                    {
                        tangents.Add(p.Kind == ParamKind.Double
                            ? Simplify.Run(Tangent(c.Args[i], null))
                            : c.Args[i] is ArrayRef { IsParameter: true } a && activity.Depends(a) ? new ArrayRef(TangentName(a.Code), false, a.Slice) : new ArrayRef("default", false));
                    }
                }

                return new DerivativeCall(c.Callee, c.Args, tangents.ToEquatableArray());
            default:
                return Num.Zero;
        }
    }
}
