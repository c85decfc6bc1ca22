using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Forward mode over a lowered body with control flow: the primal runs as written and each
/// assignment is preceded by its tangent's update (computed from the values before the
/// assignment). Branches and loops need no tape in this direction.
/// </summary>
internal sealed partial class Forward
{
    private string tapeName = "tape";

    public static List<Code> BuildTaped(MethodModel model, LoweredBody lowered, HashSet<string> taken)
    {
        var forward = new Forward(model, new Activity(model, lowered.Body), taken);
        return forward.RunTaped(lowered.Body);
    }

    private List<Code> RunTaped(List<Stmt> body)
    {
        var code = new List<Code>(ArrayTangentChecks());

        foreach (ParamModel output in model.Outputs)
        {
            tangentOf[output.Name] = output.DerivativeName;
            code.Add(new Raw($"global::SymDiff.Generated.Tangent.Start({output.DerivativeName}, {output.Name}.Length, nameof({output.DerivativeName}));", output.DerivativeName));
        }

        // A parameter left out of the [Differentiable] list that the body makes active starts with a zero tangent.
        foreach (ParamModel p in model.Params.Where(p => !p.Differentiable && p.Kind == ParamKind.Double && activity.IsActive(p.Name)))
        {
            declared.Add(TangentName(p.Name));
            code.Add(new Let(TangentName(p.Name), Ty.Double, Num.Zero));
        }

        bool arena = body.Any(s => s is NewArray);
        string mark = Names.Fresh("arenaMark", taken);
        if (arena)
        {
            tapeName = Names.Fresh("tape", taken);
            code.Add(new Raw($"global::SymDiff.Generated.Tape {tapeName} = global::SymDiff.Generated.Tape.Current;", tapeName));
            code.Add(new Raw($"long {mark} = {tapeName}.Mark;", mark));
        }

        foreach (Stmt s in body)
        {
            if (s is Return { Value: { } value } && arena)
            {
                string result = Names.Fresh("derivative", taken);
                code.Add(new Let(result, Ty.Double, Nonzero(Tangent(value, null)) ?? Num.Zero));
                code.Add(new Raw($"{tapeName}.Release({mark});"));
                code.Add(new ReturnValue(new Var(result, Ty.Double)));
                continue;
            }

            TapedStatement(s, code);
        }

        if (arena && model.ReturnsVoid)
        {
            code.Add(new Raw($"{tapeName}.Release({mark});"));
        }

        return Share.Run(Optimize.DropIdleBlocks(Optimize.DropDecidedBranches(Propagate.Run(code, Propagate.PrimalNames(body))), new HashSet<string>(model.Params.Select(p => p.DerivativeName))), taken);
    }

    private void TapedStatement(Stmt s, List<Code> output)
    {
        switch (s)
        {
            case Decl d:
                output.Add(new Let(d.Name, d.Type, d.Init ?? Zero(d.Type), d.TypeCode));
                if (d.Type == Ty.Double && activity.IsActive(d.Name))
                {
                    Expr tangent = d.Init is null ? Num.Zero : Nonzero(Tangent(d.Init, null)) ?? Num.Zero;
                    declared.Add(TangentName(d.Name));
                    output.Add(new Let(TangentName(d.Name), Ty.Double, tangent));
                }

                break;
            case Assign a:
                if (activity.IsActive(a.Name))
                {
                    Expr tangent = Nonzero(Tangent(a.Value, null)) ?? Num.Zero;
                    string t = TangentName(a.Name);
                    output.Add(a.Op switch
                    {
                        AssignOp.Add => new AddTo(t, tangent),
                        AssignOp.Sub => new AddTo(t, tangent, Subtract: true),
                        _ => new Set(t, tangent),
                    });
                }

                output.Add(new Update(a.Name, a.Op, a.Value));
                break;
            case Store st:
                if (activity.IsActive(st.Array))
                {
                    Expr tangent = Nonzero(Tangent(st.Value, null)) ?? Num.Zero;
                    output.Add(new StoreElement(TangentName(st.Array), st.Index, st.Op, tangent));
                }

                output.Add(new StoreElement(st.Array, st.Index, st.Op, st.Value));
                break;
            case NewArray n:
                output.Add(new Raw($"global::System.Span<{model.Scalar}> {n.Name} = {tapeName}.{Emit.ExprWriter.TapeArray(Emit.ExprWriter.Write(n.Length))};", n.Name));
                if (activity.IsActive(n.Name))
                {
                    output.Add(new Raw($"global::System.Span<{model.Scalar}> {TangentName(n.Name)} = {tapeName}.{Emit.ExprWriter.TapeArray(n.Name + ".Length")};", TangentName(n.Name)));
                }

                break;
            case If i:
                output.Add(new Branch(i.Test, TapedBlock(i.Then), TapedBlock(i.Else)));
                break;
            case For f:
                output.Add(new Loop(f.Header, TapedBlock(f.Body)));
                break;
            case While w:
                output.Add(new Repeat(w.Test, TapedBlock(w.Body), w.TestAtEnd));
                break;
            case Return { Value: { } value }:
                output.Add(new ReturnValue(Nonzero(Tangent(value, null)) ?? Num.Zero));
                break;
        }
    }

    private List<Code> TapedBlock(IEnumerable<Stmt> statements)
    {
        var output = new List<Code>();
        foreach (Stmt s in statements)
        {
            TapedStatement(s, output);
        }

        return output;
    }
}
