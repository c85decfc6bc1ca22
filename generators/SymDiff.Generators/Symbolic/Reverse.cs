using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Reverse mode. The body runs forward once (the primal sweep), then each statement is
/// differentiated from the last to the first, pushing its output's adjoint onto its inputs
/// (the backward sweep). A loop's backward runs in the same order as the loop itself and first
/// recomputes the iteration's locals: that is exact because iterations only communicate through
/// accumulations, whose adjoints are constant across the loop (the parser refuses anything else).
/// Builds the body of <c>Gradient</c> (<paramref name="gradient"/>: returns the value, adjoints are
/// <c>out</c> and start at zero) or of <c>Backward</c> (adjoints are <c>ref</c> and accumulate).
/// </summary>
internal sealed partial class Reverse
{
    private readonly MethodModel model;
    private readonly bool gradient;
    private readonly Activity activity;
    private readonly HashSet<string> taken;
    private readonly Dictionary<string, string> adjointOf = new();
    private readonly HashSet<string> parameterAdjoints = new();
    private HashSet<string> declared = new();
    private readonly HashSet<string> reassigned = new();

    private Reverse(MethodModel model, bool gradient, Activity activity, HashSet<string> taken)
    {
        this.model = model;
        this.gradient = gradient;
        this.activity = activity;
        this.taken = taken;
        foreach (ParamModel p in model.Params.Where(p => p.Differentiable))
        {
            adjointOf[p.Name] = p.DerivativeName;
            parameterAdjoints.Add(p.DerivativeName);
            if (!gradient)
            {
                declared.Add(p.DerivativeName);
            }
        }
    }

    public static List<Code> Build(MethodModel model, IReadOnlyList<Stmt> body, bool gradient)
    {
        var taken = new HashSet<string>(model.ReservedNames);
        taken.Add(model.SeedName);
        var activity = new Activity(model, body);
        return new Reverse(model, gradient, activity, taken).Run(body);
    }

    private List<Code> Run(IReadOnlyList<Stmt> body)
    {
        // A local holding a math call's result stands for it in the rules (tanh' = 1 − y²) only
        // while it still holds that result: not when the body changes it afterwards.
        reassigned.UnionWith(BodyParser.AllStatements(body).OfType<Assign>().Select(a => a.Name));

        // In Backward a parameter's adjoint holds the caller's running sum; a parameter the body
        // accumulates into gets an adjoint of its own, added to the caller's at the end.
        var assigned = new HashSet<string>(BodyParser.AllStatements(body).OfType<Assign>().Select(a => a.Name));
        var ownAdjoints = gradient ? new List<ParamModel>() : model.Params.Where(p => p.Differentiable && !p.IsArray && assigned.Contains(p.Name)).ToList();
        foreach (ParamModel p in ownAdjoints)
        {
            adjointOf[p.Name] = Names.Fresh(p.DerivativeName + "Here", taken);
        }

        var code = new List<Code>(ArrayAdjointChecks());

        var primal = body.Where(s => s is not Return).ToList();
        if (Tracing)
        {
            var declared = BodyParser.AllStatements(body).OfType<Decl>().GroupBy(d => d.Name).ToDictionary(g => g.Key, g => g.First());
            code.AddRange(TraceInputs());
            code.AddRange(Primal(primal, skip: null, s => s switch
            {
                For f => [TraceIteration(f.Line, f.Header, f.Counter)],
                Decl d => TraceStatement(d, d.Name, d.Type, d.TypeCode),
                Assign a => declared.TryGetValue(a.Name, out Decl? local) ? TraceStatement(a, a.Name, local.Type, local.TypeCode) : TraceStatement(a, a.Name, Ty.Double, null),
                _ => [],
            }));
            var returned = (Return)body[body.Count - 1];
            code.Add(TraceResult(returned, Emit.ExprWriter.Write(returned.Value!)));
            code.Add(new Let(model.SeedName, Ty.Double, Num.One));
        }
        else
        {
            code.AddRange(Primal(primal, skip: null));
        }

        var backward = new List<Code>();
        Block(body, backward);

        if (gradient)
        {
            foreach (ParamModel p in model.Params.Where(p => p.Differentiable && !p.IsArray && !declared.Contains(p.DerivativeName)))
            {
                code.Add(new Set(p.DerivativeName, Num.Zero));
            }
        }

        code.AddRange(backward);
        foreach (ParamModel p in ownAdjoints.Where(p => declared.Contains(adjointOf[p.Name])))
        {
            code.Add(new AddTo(p.DerivativeName, new Var(adjointOf[p.Name], Ty.Double)));
        }

        if (Tracing)
        {
            code.Add(new ReturnValue(((Return)body[body.Count - 1]).Value!));
            return FinishTrace(code);
        }

        if (gradient)
        {
            code.Add(new ReturnValue(((Return)body[body.Count - 1]).Value!));
        }

        var liveOut = new HashSet<string>(parameterAdjoints);
        List<Code> optimized = Optimize.Fuse(Optimize.Prune(Propagate.Run(code, Propagate.PrimalNames(body)), liveOut));
        var scalarAdjoints = model.Params.Where(p => p.Differentiable && !p.IsArray).Select(p => p.DerivativeName);
        optimized = Optimize.LocalAccumulators(optimized, new HashSet<string>(scalarAdjoints), taken);
        if (gradient)
        {
            optimized = Optimize.FoldZeroStarts(Optimize.AssignFirstWrites(optimized));
        }

        return Share.Run(Share.Elements(optimized, taken), taken);
    }

