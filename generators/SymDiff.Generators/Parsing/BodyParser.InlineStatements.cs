using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Callees with statements, read in place. A method without [Differentiable] (returning a floating
// value, a struct or a constant) whose body has loops, branches or assignments and ends in its only
// 'return <value>;' (a struct method summing with a loop, a helper of a type that is not partial)
// runs where it is called: its statements are parsed as the caller's, just before the statement
// that calls it (as integer side effects are), its parameters become locals holding the arguments
// and its locals get fresh names, and the call is the value of its return expression. The later
// stages see one method.
internal sealed partial class BodyParser
{
    /// <summary>
    /// The body of a method SymDiff can read in place with its statements: a block whose last
    /// statement is its only <c>return &lt;value&gt;;</c>; null with the reason otherwise.
    /// </summary>
    private IBlockOperation? StatementBody(IMethodSymbol target, out string why)
    {
        if (!statementBodies.TryGetValue(target.OriginalDefinition, out var known))
        {
            known = (ReadStatementBody(target, out string reason), reason);
            statementBodies[target.OriginalDefinition] = known;
        }

        why = known.Why;
        return known.Body;
    }

    private readonly Dictionary<IMethodSymbol, (IBlockOperation? Body, string Why)> statementBodies = new(SymbolEqualityComparer.Default);

    private IBlockOperation? ReadStatementBody(IMethodSymbol target, out string why)
    {
        why = string.Empty;
        if (!(Signature.IsFloating(target.ReturnType) || Signature.IsConstantType(target.ReturnType) || StructLayout.IsCandidate(target.ReturnType))
            || DeclaredBody(target) is not ({ } block, string where)
            || block.Operations.LastOrDefault() is not IReturnOperation { ReturnedValue: not null } last)
        {
            return null;
        }

        // One way out, at the end: a return inside a loop or branch would have to leave the caller's statements too.
        if (block.Descendants().OfType<IReturnOperation>().FirstOrDefault(r => r != last) is { } early)
        {
            why = $"{where} returns at '{Short(early)}' before its end, and SymDiff reads a method with statements in place only when its one return is its last statement; keep the result in a local and return it at the end";
            return null;
        }

        if (block.Descendants().FirstOrDefault(d => d is ILocalFunctionOperation or IAnonymousFunctionOperation) is { } function)
        {
            why = $"{where} declares the function '{Short(function)}'; declare it beside the method instead";
            return null;
        }

        return block;
    }

    /// <summary>
    /// The value of a call read in place with its statements, which go to <see cref="pending"/>:
    /// what <paramref name="result"/> makes of its return value (a scalar, a struct's fields, a
    /// constant's code); null (reported at the call).
    /// </summary>
    private object? InlineStatements(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance, IReadOnlyList<IOperation?> arguments, IBlockOperation block, System.Func<IOperation, object?> result)
    {
        if (CalleeName(call, callee, body, instance) is not { } name)
        {
            return null;
        }

        if (ConditionallyEvaluated(call) is { } condition)
        {
            Report(Descriptors.ImplicitCallee, call.Syntax, name, $"its body has statements, which SymDiff runs before the statement that calls it, and this call runs only {condition}");
            return null;
        }

        // Each call declares the callee's locals afresh: a second call of the same callee gets names of its own.
        foreach (ILocalSymbol local in block.Descendants().SelectMany(LocalsDeclaredBy))
        {
            localNames.Remove(local);
            structs.Remove(local);
        }

        int before = diagnostics.Count;
        List<(string Path, Expr Value)>? self = body.MethodKind == MethodKind.LocalFunction ? InlinedThis : null;
        if (!body.IsStatic && instance is not null && IsStructValue(instance) && (self = StructValue(instance)) is null)
        {
            return Inlined(call, name, before, null);
        }

        int line = LineOf(call);
        string source = $"{name}(…) called at line {line}";
        var statements = new List<Stmt>();
        var frame = new Frame(callee, self);
        for (int k = 0; k < body.Parameters.Length; k++)
        {
            IParameterSymbol parameter = body.Parameters[k];
            if (RefusedByReference(call, name, parameter))
            {
                return Inlined(call, name, before, null);
            }

            if (k >= arguments.Count || arguments[k] is not { } argument)
            {
                return Inlined(call, name, before, null);
            }

            // A floating, integer or bool parameter is a local of the caller holding the argument; arrays and structs stand for the argument.
            if ((Signature.IsFloating(parameter.Type) || Signature.IsConstantType(parameter.Type)) && LocalType(parameter.Type) is { } type)
            {
                // Named after the callee and the parameter (evalX for Eval's x): never mistaken for a version of the caller's x.
                string local = FreshLocal(char.ToLowerInvariant(callee.Name[0]) + callee.Name.Substring(1) + Names.Capitalized(parameter.Name));
                Expr? argumentValue = Typed(argument, type);
                if (argumentValue is null)
                {
                    return Inlined(call, name, before, null);
                }

                statements.Add(new Decl(local, type, argumentValue, line, source));
                renamedParameters[parameter] = local;
            }
            else if (!Bind(frame, parameter, parameter.Type, argument))
            {
                return Inlined(call, name, before, null);
            }
        }

        frames.Add(frame);
        object? value;
        try
        {
            for (int k = 0; k < block.Operations.Length - 1; k++)
            {
                ParseStatement(block.Operations[k], statements);
            }

            value = result(((IReturnOperation)block.Operations[block.Operations.Length - 1]).ReturnedValue!);
        }
        finally
        {
            frames.RemoveAt(frames.Count - 1);
        }

        if (Inlined(call, name, before, value) is not { } read)
        {
            return null;
        }

        pending.AddRange(statements);
        return read;
    }

    private static IEnumerable<ILocalSymbol> LocalsDeclaredBy(IOperation op) => op switch
    {
        IVariableDeclaratorOperation d => [d.Symbol],
        IForEachLoopOperation f => f.Locals,
        IForLoopOperation f => f.Locals,
        _ => [],
    };

    /// <summary>
    /// Where <paramref name="call"/> is evaluated only sometimes, or again and again, within its
    /// statement (a branch of ?:, the right of &amp;&amp;, a switch arm, a loop's condition); null when
    /// it runs exactly once when its statement does.
    /// </summary>
    private static string? ConditionallyEvaluated(IOperation call)
    {
        for (IOperation? child = call, parent = call.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IConditionalOperation c when c.Condition != child && c.Type is not null && c.Type.SpecialType != SpecialType.System_Void:
                    return "in one branch of a conditional expression; assign the call's result to a local first";
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } b when b.RightOperand == child:
                    return "when the left side of '&&' or '||' lets it; assign the call's result to a local first";
                case ICoalesceOperation co when co.WhenNull == child:
                    return "when the left side of '??' is null; assign the call's result to a local first";
                case ISwitchExpressionArmOperation:
                    return "in one arm of a switch expression; assign the call's result to a local first";
                case IWhileLoopOperation w when w.Condition == child:
                case IForLoopOperation f when f.Condition == child:
                    return "as a loop's condition, once per iteration; compute it into a local before the loop and again at the end of each iteration, and test the local";
                case IForLoopOperation f when f.AtLoopBottom.Contains(child):
                    return "as a loop's step, once per iteration; compute it at the end of the loop's body";
                case IBlockOperation or ILoopOperation or IConditionalOperation or ISwitchOperation or IMethodBodyOperation:
                    return null;
            }
        }

        return null;
    }
}
