using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// Turns a method body's <see cref="IOperation"/> tree into IR statements, reporting every
/// construct it does not support at its exact location instead of guessing.
/// </summary>
internal sealed partial class BodyParser
{
    private readonly IMethodSymbol method;
    private readonly List<DiagnosticInfo> diagnostics;
    private readonly CancellationToken cancellationToken;

    // Loop depth at which each local was declared (parameters: 0).
    private readonly Dictionary<ISymbol, int> depthOf = new(SymbolEqualityComparer.Default);
    private int loopDepth;

    public BodyParser(IMethodSymbol method, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        this.method = method;
        this.diagnostics = diagnostics;
        this.cancellationToken = cancellationToken;
        foreach (IParameterSymbol p in method.Parameters)
        {
            depthOf[p] = 0;
        }
    }

    /// <summary>Every identifier the body introduces or reads by simple name.</summary>
    public HashSet<string> UsedNames { get; } = new();

    /// <summary>Every call to another differentiable method, with its syntax, for the activity check.</summary>
    public List<(Call Call, SyntaxNode Syntax)> Calls { get; } = new();

    /// <summary>Where each local is declared, for name-clash diagnostics.</summary>
    public Dictionary<string, Location> LocalLocations { get; } = new();

    public List<Stmt> ParseBody(IBlockOperation block)
    {
        var statements = new List<Stmt>();
        ParseBlock(block.Operations, statements);
        if (block.Operations.LastOrDefault() is not IReturnOperation)
        {
            Report(Descriptors.UnsupportedStatement, block.Syntax, "A body without a final return statement", "end the method with 'return <value>;'");
        }

        return statements;
    }