    // Gradient checks and clears its array adjoints; Backward checks them, or sinks an empty one.
    private IEnumerable<Code> ArrayAdjointChecks()
    {
        foreach (ParamModel p in model.Params.Where(p => p.Differentiable && p.IsArray && !Tracing))
        {
            if (gradient)
            {
                yield return new Raw($"global::SymDiff.Generated.Adjoint.RequireLength({p.DerivativeName}, {p.Name}.Length, nameof({p.DerivativeName}));", p.DerivativeName);
                yield return new ClearSpan(p.DerivativeName);
            }
            else
            {
                yield return new Raw($"{p.DerivativeName} = global::SymDiff.Generated.Adjoint.OrSink({p.DerivativeName}, {p.Name}.Length, nameof({p.DerivativeName}));", p.DerivativeName);
            }
        }
    }

    /// <summary>
    /// The primal statements, leaving out updates of the names in <paramref name="skip"/>. With
    /// <paramref name="records"/> (FTrace), each declaration and update is followed by what it
    /// returns for that statement, and each loop body starts with what it returns for the loop.
    /// </summary>
    public static List<Code> Primal(IEnumerable<Stmt> statements, HashSet<string>? skip, System.Func<Stmt, IEnumerable<Code>>? records = null)
    {
        var code = new List<Code>();
        foreach (Stmt s in statements)
        {
            switch (s)
            {
                case Decl d:
                    code.Add(new Let(d.Name, d.Type, d.Init!, d.TypeCode));
                    break;
                case Assign a when skip is null || !skip.Contains(a.Name):
                    code.Add(new Update(a.Name, a.Op, a.Value));
                    break;
                case For f:
                    code.Add(new Loop(f.Header, (records?.Invoke(f) ?? []).Concat(Primal(f.Body, skip, records)).ToList()));
                    continue;
                default:
                    continue;
            }

            code.AddRange(records?.Invoke(s) ?? []);
        }

        return code;
    }

    private void Block(IReadOnlyList<Stmt> statements, List<Code> output)
    {
        for (int i = statements.Count - 1; i >= 0; i--)
        {
            Stmt s = statements[i];
            var group = new Group(this);
            switch (s)
            {
                case Return r:
                    group.Backprop(r.Value!, ResultSeed, null);
                    break;
                case Decl { Type: Ty.Double } d when Adjoint(d.Name) is { } g:
                    group.Backprop(d.Init!, g, d.Init is Fn && !reassigned.Contains(d.Name) ? new Var(d.Name, Ty.Double) : null);
                    break;
                case Assign a when Adjoint(a.Name) is { } g:
                    group.Backprop(a.Value, a.Op == AssignOp.Sub ? Neg(g) : g, null);
                    break;
                case For f:
                    Loop(f, output);
                    continue;
            }

            group.Emit(s, output);
        }
    }

