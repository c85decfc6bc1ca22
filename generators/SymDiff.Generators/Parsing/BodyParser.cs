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

    // Local arrays (double[] a = new double[n]) and output parameters: the arrays a body may write.
    private readonly HashSet<string> writableArrays = new();
    private readonly HashSet<string> localArrays = new();
    private int loopDepth, switchDepth;

    // A struct return value: the output span its floating fields are written into, and its layout.
    private (string Output, StructLayout Layout)? returnStruct;

    /// <summary>Makes each <c>return</c> write the struct's floating fields into <paramref name="output"/>.</summary>
    public void ReturnStruct(string output, StructLayout layout)
    {
        returnStruct = (output, layout);
        writableArrays.Add(output);
    }

    // The method's body, and the local arrays declared inside its loops and branches, created once at its top.
    private IBlockOperation? root;
    private readonly List<Stmt> hoistedArrays = new();

    // Delegate locals already reported at their lambda.
    private readonly HashSet<ILocalSymbol> refusedDelegates = new(SymbolEqualityComparer.Default);

    public BodyParser(IMethodSymbol method, string scalar, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        this.method = method;
        this.diagnostics = diagnostics;
        this.cancellationToken = cancellationToken;
        this.scalar = scalar;
        foreach (IParameterSymbol p in method.Parameters.Where(p => Signature.HasAttribute(p, Signature.OutputAttribute)))
        {
            writableArrays.Add(Names.Escape(p.Name));
        }
    }

    // The method's floating-point type: every floating value in the body has it.
    private readonly string scalar;

    /// <summary>Every identifier the body introduces or reads by simple name.</summary>
    public HashSet<string> UsedNames { get; } = new();

    /// <summary>Every call to another differentiable method, with its syntax, for the activity check.</summary>
    public List<(Call Call, SyntaxNode Syntax)> Calls { get; } = new();

    /// <summary>The calls to methods without <c>[Differentiable]</c> whose bodies are differentiated too.</summary>
    public List<ImplicitCall> ImplicitCalls { get; } = new();

    // The name each local has in the generated code: its own, unless C# let the user declare the
    // same name twice (in sibling blocks, or in two loops' headers), which the flattened generated
    // code cannot: then the later one gets a fresh name.
    private readonly Dictionary<ILocalSymbol, string> localNames = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> flatNames = new(), counterNames = new();

    /// <summary>The generated-code name of a local (escaped when it is a keyword).</summary>
    private string Local(ILocalSymbol local) => localNames.TryGetValue(local, out string? name) ? name : DeclareLocal(local, counter: false);

    private string DeclareLocal(ILocalSymbol local, bool counter)
    {
        if (localNames.TryGetValue(local, out string? known))
        {
            return known;
        }

        string name = Names.Escape(local.Name);
        bool clash = flatNames.Contains(name) || (!counter && counterNames.Contains(name));
        if (clash)
        {
            var taken = new HashSet<string>(UsedNames);
            taken.UnionWith(AllIdentifiers);
            name = Names.Fresh(Names.Plain(name), taken);
        }

        (counter ? counterNames : flatNames).Add(name);
        UsedNames.Add(name);
        localNames[local] = name;
        return name;
    }

    /// <summary>True when the body calls a method whose [CustomDerivative] is reported as wrong (SD0025).</summary>
    public bool CallsBrokenCustomDerivative { get; private set; }

    /// <summary>Every identifier written anywhere in the method, so fresh names never shadow one.</summary>
    public HashSet<string> AllIdentifiers { get; } = new();

    // The operand of an implicit conversion (double[] to ReadOnlySpan<double>, int to Index); any other operation as it is.
    private static IOperation StripImplicit(IOperation op) => op is IConversionOperation { IsImplicit: true } c ? c.Operand : op;

    private string NameOf(ISymbol symbol) => renamedParameters.TryGetValue(symbol, out string? renamed) ? renamed : Names.Escape(symbol.Name);

    // The parameters of callees read in place with their statements: locals of the caller, by name.
    private readonly Dictionary<ISymbol, string> renamedParameters = new(SymbolEqualityComparer.Default);

    public List<Stmt> ParseBody(IBlockOperation block)
    {
        var statements = new List<Stmt>();
        int reported = diagnostics.Count;
        root = block;
        ParseBlock(block.Operations, statements);
        statements.InsertRange(0, hoistedArrays);
        if (!method.ReturnsVoid && !EndsInJump(statements) && diagnostics.Count == reported)
        {
            Report(Descriptors.UnsupportedStatement, block.Syntax, "A body that can reach its end without a return", "end the method with 'return <value>;'");
        }

        if (returnStruct is not null && statements.LastOrDefault() is Return { Value: null })
        {
            // The last return of a struct result only ends the method, which its end does too.
            statements.RemoveAt(statements.Count - 1);
        }

        return statements;
    }

    private static bool EndsInJump(List<Stmt> statements) => statements.LastOrDefault() switch
    {
        Return => true,
        If i => EndsInJump(i.Then.ToList()) && EndsInJump(i.Else.ToList()),
        _ => false,
    };

    private void ParseBlock(IEnumerable<IOperation> operations, List<Stmt> output)
    {
        foreach (IOperation op in operations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ParseStatement(op, output);
        }
    }

    private List<Stmt> ParseNested(IOperation? op)
    {
        var list = new List<Stmt>();
        if (op is not null)
        {
            nesting++;
            ParseStatement(op, list);
            nesting--;
        }

        return list;
    }

    // How many branches and loops enclose the statement being parsed.
    private int nesting;

    // Integer side effects inside expressions (Data[i++], while (n-- != 0)) become statements of
    // their own, run just before the statement that contains them: pending holds them meanwhile.
    private List<Stmt> pending = new();

    // Where an increment's variable may not be read a second time (its statement, or a condition).
    private IOperation? effectScope;

    private void ParseStatement(IOperation op, List<Stmt> output)
    {
        (List<Stmt> savedPending, IOperation? savedScope) = (pending, effectScope);
        (pending, effectScope) = (new List<Stmt>(), op);
        var own = new List<Stmt>();
        ParseStatementCore(op, own);
        output.AddRange(pending);
        output.AddRange(own);
        (pending, effectScope) = (savedPending, savedScope);
    }

    // The effects again, after they ran once: their locals are assigned, not declared.
    private static IEnumerable<Stmt> Redo(IEnumerable<Stmt> effects) =>
        effects.Select(s => s is Decl { Init: { } init } d ? new Assign(d.Name, AssignOp.Set, init, d.Line, d.Source) : s);

    /// <summary>The side effects a condition left in <see cref="pending"/>, taken out of it.</summary>
    private List<Stmt> TakePending()
    {
        var taken = pending;
        pending = new List<Stmt>();
        return taken;
    }

    private void ParseStatementCore(IOperation op, List<Stmt> output)
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
            case IWhileLoopOperation loop:
                ParseWhile(loop, output);
                break;
            case IForEachLoopOperation loop:
                ParseForEach(loop, output);
                break;
            case IConditionalOperation conditional:
                ParseIf(conditional, output);
                break;
            case ISwitchOperation switchOperation:
                ParseSwitch(switchOperation, output);
                break;
            case ILocalFunctionOperation:
                // Read in place where it is called.
                break;
            case IBranchOperation { BranchKind: BranchKind.Break } when switchDepth > 0:
                Report(Descriptors.UnsupportedStatement, op.Syntax, "A 'break' inside a switch section other than its last statement", "end each switch section with its only 'break'");
                break;
            case IBranchOperation { BranchKind: BranchKind.Break } when loopDepth > 0:
                output.Add(new Break(LineOf(op), SourceOf(op)));
                break;
            case IBranchOperation { BranchKind: BranchKind.Continue } when loopDepth > 0:
                output.Add(new Continue(LineOf(op), SourceOf(op)));
                break;
            case IReturnOperation { ReturnedValue: { } value } when returnStruct is { } result:
                if (StructValue(value) is { } fields)
                {
                    // return new P(a, b): each floating field into its element of the output, then return.
                    int index = 0;
                    foreach ((string path, Expr field) in fields.Where(f => f.Value.Type == Ty.Double))
                    {
                        output.Add(new Store(result.Output, new Opaque((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), Ty.Int, true), AssignOp.Set, field, LineOf(op), SourceOf(op)));
                    }

                    output.Add(new Return(null, LineOf(op), SourceOf(op)));
                }

                break;
            case IReturnOperation { ReturnedValue: { } value }:
                if (Expression(value) is { } returned)
                {
                    string source = op.Syntax is ReturnStatementSyntax ? SourceOf(op) : $"=> {SourceOf(op)}";
                    output.Add(new Return(returned, LineOf(op), source));
                }

                break;
            case IReturnOperation { ReturnedValue: null } when method.ReturnsVoid:
                output.Add(new Return(null, LineOf(op), SourceOf(op)));
                break;
            case IBlockOperation { Syntax: UnsafeStatementSyntax }:
                Report(Descriptors.Unsafe, op.Syntax, "An unsafe block");
                break;
            case IBlockOperation nested:
                ParseBlock(nested.Operations, output);
                break;
            case ILabeledOperation { Operation: { } labeled }:
                ParseStatement(labeled, output);
                break;
            case IEmptyOperation:
                break;
            default:
                Refuse(op, statement: true);
                break;
        }
    }

    private void ParseDeclarator(IVariableDeclaratorOperation declarator, IVariableDeclarationOperation declaration, IOperation statement, List<Stmt> output)
    {
        ILocalSymbol local = declarator.Symbol;
        string name = DeclareLocal(local, counter: false);
        IOperation? initializer = declarator.Initializer?.Value ?? declaration.Initializer?.Value;
        if (local.RefKind != RefKind.None)
        {
            Report(Descriptors.UnsupportedStatement, declarator.Syntax, $"The ref local '{local.Name}'", "copy the value into an ordinary local");
            return;
        }

        if (local.Type.TypeKind == TypeKind.Dynamic)
        {
            Report(Descriptors.Dynamic, declarator.Syntax, local.Name);
            return;
        }

        if (Signature.FloatingElement(local.Type) is { } element && element != scalar)
        {
            Report(Descriptors.MixedPrecision, declarator.Syntax, $"The {element} local '{local.Name}'", scalar, method.Name);
            return;
        }

        if (local.Type.TypeKind == TypeKind.Delegate)
        {
            // Reported once, at the lambda; the calls through the local are not reported again.
            refusedDelegates.Add(local);
            if (initializer is not null)
            {
                Refuse(initializer is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } ? lambda : initializer, statement: false);
            }
            else
            {
                Report(Descriptors.FunctionValue, declarator.Syntax, $"The delegate local '{local.Name}'");
            }

            return;
        }

        if (initializer is not null && ParseRangeLocal(local, initializer, statement, declarator.Syntax))
        {
            return;
        }

        if (StructLayout.IsCandidate(local.Type))
        {
            ParseStructLocal(local, initializer, declarator.Syntax, statement, output);
            return;
        }

        if (Signature.Classify(local.Type) is ParamKind.DoubleArray or ParamKind.Span)
        {
            ParseLocalArray(local, initializer, declarator.Syntax, statement, output);
            return;
        }

        Ty? type = LocalType(local.Type);
        if (type is null)
        {
            Report(Descriptors.UnsupportedLocalType, declarator.Syntax, local.Name, local.Type.ToDisplayString());
            return;
        }

        Expr? init = initializer is null ? null : Typed(initializer, type.Value);
        if (initializer is not null && init is null)
        {
            return;
        }

        if (local.Type.SpecialType == SpecialType.System_String && (nesting > 0 || switchDepth > 0))
        {
            Report(Descriptors.UnsupportedLocalType, declarator.Syntax, local.Name, "string declared inside a branch or loop (declare string locals at the top of the method and do not assign them again)");
            return;
        }

        string? typeCode = type == Ty.Int && local.Type.SpecialType != SpecialType.System_Int32 ? local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
        output.Add(new Decl(name, type.Value, init, LineOf(statement), SourceOf(statement), typeCode));
    }

    private Expr? Typed(IOperation op, Ty type) => type switch
    {
        Ty.Double => Expression(op),
        Ty.Bool => Condition(op),
        _ => IntExpression(op),
    };

    // double[] a = new double[n];  or  Span<double> a = new double[n];  (zero-filled, any length)
    private void ParseLocalArray(ILocalSymbol local, IOperation? initializer, SyntaxNode at, IOperation statement, List<Stmt> output)
    {
        IOperation? init = initializer is IConversionOperation { IsImplicit: true } c ? c.Operand : initializer;
        string name = Local(local);
        localArrays.Add(name);
        bool nested = nesting > 0 || switchDepth > 0;
        IOperation? size = init is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } sized ? sized.DimensionSizes[0] : StackAllocLength(init);
        if (nested && size is not null && !Invariant(size))
        {
            Report(Descriptors.UnsupportedStatement, at, $"The local array '{local.Name}' declared inside a branch or loop with a length that can change ('{Collapse(size.Syntax.ToString())}')",
                "give it a length of constants and parameters the method never assigns, or declare it at the top level of the method and reuse it");
            writableArrays.Add(name);
            return;
        }

        if (size is not null)
        {
            // double[] a = new double[n], Span<double> a = stackalloc double[n]: a local array (from the tape's arena).
            if (IntExpression(size) is { } length)
            {
                writableArrays.Add(name);
                if (nested)
                {
                    // Inside a loop or branch: created once at the top, and zeroed here, as 'new' would.
                    hoistedArrays.Add(new NewArray(name, length, LineOf(statement), SourceOf(statement)));
                    output.Add(Zeroed(name, statement));
                }
                else
                {
                    output.Add(new NewArray(name, length, LineOf(statement), SourceOf(statement)));
                }
            }

            return;
        }

        if (ElementsOf(init) is { } elements)
        {
            // double[] a = [x, 2 * y];  or  new double[] { x, 2 * y }: a local array, then one store per element.
            writableArrays.Add(name);
            var created = new NewArray(name, new Opaque(elements.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Ty.Int, true), LineOf(statement), SourceOf(statement));
            var stores = new List<Stmt>();
            if (nested)
            {
                // Inside a loop or branch: created once at the top; every element is stored here.
                hoistedArrays.Add(created);
            }
            else
            {
                stores.Add(created);
            }

            for (int k = 0; k < elements.Count; k++)
            {
                if (Expression(elements[k]) is not { } value)
                {
                    return;
                }

                stores.Add(new Store(name, new Opaque(k.ToString(System.Globalization.CultureInfo.InvariantCulture), Ty.Int, true), AssignOp.Set, value, LineOf(statement), SourceOf(statement)));
            }

            output.AddRange(stores);
            return;
        }

        Report(Descriptors.UnsupportedStatement, at, $"The array local '{local.Name}' initialised with '{initializer?.Syntax}'", "create local arrays with 'new double[length]', 'stackalloc double[length]', '[a, b, c]' or 'new double[] { a, b, c }'");
    }

    // for (int k = 0; k < a.Length; k++) a[k] = 0; where a local array declared in a loop or branch is declared.
    private Stmt Zeroed(string array, IOperation statement)
    {
        string counter = FreshCounter("k");
        var store = new Store(array, new Opaque(counter, Ty.Int, true), AssignOp.Set, Num.Zero, LineOf(statement), SourceOf(statement));
        return new For(counter, $"int {counter} = 0", $"{counter} < {array}.Length", $"{counter}++", new Stmt[] { store }.ToEquatableArray(), LineOf(statement), SourceOf(statement));
    }

    // A length the same wherever it is computed: constants, and parameters (and their lengths) the method never assigns.
    private bool Invariant(IOperation op) => op.ConstantValue.HasValue || op switch
    {
        IParameterReferenceOperation p => root is null || !root.Descendants().Any(d => d switch
        {
            IAssignmentOperation { Target: IParameterReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Parameter, p.Parameter),
            IIncrementOrDecrementOperation { Target: IParameterReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Parameter, p.Parameter),
            _ => false,
        }),
        IPropertyReferenceOperation { Property.Name: "Length", Instance: IParameterReferenceOperation } => true,
        IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } } => true,
        IBinaryOperation b => Invariant(b.LeftOperand) && Invariant(b.RightOperand),
        IConversionOperation c => Invariant(c.Operand),
        IParenthesizedOperation parenthesized => Invariant(parenthesized.Operand),
        _ => false,
    };

    private void ParseExpressionStatement(IOperation expression, IOperation statement, List<Stmt> output)
    {
        switch (expression)
        {
            case ISimpleAssignmentOperation { Value: ISimpleAssignmentOperation inner } chained:
                ParseChainedAssignment(chained.Target, inner, statement, output);
                break;
            case ISimpleAssignmentOperation assignment:
                ParseAssignment(assignment.Target, AssignOp.Set, assignment.Value, statement, output);
                break;
            case ICompoundAssignmentOperation compound when ToAssignOp(compound.OperatorKind) is { } assignOp:
                ParseAssignment(compound.Target, assignOp, compound.Value, statement, output);
                break;
            case IIncrementOrDecrementOperation increment:
                ParseAssignment(increment.Target, increment.Kind == OperationKind.Increment ? AssignOp.Add : AssignOp.Sub, null, statement, output);
                break;
            case IDeconstructionAssignmentOperation deconstruction:
                ParseDeconstruction(deconstruction, statement, output);
                break;
            case IInvocationOperation invocation:
                Report(Descriptors.SideEffectCall, statement.Syntax, Collapse(invocation.Syntax.ToString()), "is used as a statement, so it can only matter through side effects");
                break;
            default:
                Refuse(expression, statement: true);
                break;
        }
    }

    private void ParseAssignment(IOperation target, AssignOp op, IOperation? valueOperation, IOperation statement, List<Stmt> output)
    {
        if (ParseStructElementAssignment(target, op, valueOperation, statement, output) || ParseStructAssignment(target, op, valueOperation, statement, output))
        {
            return;
        }

        switch (target)
        {
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                ParseStore(element.ArrayReference, element.Indices[0], op, valueOperation, statement, output, target);
                return;
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } instance } indexer:
                ParseStore(instance, indexer.Arguments[0].Value, op, valueOperation, statement, output, target);
                return;
            case IImplicitIndexerReferenceOperation { Argument.Type.Name: "Index" } fromEnd:
                ParseStore(fromEnd.Instance, fromEnd.Argument, op, valueOperation, statement, output, target);
                return;
            case IInlineArrayAccessOperation buffer:
                Report(Descriptors.UnsupportedWrite, target.Syntax, $"the buffer element '{Collapse(target.Syntax.ToString())}' at an index known only at run time (SymDiff writes a fixed-size buffer of a struct local at constant indices: 'b[0] = …')");
                return;
        }

        ISymbol? symbol = target switch
        {
            ILocalReferenceOperation reference => reference.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        };
        ITypeSymbol? type = symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        Ty? ty = type is null ? null : LocalType(type);
        if (symbol is null || ty is null)
        {
            Report(Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target));
            return;
        }

        string name = symbol is ILocalSymbol l ? Local(l) : NameOf(symbol);
        UsedNames.Add(name);
        Expr? value = valueOperation is null ? (ty == Ty.Int ? new Opaque("1", Ty.Int, true) : Num.One) : Typed(valueOperation, ty.Value);
        if (value is null)
        {
            return;
        }

        if (type?.SpecialType == SpecialType.System_String)
        {
            Report(Descriptors.UnsupportedStatement, statement.Syntax, $"Assigning the string '{symbol.Name}' after its declaration", "declare a second string local instead (the tape keeps numbers only)");
            return;
        }

        if (ty == Ty.Bool && op != AssignOp.Set)
        {
            Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The compound assignment to the bool '{symbol.Name}'", "write 'flag = flag && condition;'");
            return;
        }

        // x = x does nothing (a chained t = x = x leaves it too): no statement for it.
        if (op == AssignOp.Set && Unchanged(value, name))
        {
            return;
        }

        // x = x + e  →  x += e;   x = e + x  →  x += e;   x = x - e  →  x -= e
        var self = new Var(name, Ty.Double);
        if (ty == Ty.Double && op == AssignOp.Set && value is Binary { Op: BinOp.Add or BinOp.Sub } binary)
        {
            if (binary.Left == self && !Reads(binary.Right, name))
            {
                (op, value) = (binary.Op == BinOp.Add ? AssignOp.Add : AssignOp.Sub, binary.Right);
            }
            else if (binary.Op == BinOp.Add && binary.Right == self && !Reads(binary.Left, name))
            {
                (op, value) = (AssignOp.Add, binary.Left);
            }
        }

        if (ty == Ty.Int && (op is AssignOp.Mul or AssignOp.Div || value is not Opaque))
        {
            value = op switch
            {
                AssignOp.Mul => new Opaque($"{name} * {Wrap(((Opaque)value).Code, ((Opaque)value).Atomic)}", Ty.Int, false),
                AssignOp.Div => new Opaque($"{name} / {Wrap(((Opaque)value).Code, ((Opaque)value).Atomic)}", Ty.Int, false),
                _ => value,
            };
            op = op is AssignOp.Mul or AssignOp.Div ? AssignOp.Set : op;
        }

        output.Add(new Assign(name, op, value, LineOf(statement), SourceOf(statement)));
    }

    private void ParseStore(IOperation array, IOperation indexOperation, AssignOp op, IOperation? valueOperation, IOperation statement, List<Stmt> output, IOperation target)
    {
        string? name = array switch
        {
            ILocalReferenceOperation l => Local(l.Local),
            IParameterReferenceOperation p => NameOf(p.Parameter),
            _ => null,
        };
        if (name is null || !writableArrays.Contains(name))
        {
            Report(Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target) + (array is IParameterReferenceOperation ? " (an input; mark the parameter [Output] to make it a result)" : string.Empty));
            return;
        }

        Expr? index = IndexInto(name, indexOperation);
        Expr? value = valueOperation is null ? Num.One : Expression(valueOperation);
        if (index is null || value is null)
        {
            return;
        }

        output.Add(new Store(name, index, op, value, LineOf(statement), SourceOf(statement)));
    }

    private void ParseIf(IConditionalOperation conditional, List<Stmt> output)
    {
        effectScope = conditional.Condition;
        Expr? test = Condition(conditional.Condition);
        output.AddRange(TakePending());
        List<Stmt> then = ParseNested(conditional.WhenTrue);
        List<Stmt> otherwise = ParseNested(conditional.WhenFalse);
        if (test is not null)
        {
            var syntax = (IfStatementSyntax)conditional.Syntax;
            output.Add(new If(test, then.ToEquatableArray(), otherwise.ToEquatableArray(), LineOf(conditional), $"if ({Collapse(syntax.Condition.ToString())})"));
        }
    }

    private void ParseWhile(IWhileLoopOperation loop, List<Stmt> output)
    {
        if (loop.Condition is null)
        {
            Report(Descriptors.UnsupportedStatement, loop.Syntax, "A loop without a condition", "give the loop a condition");
            return;
        }

        effectScope = loop.Condition;
        Expr? test = Condition(loop.Condition);
        if (test is not null && loop.ConditionIsUntil)
        {
            test = new Not(test);
        }

        // The condition's side effects run before each test: before the loop, and after each
        // iteration as a step (which 'continue' runs too and 'break' skips, as in C#).
        List<Stmt> effects = TakePending();
        List<Stmt> body = LoopBody(loop.Body);
        if (test is not null)
        {
            string source = loop.Syntax is WhileStatementSyntax w ? $"while ({Collapse(w.Condition.ToString())})" : $"do ... while ({Collapse(((DoStatementSyntax)loop.Syntax).Condition.ToString())})";
            if (loop.ConditionIsTop)
            {
                output.AddRange(effects);
            }

            // Before a while loop the effects declare their locals; as its step they assign them again.
            output.Add(new While(test, body.ToEquatableArray(), (loop.ConditionIsTop ? Redo(effects) : effects).ToEquatableArray(), !loop.ConditionIsTop, LineOf(loop), source));
        }
    }

    private void ParseFor(IForLoopOperation loop, List<Stmt> output)
    {
        var syntax = (ForStatementSyntax)loop.Syntax;
        ILocalSymbol? counter = loop.Locals.Length == 1 ? loop.Locals[0] : null;
        bool counted = counter is not null && Signature.IsInteger(counter.Type)
            && loop.Before.Length == 1 && loop.Condition is not null && loop.AtLoopBottom.Length == 1
            && !WritesTo(loop.Body, counter) && !loop.Condition.DescendantsAndSelf().Any(d => d is IIncrementOrDecrementOperation);
        if (counted)
        {
            string counterName = DeclareLocal(counter!, counter: true);
            var declarator = loop.Before[0] is IVariableDeclarationGroupOperation g ? g.Declarations.SelectMany(d => d.Declarators).FirstOrDefault() : null;
            Expr? start = declarator?.Initializer?.Value is { } init ? IntExpression(init) : null;
            Expr? condition = IntExpression(loop.Condition!);
            string? step = Step(loop.AtLoopBottom[0], counter!);
            if (start is Opaque s && condition is Opaque c && step is not null)
            {
                List<Stmt> body = LoopBody(loop.Body);
                string initCode = $"{counter!.Type.ToDisplayString()} {counterName} = {s.Code}";
                output.Add(new For(counterName, initCode, c.Code, step, body.ToEquatableArray(), LineOf(loop), $"for ({initCode}; {c.Code}; {step})"));
                return;
            }
        }

        // Any other for loop runs as its initialisers, then while (condition) { body; increments }.
        foreach (IOperation before in loop.Before)
        {
            ParseStatement(before, output);
        }

        effectScope = loop.Condition;
        Expr? test = loop.Condition is null ? null : Condition(loop.Condition);
        List<Stmt> conditionEffects = TakePending();
        output.AddRange(conditionEffects);
        if (loop.Condition is null)
        {
            Report(Descriptors.UnsupportedStatement, syntax, "A for loop without a condition", "give the loop a condition");
        }

        List<Stmt> loopBody = LoopBody(loop.Body);
        var stepStatements = new List<Stmt>();
        foreach (IOperation bottom in loop.AtLoopBottom)
        {
            ParseStatement(bottom, stepStatements);
        }

        stepStatements.AddRange(Redo(conditionEffects));

        if (test is not null)
        {
            string header = Collapse($"for ({syntax.Declaration}; {syntax.Condition}; {string.Join(", ", syntax.Incrementors)})");
            output.Add(new While(test, loopBody.ToEquatableArray(), stepStatements.ToEquatableArray(), false, LineOf(loop), header));
        }
    }

    private List<Stmt> LoopBody(IOperation body)
    {
        int savedSwitch = switchDepth;
        (switchDepth, loopDepth) = (0, loopDepth + 1);
        List<Stmt> statements = ParseNested(body);
        (switchDepth, loopDepth) = (savedSwitch, loopDepth - 1);
        return statements;
    }

    private static bool WritesTo(IOperation body, ILocalSymbol local) => body.Descendants().Any(d =>
        d switch
        {
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Local, local),
            ICompoundAssignmentOperation { Target: ILocalReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Local, local),
            IIncrementOrDecrementOperation { Target: ILocalReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Local, local),
            _ => false,
        });

    // switch on an integer or enum: each section becomes a branch of an if/else chain. A section
    // ends with its one 'break' (or a return/continue); case labels are constants.
    private void ParseSwitch(ISwitchOperation switchOperation, List<Stmt> output)
    {
        Expr? value = IntExpression(switchOperation.Value);
        var branches = new List<(Expr? Test, List<Stmt> Body, int Line, string Source)>();
        foreach (ISwitchCaseOperation section in switchOperation.Cases)
        {
            var tests = new List<string>();
            bool isDefault = false;
            foreach (ICaseClauseOperation clause in section.Clauses)
            {
                switch (clause)
                {
                    case IDefaultCaseClauseOperation:
                        isDefault = true;
                        break;
                    case ISingleValueCaseClauseOperation single when IntCode(single.Value, out bool atomic) is { } code && value is Opaque v:
                        tests.Add($"{Wrap(v.Code, v.Atomic)} == {Wrap(code, atomic)}");
                        break;
                    default:
                        Report(Descriptors.UnsupportedStatement, clause.Syntax, $"The case label '{Collapse(clause.Syntax.ToString())}'", "use constant case labels ('case 1:', 'case Kind.A:') or default");
                        return;
                }
            }

            var operations = section.Body.ToList();
            if (operations.LastOrDefault() is IBranchOperation { BranchKind: BranchKind.Break })
            {
                operations.RemoveAt(operations.Count - 1);
            }

            var body = new List<Stmt>();
            switchDepth++;
            int savedLoops = loopDepth;
            foreach (IOperation op in operations)
            {
                ParseStatement(op, body);
            }

            switchDepth--;
            loopDepth = savedLoops;
            Expr? test = isDefault ? null : new Opaque(string.Join(" || ", tests), Ty.Bool, Atomic: false);
            branches.Add((test, body, LineOf(section), Collapse(section.Clauses.First().Syntax.ToString())));
        }

        if (value is null)
        {
            return;
        }

        // Build the chain from the last branch back; default (wherever it is written) goes last.
        List<Stmt> chain = branches.Where(b => b.Test is null).Select(b => b.Body).FirstOrDefault() ?? new List<Stmt>();
        foreach (var branch in branches.Where(b => b.Test is not null).Reverse())
        {
            chain = [new If(branch.Test!, branch.Body.ToEquatableArray(), chain.ToEquatableArray(), branch.Line, $"switch ({Collapse(switchOperation.Value.Syntax.ToString())}) {branch.Source}")];
        }

        output.AddRange(chain);
    }

    private string? Step(IOperation bottom, ILocalSymbol counter)
    {
        IOperation op = bottom is IExpressionStatementOperation es ? es.Operation : bottom;
        switch (op)
        {
            case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation t } inc when SymbolEqualityComparer.Default.Equals(t.Local, counter):
                return Local(counter) + (inc.Kind == OperationKind.Increment ? "++" : "--");
            case ICompoundAssignmentOperation { Target: ILocalReferenceOperation t, OperatorKind: BinaryOperatorKind.Add or BinaryOperatorKind.Subtract } ca
                when SymbolEqualityComparer.Default.Equals(t.Local, counter) && IntExpression(ca.Value) is Opaque k:
                return $"{Local(counter)} {(ca.OperatorKind == BinaryOperatorKind.Add ? "+=" : "-=")} {k.Code}";
            default:
                return null;
        }
    }

    internal static IEnumerable<Stmt> AllStatements(IEnumerable<Stmt> statements)
    {
        foreach (Stmt s in statements)
        {
            yield return s;
            IEnumerable<Stmt> inner = s switch
            {
                For f => f.Body,
                While w => w.Body.Concat(w.Step),
                If i => i.Then.Concat(i.Else),
                _ => [],
            };
            foreach (Stmt nested in AllStatements(inner))
            {
                yield return nested;
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

    // char, string and enum values are constants, as integers are (Ty.Int with their own type code).
    /// <summary>True when assigning <paramref name="value"/> to <paramref name="name"/> leaves it as it is (<c>x = x</c>).</summary>
    private static bool Unchanged(Expr value, string name) =>
        value is Var same && same.Name == name || value is Opaque { Code: var code } && code == name;

    /// <summary>A generated local's name from <paramref name="candidate"/>, fresh in the method (<c>aNew</c>, <c>qW2</c>), and taken.</summary>
    private string FreshLocal(string candidate)
    {
        var taken = new HashSet<string>(UsedNames);
        taken.UnionWith(AllIdentifiers);
        string name = Names.Fresh(candidate, taken);
        UsedNames.Add(name);
        flatNames.Add(name);
        return name;
    }

    private static Ty? LocalType(ITypeSymbol type) =>
        Signature.IsFloating(type) ? Ty.Double
        : type.SpecialType == SpecialType.System_Boolean ? Ty.Bool
        : Signature.IsConstantType(type) ? Ty.Int
        : null;

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode? at, params string[] args) =>
        diagnostics.Add(new DiagnosticInfo(descriptor.Id, LocationInfo.From(at), args.ToEquatableArray()));

    private static int LineOf(IOperation op) => op.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>The statement's source on one line, for the comments of the generated code.</summary>
    private static string SourceOf(IOperation op) => Collapse(op.Syntax.ToString());

    private static string Collapse(string text) => Regex.Replace(text.Trim(), @"\s+", " ");
}