    private void ParseBlock(IEnumerable<IOperation> operations, List<Stmt> output)
    {
        var list = operations.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IOperation op = list[i];
            if (op is IReturnOperation && (loopDepth > 0 || i != list.Count - 1 || output.Any(s => s is Return)))
            {
                Report(Descriptors.UnsupportedStatement, op.Syntax, "An early return", "return once, as the method's last statement");
                continue;
            }

            ParseStatement(op, output);
        }
    }

    private void ParseStatement(IOperation op, List<Stmt> output)
    {
        switch (op)
        {
            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        ParseDeclarator(declarator, declaration, op, output);
                    }
                }

                break;
            case IExpressionStatementOperation { Operation: var expression }:
                ParseExpressionStatement(expression, op, output);
                break;
            case IForLoopOperation loop:
                ParseFor(loop, output);
                break;
            case IReturnOperation { ReturnedValue: { } value }:
                if (Expression(value) is { } returned)
                {
                    string source = op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax ? SourceOf(op) : $"=> {SourceOf(op)}";
                    output.Add(new Return(returned, LineOf(op), source));
                }

                break;
            case IBlockOperation nested:
                ParseBlock(nested.Operations, output);
                break;
            case IEmptyOperation:
                break;
            default:
                Report(Descriptors.UnsupportedStatement, op.Syntax, Describe(op), Advice(op));
                break;
        }
    }

    private void ParseDeclarator(IVariableDeclaratorOperation declarator, IVariableDeclarationOperation declaration, IOperation statement, List<Stmt> output)
    {
        ILocalSymbol local = declarator.Symbol;
        UsedNames.Add(local.Name);
        LocalLocations[local.Name] = declarator.Syntax.GetLocation();
        depthOf[local] = loopDepth;
        Ty? type = LocalType(local.Type);
        if (type is null)
        {
            Report(Descriptors.UnsupportedLocalType, declarator.Syntax, local.Name, local.Type.ToDisplayString());
            return;
        }

        IOperation? initializer = declarator.Initializer?.Value ?? declaration.Initializer?.Value;
        Expr? init = initializer is null ? null : (type == Ty.Int ? IntExpression(initializer) : Expression(initializer));
        if (initializer is not null && init is null)
        {
            return;
        }

        output.Add(new Decl(local.Name, type.Value, init, LineOf(statement), SourceOf(statement)));
    }

    private void ParseExpressionStatement(IOperation expression, IOperation statement, List<Stmt> output)
    {
        switch (expression)
        {
            case ISimpleAssignmentOperation assignment:
                ParseAssignment(assignment.Target, AssignOp.Set, assignment.Value, statement, output);
                break;
            case ICompoundAssignmentOperation compound when ToAssignOp(compound.OperatorKind) is { } assignOp:
                ParseAssignment(compound.Target, assignOp, compound.Value, statement, output);
                break;
            case IIncrementOrDecrementOperation increment when increment.Target.Type?.SpecialType == SpecialType.System_Double:
                ParseAssignment(increment.Target, increment.Kind == OperationKind.Increment ? AssignOp.Add : AssignOp.Sub, null, statement, output);
                break;
            case IIncrementOrDecrementOperation increment:
                ParseAssignment(increment.Target, AssignOp.Add, null, statement, output);
                break;
            case IInvocationOperation invocation:
                Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The call '{invocation.TargetMethod.Name}(...)' used as a statement", "a differentiable method may only compute values; use the call's result in an expression");
                break;
            default:
                Report(Descriptors.UnsupportedStatement, statement.Syntax, Describe(expression), Advice(expression));
                break;
        }
    }

    private void ParseAssignment(IOperation target, AssignOp op, IOperation? valueOperation, IOperation statement, List<Stmt> output)
    {
        ISymbol? symbol = target switch
        {
            ILocalReferenceOperation l => l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        };
        if (symbol is null || !depthOf.TryGetValue(symbol, out int declaredAt))
        {
            Report(Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target));
            return;
        }

        ITypeSymbol type = symbol is ILocalSymbol local ? local.Type : ((IParameterSymbol)symbol).Type;
        if (Signature.IsInteger(type))
        {
            if (declaredAt < loopDepth)
            {
                Report(Descriptors.LoopCarriedAssignment, statement.Syntax, symbol.Name, "is an integer reassigned inside the loop");
            }
            else
            {
                Report(Descriptors.UnsupportedStatement, statement.Syntax, $"Reassigning the integer '{symbol.Name}'", "declare a new integer local for the new value");
            }

            return;
        }

        if (type.SpecialType != SpecialType.System_Double)
        {
            Report(Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target));
            return;
        }

        Expr? value = valueOperation is null ? Num.One : Expression(valueOperation);
        if (value is null)
        {
            return;
        }

        // x = x + e  →  x += e;   x = e + x  →  x += e;   x = x - e  →  x -= e
        var self = new Var(symbol.Name, Ty.Double);
        if (op == AssignOp.Set && value is Binary { Op: BinOp.Add or BinOp.Sub } binary)
        {
            if (binary.Left == self && !Reads(binary.Right, symbol.Name))
            {
                (op, value) = (binary.Op == BinOp.Add ? AssignOp.Add : AssignOp.Sub, binary.Right);
            }
            else if (binary.Op == BinOp.Add && binary.Right == self && !Reads(binary.Left, symbol.Name))
            {
                (op, value) = (AssignOp.Add, binary.Left);
            }
        }

        if (declaredAt < loopDepth && (op is not (AssignOp.Add or AssignOp.Sub) || Reads(value, symbol.Name)))
        {
            Report(Descriptors.LoopCarriedAssignment, statement.Syntax, symbol.Name, "is overwritten inside the loop");
            return;
        }

        output.Add(new Assign(symbol.Name, op, value, LineOf(statement), SourceOf(statement)));
    }

    private void ParseFor(IForLoopOperation loop, List<Stmt> output)
    {
        var syntax = (ForStatementSyntax)loop.Syntax;
        ILocalSymbol? counter = loop.Locals.Length == 1 ? loop.Locals[0] : null;
        bool headerOk = counter is not null && Signature.IsInteger(counter.Type)
            && loop.Before.Length == 1 && loop.Condition is not null && loop.AtLoopBottom.Length == 1;
        if (!headerOk)
        {
            Report(Descriptors.UnsupportedStatement, syntax.Declaration is null ? (SyntaxNode)syntax : syntax.Declaration, "This for-loop header", "declare exactly one integer counter, give a condition and one increment, e.g. 'for (int i = 0; i < n; i++)'");
            return;
        }

        UsedNames.Add(counter!.Name);
        depthOf[counter] = loopDepth + 1;
        var declarator = loop.Before[0] is IVariableDeclarationGroupOperation g ? g.Declarations.SelectMany(d => d.Declarators).FirstOrDefault() : null;
        Expr? start = declarator?.Initializer?.Value is { } init ? IntExpression(init) : null;
        Expr? condition = IntExpression(loop.Condition!);
        string? step = Step(loop.AtLoopBottom[0], counter);
        if (start is not Opaque s || condition is not Opaque c || step is null)
        {
            if (step is null)
            {
                Report(Descriptors.UnsupportedStatement, syntax.Incrementors.FirstOrDefault() ?? (SyntaxNode)syntax, "This loop increment", $"step the counter with '{counter.Name}++', '{counter.Name}--', '{counter.Name} += k' or '{counter.Name} -= k'");
            }

            return;
        }

        string header = $"{counter.Type.ToDisplayString()} {counter.Name} = {s.Code}; {c.Code}; {step}";
        var body = new List<Stmt>();
        loopDepth++;
        ParseStatement(loop.Body, body);
        loopDepth--;
        CheckAccumulatorsNotRead(loop.Body, body);
        output.Add(new For(counter.Name, header, body.ToEquatableArray(), LineOf(loop), $"for ({header})"));
    }

    // An accumulator may not be read elsewhere in its loop: the backward sweep runs the loop
    // in the same order and relies on each iteration seeing the accumulator's adjoint only.
    private void CheckAccumulatorsNotRead(IOperation loopBody, List<Stmt> body)
    {
        var inner = new HashSet<string>(AllStatements(body).OfType<Decl>().Select(d => d.Name));
        var accumulators = new HashSet<string>(AllStatements(body).OfType<Assign>().Select(a => a.Name).Where(n => !inner.Contains(n)));
        foreach (IOperation reference in loopBody.Descendants())
        {
            string? name = reference switch
            {
                ILocalReferenceOperation l => l.Local.Name,
                IParameterReferenceOperation p => p.Parameter.Name,
                _ => null,
            };
            bool isUpdateTarget = reference.Parent is ICompoundAssignmentOperation ca && ca.Target == reference
                || reference.Parent is ISimpleAssignmentOperation sa && sa.Target == reference
                || reference.Parent is IIncrementOrDecrementOperation;
            bool isSelfInRewrittenSum = reference.Parent is IBinaryOperation { Parent: ISimpleAssignmentOperation assignment }
                && assignment.Target is ILocalReferenceOperation or IParameterReferenceOperation
                && NameOf(assignment.Target) == name;
            if (name is not null && accumulators.Contains(name) && !isUpdateTarget && !isSelfInRewrittenSum)
            {
                Report(Descriptors.LoopCarriedAssignment, reference.Syntax, name, "is read inside the loop that accumulates it");
                accumulators.Remove(name);
            }
        }
    }

    private static string? NameOf(IOperation op) => op switch
    {
        ILocalReferenceOperation l => l.Local.Name,
        IParameterReferenceOperation p => p.Parameter.Name,
        _ => null,
    };

    private string? Step(IOperation bottom, ILocalSymbol counter)
    {
        IOperation op = bottom is IExpressionStatementOperation es ? es.Operation : bottom;
        switch (op)
        {
            case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation t } inc when SymbolEqualityComparer.Default.Equals(t.Local, counter):
                return counter.Name + (inc.Kind == OperationKind.Increment ? "++" : "--");
            case ICompoundAssignmentOperation { Target: ILocalReferenceOperation t, OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } ca
                when SymbolEqualityComparer.Default.Equals(t.Local, counter) && IntExpression(ca.Value) is Opaque k:
                return $"{counter.Name} {(ca.OperatorKind == BinaryOperatorKind.Add ? "+=" : "-=")} {k.Code}";
            default:
                return null;
        }
    }

    internal static IEnumerable<Stmt> AllStatements(IEnumerable<Stmt> statements)
    {
        foreach (Stmt s in statements)
        {
            yield return s;
            if (s is For f)
            {
                foreach (Stmt inner in AllStatements(f.Body))
                {
                    yield return inner;
                }
            }
        }
    }

    private static AssignOp? ToAssignOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => AssignOp.Add,
        BinaryOperatorKind.Subtract => AssignOp.Sub,
        BinaryOperatorKind.Multiply => AssignOp.Mul,
        BinaryOperatorKind.Divide => AssignOp.Div,
        _ => null,
    };

    private static Ty? LocalType(ITypeSymbol type) =>
        type.SpecialType == SpecialType.System_Double ? Ty.Double : Signature.IsInteger(type) ? Ty.Int : null;

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode? at, params string[] args) =>
        diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(at), args.ToEquatableArray()));

    private static int LineOf(IOperation op) => op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The statement's source on one line, for the comments of the generated code.</summary>
    private static string SourceOf(IOperation op) => Collapse(op.Syntax.ToString());

    private static string Collapse(string text) => Regex.Replace(text.Trim(), @"\s+", " ");
}