    private void Loop(For f, List<Code> output)
    {
        var inside = new HashSet<string>(BodyParser.AllStatements(f.Body).OfType<Decl>().Select(d => d.Name));
        var readInside = BodyParser.AllStatements(f.Body)
            .SelectMany(s => s switch
            {
                Decl d => Effects.VarsIn(d.Init!),
                Assign a => Effects.VarsIn(a.Value),
                _ => [],
            })
            .Distinct()
            .Where(n => !inside.Contains(n) && activity.IsActive(n) && !model.Params.Any(p => p.Name == n && p.IsArray));
        foreach (string name in readInside)
        {
            Declare(name, output);
        }

        HashSet<string> saved = declared;
        declared = new HashSet<string>(declared);
        var body = new List<Code>();
        Block(f.Body, body);
        declared = saved;
        var outer = new HashSet<string>(Versions.Accumulators(f));
        IEnumerable<Code> iteration = Tracing ? [TraceIteration(f.Line, f.Header, f.Counter)] : [];
        output.Add(new Loop(f.Header, iteration.Concat(Primal(f.Body, outer)).Concat(body).ToList()));
    }

    private Expr? Adjoint(string name)
    {
        string adjoint = AdjointName(name);
        return declared.Contains(adjoint) ? new Var(adjoint, Ty.Double) : null;
    }

    private string AdjointName(string name)
    {
        if (!adjointOf.TryGetValue(name, out string? adjoint))
        {
            adjoint = Names.Fresh(Names.Derivative(name), taken);
            adjointOf[name] = adjoint;
        }

        return adjoint;
    }

    /// <summary>Makes the adjoint of <paramref name="name"/> exist with value zero, if it does not yet.</summary>
    private string Declare(string name, List<Code> output)
    {
        string adjoint = AdjointName(name);
        if (declared.Add(adjoint))
        {
            output.Add(parameterAdjoints.Contains(adjoint) ? new Set(adjoint, Num.Zero) : new Let(adjoint, Ty.Double, Num.Zero));
        }

        return adjoint;
    }

    /// <summary>The adjoint contributions of one source statement: one update per target.</summary>
    private sealed class Group(Reverse owner)
    {
        private readonly List<Code> calls = new();
        private readonly List<(string Key, string Target, Expr? Index)> order = new();
        private readonly Dictionary<string, Expr> sums = new();

        // The tests that select the current contribution (t ? ȳ : 0), applied last, when the
        // contribution is complete: (t ? ȳ : 0)·∞ would be NaN where t is false, but
        // t ? ȳ·∞ : 0 is 0 there. So a value nobody needs never poisons a gradient.
        private readonly List<(Expr Test, bool When)> gates = new();

        public void Backprop(Expr e, Expr g, Expr? y)
        {
            if (!owner.activity.Depends(e) || IsZero(g))
            {
                return;
            }

            if (g is Cond { WhenFalse: Num { Value: 0 } } or Cond { WhenTrue: Num { Value: 0 } })
            {
                var gate = (Cond)g;
                bool when = gate.WhenFalse is Num { Value: 0 };
                gates.Add((gate.Test, when));
                Backprop(e, when ? gate.WhenTrue : gate.WhenFalse, y);
                gates.RemoveAt(gates.Count - 1);
                return;
            }

            switch (e)
            {
                case Var v:
                    Contribute(v.Name, v.Name, null, g);
                    break;
                case Elem el:
                    Contribute($"{el.Array}[{Simplify.Key(el.Index)}]", el.Array, el.Index, g);
                    break;
                case Neg n:
                    Backprop(n.Operand, Neg(g), null);
                    break;
                case Cond c:
                    // y = t ? a : b      ā += (t ? ȳ : 0),  b̄ += (t ? 0 : ȳ)
                    Backprop(c.WhenTrue, If(c.Test, g, Num.Zero), null);
                    Backprop(c.WhenFalse, If(c.Test, Num.Zero, g), null);
                    break;
                case Binary { Op: BinOp.Add } b:
                    Backprop(b.Left, g, null);
                    Backprop(b.Right, g, null);
                    break;
                case Binary { Op: BinOp.Sub } b:
                    Backprop(b.Left, g, null);
                    Backprop(b.Right, Neg(g), null);
                    break;
                case Binary { Op: BinOp.Mul } b:
                    Backprop(b.Left, Mul(g, b.Right), null);
                    Backprop(b.Right, Mul(b.Left, g), null);
                    break;
                case Binary { Op: BinOp.Div } b:
                    Backprop(b.Left, Div(g, b.Right), null);
                    Backprop(b.Right, Neg(Div(Mul(g, b.Left), Mul(b.Right, b.Right))), null);
                    break;
                case Fn f:
                    Expr[] shares = Rules.Table[f.Function].Vjp(f.Args.ToArray(), y ?? f, g);
                    for (int i = 0; i < shares.Length; i++)
                    {
                        Backprop(f.Args[i], shares[i], null);
                    }

                    break;
                case Call c:
                    CallBackward(c, g);
                    break;
            }
        }

