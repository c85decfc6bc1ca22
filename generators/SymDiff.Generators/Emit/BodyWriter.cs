using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Symbolic;

namespace SymDiff.Generators.Emit;

/// <summary>Writes generated statements.</summary>
internal static class BodyWriter
{
    // A statement; one that calls Branchless.Select gets the ?: it stands for in a comment above it.
    private static void Statement(CodeWriter w, System.Func<string> render) => w.Line(Explained(w, render));

    // The code 'render' writes, rendered once; code that calls Branchless.Select is preceded by its
    // ?: form as a comment (rendered again in that notation only then).
    private static string Explained(CodeWriter w, System.Func<string> render)
    {
        string code = render();
        if (code.Contains("Branchless.Select("))
        {
            w.Line("// " + ExprWriter.InNotation(render));
        }

        return code;
    }

    /// <summary>Writes <paramref name="code"/>; <paramref name="beforeReturn"/> goes before each <c>return</c>.</summary>
    public static void Write(CodeWriter w, IEnumerable<Code> code, IReadOnlyList<string>? beforeReturn = null)
    {
        foreach (Code c in code)
        {
            switch (c)
            {
                case Comment comment:
                    w.Line("// " + comment.Text);
                    break;
                case Let let:
                    Statement(w, () => $"{TypeOf(let)} {let.Name} = {ExprWriter.Write(let.Value)};");
                    break;
                case Set { Value: Var same } set when same.Name == set.Name:
                    // dy = dy: a tangent the statement leaves as it was (its own factor folded to 1).
                    break;
                case Set set:
                    Statement(w, () => $"{set.Name} = {ExprWriter.Write(set.Value)};");
                    break;
                case AddTo add:
                    Statement(w, () => Accumulate(add.Name, add.Value, add.Subtract));
                    break;
                case AddToElement { First: true } add:
                    Statement(w, () => $"{add.Span}[{ExprWriter.Write(add.Index)}] = {ExprWriter.Write(add.Value)};");
                    break;
                case AddToElement add:
                    Statement(w, () => Accumulate($"{add.Span}[{ExprWriter.Write(add.Index)}]", add.Value, subtract: false));
                    break;
                case Update update:
                    Statement(w, () => Assign(update.Name, update.Op, update.Value));
                    break;
                case Loop loop:
                    w.Open($"for ({loop.Header})");
                    Write(w, loop.Body, beforeReturn);
                    w.Close();
                    break;
                case Branch branch:
                    w.Open(Explained(w, () => $"if ({ExprWriter.Write(branch.Test)})"));
                    Write(w, branch.Then, beforeReturn);
                    w.Close();
                    if (branch.Else.Count > 0)
                    {
                        w.Open("else");
                        Write(w, branch.Else, beforeReturn);
                        w.Close();
                    }

                    break;
                case Repeat { TestAtEnd: false } repeat:
                    w.Open(Explained(w, () => $"while ({ExprWriter.Write(repeat.Test)})"));
                    Write(w, repeat.Body, beforeReturn);
                    w.Close();
                    break;
                case Repeat repeat:
                    w.Open("do");
                    Write(w, repeat.Body, beforeReturn);
                    w.Close($" {Explained(w, () => $"while ({ExprWriter.Write(repeat.Test)})")};");
                    break;
                case Taped taped:
                    Write(w, [taped.Action], beforeReturn);
                    break;
                case StoreElement store:
                    Statement(w, () => Assign($"{store.Array}[{ExprWriter.Write(store.Index)}]", store.Op, store.Value));
                    break;
                case Push push:
                    w.Line($"{push.Tape}.{(push.Value.Type == Ty.Double ? ExprWriter.TapePush : "Push")}({ExprWriter.Write(push.Value)});");
                    break;
                case Pop pop:
                    string target = pop.Index is null ? pop.Target : $"{pop.Target}[{ExprWriter.Write(pop.Index)}]";
                    w.Line($"{target} = {PopCall(pop)};");
                    break;
                case BackwardCall call:
                    Statement(w, () => $"{call.Callee.Qualified("Backward")}({string.Join(", ", CallArguments(call))});");
                    break;
                case BackwardTangentCall call:
                    Statement(w, () => $"{call.Callee.Qualified("BackwardTangent")}({string.Join(", ", TangentCallArguments(call))});");
                    break;
                case ClearSpan { From: 0 } clear:
                    w.Line($"{clear.Span}.Clear();");
                    break;
                case ClearSpan clear:
                    w.Line($"global::SymDiff.Generated.Adjoint.ClearFrom({clear.Span}, {clear.From});");
                    break;
                case Raw raw:
                    w.Line(raw.Text);
                    break;
                case ReturnValue ret:
                    foreach (string line in beforeReturn ?? [])
                    {
                        w.Line(line);
                    }

                    Statement(w, () => $"return {ExprWriter.Write(ret.Value)};");
                    break;
            }
        }
    }

    private static string TypeOf(Let let) => let.Type switch
    {
        Ty.Int => let.TypeCode ?? "int",
        Ty.Bool => "bool",
        _ => ExprWriter.Scalar,
    };

    private static string PopCall(Pop pop) => pop.Type switch
    {
        Ty.Bool => $"{pop.Tape}.PopBool()",
        Ty.Int when pop.TypeCode == "long" => $"{pop.Tape}.PopLong()",
        Ty.Int when pop.TypeCode == "int" => $"{pop.Tape}.PopInt()",
        Ty.Int => $"({pop.TypeCode}){pop.Tape}.PopLong()",
        _ => $"{pop.Tape}.{ExprWriter.TapePop}",
    };

    // A source statement's assignment (=, +=, -=, *=, /=) to a variable or an element.
    private static string Assign(string target, AssignOp op, Expr value) => op switch
    {
        AssignOp.Set => $"{target} = {ExprWriter.Write(value)};",
        AssignOp.Add => Accumulate(target, value, subtract: false),
        AssignOp.Sub => $"{target} -= {ExprWriter.Write(value)};",
        AssignOp.Mul => $"{target} *= {ExprWriter.Write(value)};",
        _ => $"{target} /= {ExprWriter.Write(value)};",
    };

    private static string Accumulate(string target, Expr value, bool subtract)
    {
        if (value is Neg n)
        {
            (value, subtract) = (n.Operand, !subtract);
        }

        return $"{target} {(subtract ? "-=" : "+=")} {ExprWriter.Write(value)};";
    }

    private static IEnumerable<string> TangentCallArguments(BackwardTangentCall call)
    {
        var differentiable = call.Callee.Params.Where(p => p.Differentiable).ToList();
        IEnumerable<string> Targets(IReadOnlyList<string?> names) =>
            differentiable.Select((p, i) => p.Kind == ParamKind.Double ? "ref " + names[i] : names[i] ?? "default");
        return call.Args.Concat(call.Tangents).Select(a => ExprWriter.Write(a))
            .Append(ExprWriter.Write(call.Seed)).Append(ExprWriter.Write(call.SeedTangent))
            .Concat(Targets(call.Adjoints)).Concat(Targets(call.AdjointTangents));
    }

    private static IEnumerable<string> CallArguments(BackwardCall call)
    {
        foreach (Expr arg in call.Args)
        {
            yield return ExprWriter.Write(arg);
        }

        yield return ExprWriter.Write(call.Seed);
        var differentiable = call.Callee.Params.Where(p => p.Differentiable).ToList();
        for (int i = 0; i < differentiable.Count; i++)
        {
            string? adjoint = call.Adjoints[i];
            yield return differentiable[i].Kind == ParamKind.Double ? "ref " + adjoint : adjoint ?? "default";
        }
    }
}