        // G(args) → GBackward(args, ȳ, ref d…): scalar arguments that are plain active locals
        // pass their adjoint by reference; any other argument gets a temporary adjoint that is
        // then pushed through the argument expression.
        private void CallBackward(Call c, Expr g)
        {
            for (int i = gates.Count - 1; i >= 0; i--)
            {
                g = gates[i].When ? If(gates[i].Test, g, Num.Zero) : If(gates[i].Test, Num.Zero, g);
            }

            var adjoints = new List<string?>();
            var pending = new List<(Expr Arg, string Temp)>();
            for (int i = 0; i < c.Callee.Params.Count; i++)
            {
                CalleeParam p = c.Callee.Params[i];
                if (!p.Differentiable)
                {
                    continue;
                }

                Expr arg = c.Args[i];
                if (p.Kind != ParamKind.Double)
                {
                    adjoints.Add(arg is ArrayRef { IsParameter: true } a && owner.activity.Depends(a) ? a.Of(owner.AdjointName(a.Code)) : null);
                }
                else if (arg is Var v && owner.activity.IsActive(v.Name))
                {
                    adjoints.Add(owner.Declare(v.Name, calls));
                }
                else
                {
                    string temp = Names.Fresh(Names.Derivative(c.Callee.Name + Names.Capitalized(p.Name)), owner.taken);
                    owner.otherAdjoints.Add(temp);
                    calls.Add(new Let(temp, Ty.Double, Num.Zero));
                    owner.declared.Add(temp);
                    adjoints.Add(temp);
                    if (owner.activity.Depends(arg))
                    {
                        pending.Add((arg, temp));
                    }
                }
            }

            calls.Add(new BackwardCall(c.Callee, c.Args.ToArray(), Simplify.Run(g), adjoints));
            foreach ((Expr arg, string temp) in pending)
            {
                Backprop(arg, new Var(temp, Ty.Double), null);
            }
        }

        private void Contribute(string key, string target, Expr? index, Expr g)
        {
            for (int i = gates.Count - 1; i >= 0; i--)
            {
                g = gates[i].When ? If(gates[i].Test, g, Num.Zero) : If(gates[i].Test, Num.Zero, g);
            }

            if (sums.TryGetValue(key, out Expr? sum))
            {
                sums[key] = Add(sum, g);
            }
            else
            {
                sums[key] = g;
                order.Add((key, target, index));
            }
        }

        public void Emit(Stmt s, List<Code> output) => Emit(s, $"back through line {s.Line}: {s.Source}", output);

        public void Emit(Stmt s, string comment, List<Code> output)
        {
            var updates = new List<Code>(calls);
            foreach ((string key, string target, Expr? index) in order)
            {
                Expr value = Simplify.Run(sums[key]);
                if (IsZero(value))
                {
                    continue;
                }

                string adjoint = owner.AdjointName(target);
                if (index is not null)
                {
                    updates.Add(new AddToElement(adjoint, index, value));
                }
                else if (owner.declared.Contains(adjoint))
                {
                    updates.Add(new AddTo(adjoint, value));
                }
                else
                {
                    owner.declared.Add(adjoint);
                    updates.Add(owner.parameterAdjoints.Contains(adjoint) ? new Set(adjoint, value) : new Let(adjoint, Ty.Double, value));
                }
            }

            if (updates.Count > 0)
            {
                output.Add(new Comment(comment));
                output.AddRange(updates);
                if (owner.Tracing)
                {
                    output.AddRange(owner.TraceSteps(s, updates));
                }
            }
        }
    }
}
