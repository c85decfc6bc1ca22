using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Calls read in place: struct methods, computed properties and operators (p.DistanceTo(q),
// p.Length, a + b), methods that take or return structs, local functions, and helpers of a type
// that is not partial. Their generated methods could not be called (a struct adjoint does not fit
// a caller's scalars, a local function has no place beside it), so SymDiff reads the callee's
// body where it is called: its parameters stand for the argument values, each local for the
// value it was declared with, and its return expression becomes an expression of the caller's
// values, differentiated with them. Such a body is local declarations and one return; anything
// else is reported at the call (SD0029) with the reason.
internal sealed partial class BodyParser
{
    // The values a callee's parameters, locals and 'this' stand for, innermost callee last.
    private sealed class Frame(ISymbol callee, List<(string Path, Expr Value)>? self)
    {
        public ISymbol Callee { get; } = callee;

        public List<(string Path, Expr Value)>? This { get; } = self;

        public Dictionary<ISymbol, Expr> Scalars { get; } = new(SymbolEqualityComparer.Default);

        public Dictionary<ISymbol, ConstantCode> Constants { get; } = new(SymbolEqualityComparer.Default);

        public Dictionary<ISymbol, List<(string Path, Expr Value)>> Structs { get; } = new(SymbolEqualityComparer.Default);

        public Dictionary<ISymbol, View> Arrays { get; } = new(SymbolEqualityComparer.Default);
    }

    // What a callee's integer or bool parameter or local stands for: the caller's code.
    private sealed record ConstantCode(string Code, bool Atomic);

    private readonly List<Frame> frames = new();

    // The struct 'this' stands for in the callee being read (a struct method's receiver).
    private List<(string Path, Expr Value)>? InlinedThis => frames.Count == 0 ? null : frames[frames.Count - 1].This;

    private static ISymbol? Referenced(IOperation op) => op switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        _ => null,
    };

    private T? Bound<T>(IOperation op, System.Func<Frame, Dictionary<ISymbol, T>> table)
        where T : class
    {
        if (frames.Count == 0 || Referenced(op) is not { } symbol)
        {
            return null;
        }

        for (int k = frames.Count - 1; k >= 0; k--)
        {
            if (table(frames[k]).TryGetValue(symbol, out T? value))
            {
                return value;
            }
        }

        return null;
    }

    private Expr? BoundScalar(IOperation op) => Bound(op, f => f.Scalars);

    private List<(string Path, Expr Value)>? BoundStruct(IOperation op) => Bound(op, f => f.Structs);

    private ConstantCode? BoundConstant(IOperation op) => Bound(op, f => f.Constants);

    // An operator a user struct declares (a + b on points): read in place like a method.
    private static bool IsStructOperator(IMethodSymbol op) => op.ContainingType is { TypeKind: TypeKind.Struct } owner && !IsNumerics(owner);

    // A call SymDiff reads in place rather than calling its generated methods.
    private bool ReadsInPlace(IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        return target.MethodKind == MethodKind.LocalFunction
            || IsStructValue(invocation.Instance)
            || invocation.Arguments.Any(a => IsStructValue(a.Value) || StructArrayRoot(a.Value) is not null)
            || (StructLayout.IsCandidate(target.ReturnType) && !IsNumerics(target.ContainingType))
            || (frames.Count > 0 && !Accessible(target) && CoveredByKey(target))
            || (Signature.IsImplicitCandidate(target) && Signature.NotPartial(target) is not null && (InPlaceBody(target, out _) is not null || StatementBody(target, out _) is not null));
    }

    // An integer or bool call generated code cannot make as written: a local function, a method
    // of the struct whose method is being read in place, or a member the caller cannot see.
    private bool ReadsConstantInPlace(IInvocationOperation call) =>
        call.TargetMethod.MethodKind == MethodKind.LocalFunction
        || (InlinedThis is not null && call.Instance is IInstanceReferenceOperation)
        || IsStructValue(call.Instance)
        || (!Accessible(call.TargetMethod) && CoveredByKey(call.TargetMethod));

    /// <summary>The code of an integer or bool call read in place, or null (reported).</summary>
    private string? InlineConstant(IInvocationOperation call) =>
        ReadInPlace(call, call.TargetMethod, call.TargetMethod, call.Instance, ArgumentsOf(call), r => IntCode(r, out bool atomic) is { } code ? Wrap(code, atomic) : null) as string;

    private bool Accessible(ISymbol target) => Compilation?.IsSymbolAccessibleWithin(target, method.ContainingType) != false;

    // True when an edit of the method's body changes the key of every [Differentiable] method
    // (MethodKey's MayBeReadInPlace, the same rule on syntax), so a method that read it in place
    // is bound again: a local function (inside its caller), a struct's member, a member whose
    // signature names a non-predefined type, and a member of a type that is not partial.
    private static bool CoveredByKey(IMethodSymbol target)
    {
        static bool Named(ITypeSymbol t) => t is IArrayTypeSymbol a ? Named(a.ElementType) : t.SpecialType == SpecialType.None;
        return target.MethodKind == MethodKind.LocalFunction
            || target.ContainingType?.TypeKind == TypeKind.Struct
            || Named(target.ReturnType) || target.Parameters.Any(p => Named(p.Type))
            || Signature.NotPartial(target) is not null;
    }

    /// <summary>The scalar a call read in place returns, or null (reported).</summary>
    private Expr? InlineScalar(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance, IReadOnlyList<IOperation?> arguments) =>
        ReadInPlace(call, callee, body, instance, arguments, r => Expression(r)) as Expr;

    // A call read in place: as an expression when its body is declarations and a return, with its statements otherwise.
    private object? ReadInPlace(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance, IReadOnlyList<IOperation?> arguments, System.Func<IOperation, object?> result) =>
        InPlaceBody(body, out _) is null && StatementBody(body, out _) is { } statements
            ? InlineStatements(call, callee, body, instance, arguments, statements, result)
            : Inline(call, callee, body, instance, arguments, result);

    /// <summary>The struct a call read in place returns, field by field, or null (reported).</summary>
    private List<(string Path, Expr Value)>? InlineStruct(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance, IReadOnlyList<IOperation?> arguments) =>
        ReadInPlace(call, callee, body, instance, arguments, r => StructValue(r)) as List<(string Path, Expr Value)>;

    private static IReadOnlyList<IOperation?> ArgumentsOf(IInvocationOperation invocation) =>
        invocation.TargetMethod.Parameters.Select(p => (IOperation?)invocation.Arguments.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Parameter, p))?.Value).ToList();

    private object? Inline(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance, IReadOnlyList<IOperation?> arguments, System.Func<IOperation, object?> result)
    {
        if (CalleeName(call, callee, body, instance) is not { } name)
        {
            return null;
        }

        if (InPlaceBody(body, out string why) is not { } block)
        {
            // A body with statements that could not be read either: its own reason when it has one.
            Report(Descriptors.ImplicitCallee, call.Syntax, name, StatementBody(body, out string statementsWhy) is null && statementsWhy.Length > 0 ? statementsWhy : why);
            return null;
        }

        int before = diagnostics.Count;

        // The receiver and the arguments, read where the call is.
        List<(string Path, Expr Value)>? self = body.MethodKind == MethodKind.LocalFunction ? InlinedThis : null;
        if (!body.IsStatic && instance is not null && IsStructValue(instance) && (self = StructValue(instance)) is null)
        {
            return Inlined(call, name, before, null);
        }

        var frame = new Frame(callee, self);
        for (int k = 0; k < body.Parameters.Length; k++)
        {
            IParameterSymbol parameter = body.Parameters[k];
            if (RefusedByReference(call, name, parameter))
            {
                return Inlined(call, name, before, null);
            }

            if (k >= arguments.Count || arguments[k] is not { } argument || !Bind(frame, parameter, parameter.Type, argument))
            {
                return Inlined(call, name, before, null);
            }
        }

        frames.Add(frame);
        try
        {
            for (int k = 0; k < block.Operations.Length - 1; k++)
            {
                if (block.Operations[k] is IVariableDeclarationGroupOperation group)
                {
                    foreach (IVariableDeclaratorOperation declarator in group.Declarations.SelectMany(d => d.Declarators))
                    {
                        if (declarator.GetVariableInitializer()?.Value is not { } value || !Bind(frame, declarator.Symbol, declarator.Symbol.Type, value))
                        {
                            return Inlined(call, name, before, null);
                        }
                    }
                }
            }

            return Inlined(call, name, before, result(((IReturnOperation)block.Operations[block.Operations.Length - 1]).ReturnedValue!));
        }
        finally
        {
            frames.RemoveAt(frames.Count - 1);
        }
    }

    /// <summary>
    /// How diagnostics name a callee read in place (<c>Geometry.Mid</c>, or a local function's
    /// name); null, reported at the call, when it can't be read wherever its body is: it calls
    /// itself (or a caller being read), or it is an instance method of another class object.
    /// </summary>
    private string? CalleeName(IOperation call, ISymbol callee, IMethodSymbol body, IOperation? instance)
    {
        string name = callee.ContainingType is { } owner && callee is not IMethodSymbol { MethodKind: MethodKind.LocalFunction } ? $"{owner.Name}.{callee.Name}" : callee.Name;
        if (SymbolEqualityComparer.Default.Equals(body.OriginalDefinition, method.OriginalDefinition)
            || frames.Any(f => SymbolEqualityComparer.Default.Equals(f.Callee.OriginalDefinition, callee.OriginalDefinition)))
        {
            Report(Descriptors.Recursion, call.Syntax, name);
            return null;
        }

        if (!body.IsStatic && instance is not null and not IInstanceReferenceOperation && !IsStructValue(instance))
        {
            // A class instance's fields belong to that object, which generated code cannot see.
            Report(Descriptors.ImplicitCallee, call.Syntax, name, $"it is an instance method of another object ('{Collapse(instance.Syntax.ToString())}'), whose fields the generated code cannot follow; make it static and pass what it reads as arguments");
            return null;
        }

        return name;
    }

    // A ref or out parameter of a callee read in place: reported at the call; true when there is one.
    private bool RefusedByReference(IOperation call, string name, IParameterSymbol parameter)
    {
        if (parameter.RefKind is RefKind.Ref or RefKind.Out)
        {
            Report(Descriptors.ImplicitCallee, call.Syntax, name, $"its parameter '{parameter.Name}' is passed by reference, so the call may change a differentiated value; take it by value and return the result");
            return true;
        }

        return false;
    }

    // What a parameter or local of the callee stands for: a scalar, a constant's code, or a struct's fields.
    private bool Bind(Frame frame, ISymbol symbol, ITypeSymbol type, IOperation value)
    {
        if (Signature.IsFloating(type))
        {
            Expr? e = Expression(value);
            if (e is not null)
            {
                frame.Scalars[symbol] = e;
            }

            return e is not null;
        }

        if (Signature.IsConstantType(type))
        {
            string? code = IntCode(value, out bool atomic);
            if (code is not null)
            {
                frame.Constants[symbol] = new ConstantCode(code, atomic);
            }

            return code is not null;
        }

        if (Signature.Classify(type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span)
        {
            // The caller's array or span, or a range of one, by its code.
            if (IsRange(value))
            {
                View? range = RangeOf(value);
                if (range is not null)
                {
                    frame.Arrays[symbol] = range;
                }

                return range is not null;
            }

            (string? code, bool isParameter) = ArrayOf(value);
            if (code is not null)
            {
                frame.Arrays[symbol] = View.Whole(code, isParameter);
                return true;
            }

            Report(Descriptors.UnsupportedExpression, value.Syntax, $"The array argument '{Collapse(value.Syntax.ToString())}'", "pass an array or span parameter, a local array or a field as it is");
            return false;
        }

        if (MethodParser.StructArrayElement(type) is not null)
        {
            // The caller's array of structs as it is: the callee's elements are the same span of fields.
            // Not an [Output]: what a callee would write there is the caller's result, which it writes itself.
            if (WholeStructArray(value) is { } array && !writableArrays.Contains(structArrays[array].Fields))
            {
                structArrays[symbol] = structArrays[array];
                renamedParameters[symbol] = NameOf(array);
                return true;
            }

            // A range of it: the callee's elements are those of the range (pts[i] is pts[start + i]).
            if (IsStructArrayRange(value) && StructArrayRoot(value) is { } root && !writableArrays.Contains(structArrays[root].Fields))
            {
                if (RangeOf(value) is not { } range)
                {
                    return false;
                }

                structArrays[symbol] = (structArrays[root].Layout, structArrays[root].Fields, range);
                return true;
            }

            Report(Descriptors.UnsupportedExpression, value.Syntax, $"The array of structs '{Collapse(value.Syntax.ToString())}'",
                StructArrayRoot(value) is not null ? "an [Output] is written by the method that declares it; write it there" : "pass an array or span of structs that is a parameter, whole or as a range ('pts[1..]', 'pts.AsSpan(i, n)')");
            return false;
        }

        if (StructLayout.IsCandidate(type) && StructValue(value) is { } fields)
        {
            frame.Structs[symbol] = fields;
            return true;
        }

        if (!StructLayout.IsCandidate(type))
        {
            Report(Descriptors.UnsupportedExpression, value.Syntax, $"The value '{Collapse(value.Syntax.ToString())}' of type '{type.ToDisplayString()}'",
                "a method read in place takes floating-point, integer, bool and struct values, and arrays and spans");
        }

        return false;
    }

    // What reading the callee in place produced: the value, or null with one SD0029 at the call
    // for the first problem its body had (reported where the body is, then moved to the call).
    private object? Inlined(IOperation call, string name, int before, object? value)
    {
        if (diagnostics.Count == before)
        {
            return value;
        }

        DiagnosticInfo first = diagnostics[before];
        diagnostics.RemoveRange(before, diagnostics.Count - before);
        bool atCall = first.Location is { } at && call.Syntax.SyntaxTree.FilePath == at.FilePath && call.Syntax.Span.Contains(at.Span.Start);
        if (first.Id == Descriptors.Recursion.Id)
        {
            // The callee calls itself (or a caller): that is what to say, at the call the user wrote.
            Report(Descriptors.Recursion, call.Syntax, name);
        }
        else if (atCall)
        {
            // The problem is in an argument, where the user wrote it: report it there as it is.
            diagnostics.Add(first);
        }
        else
        {
            Report(Descriptors.ImplicitCallee, call.Syntax, name, ImplicitCallees.Reason(first));
        }

        return null;
    }

    // The body of a method SymDiff can read in place: local declarations with initializers (which
    // it never assigns again) and one return at the end; null with the reason otherwise.
    private IBlockOperation? InPlaceBody(IMethodSymbol target, out string why)
    {
        // Asked when deciding to read a call in place and again when reading it: bound once per callee.
        if (!inPlaceBodies.TryGetValue(target.OriginalDefinition, out var known))
        {
            known = (ReadInPlaceBody(target, out string reason), reason);
            inPlaceBodies[target.OriginalDefinition] = known;
        }

        why = known.Why;
        return known.Body;
    }

    private readonly Dictionary<IMethodSymbol, (IBlockOperation? Body, string Why)> inPlaceBodies = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// The body of a method declared in this compilation, bound once per method, with where it is
    /// for messages (<c>its body (File.cs, line 12)</c>); null when SymDiff cannot see one (generic,
    /// abstract, extern, or compiled elsewhere). The block is null for a declaration without one.
    /// </summary>
    private (IBlockOperation? Block, string Where)? DeclaredBody(IMethodSymbol target)
    {
        if (declaredBodies.TryGetValue(target.OriginalDefinition, out var known))
        {
            return known;
        }

        (IBlockOperation?, string)? body = null;
        if (Compilation is not null && !target.IsAbstract && !target.IsExtern && !target.IsGenericMethod && target.ContainingType is not { IsGenericType: true }
            && target.OriginalDefinition.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is { } syntax
            && Compilation.ContainsSyntaxTree(syntax.SyntaxTree))
        {
            IBlockOperation? block = Semantics.ModelOf(Compilation, syntax.SyntaxTree).GetOperation(syntax, cancellationToken) switch
            {
                IMethodBodyOperation m => m.BlockBody ?? m.ExpressionBody,
                ILocalFunctionOperation f => f.Body ?? f.IgnoredBody,
                IBlockOperation b => b,
                _ => null,
            };
            int line = syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            body = (block, $"its body ({System.IO.Path.GetFileName(syntax.SyntaxTree.FilePath)}, line {line})");
        }

        declaredBodies[target.OriginalDefinition] = body;
        return body;
    }

    private readonly Dictionary<IMethodSymbol, (IBlockOperation? Block, string Where)?> declaredBodies = new(SymbolEqualityComparer.Default);

    private IBlockOperation? ReadInPlaceBody(IMethodSymbol target, out string why)
    {
        why = "SymDiff cannot see its body (it is compiled in another assembly, abstract or extern); mark it [Differentiable] where it is declared";
        if (DeclaredBody(target) is not (var block, string where))
        {
            if (target.IsGenericMethod || target.ContainingType is { IsGenericType: true })
            {
                why = "it is generic; SymDiff reads generic methods in place only through [Differentiable]";
            }

            return null;
        }

        if (block is null || block.Operations.LastOrDefault() is not IReturnOperation { ReturnedValue: not null })
        {
            why = $"{where} does not end in 'return <value>;', and SymDiff reads a method in place only when its body is local declarations and one return";
            return null;
        }

        // What the user can do instead: a static helper over scalars and arrays can have generated methods of its own.
        string instead = target.IsStatic && target.MethodKind == MethodKind.Ordinary && Signature.IsFloating(target.ReturnType) && target.Parameters.All(p => Signature.Classify(p.Type) is not null)
            ? $"make '{target.ContainingType?.Name}' partial so SymDiff can generate its derivative beside it"
            : "write it as local declarations and one return, or compute the value in the calling method";
        IOperation? other = block.Operations.Take(block.Operations.Length - 1).FirstOrDefault(o => o is not (IVariableDeclarationGroupOperation or ILocalFunctionOperation));
        if (other is not null)
        {
            why = $"{where} has '{Short(other)}', and SymDiff reads a method in place only when its body is local declarations and one return; {instead}";
            return null;
        }

        IOperation? write = block.Descendants().FirstOrDefault(d => d is IAssignmentOperation or IIncrementOrDecrementOperation or IDeconstructionAssignmentOperation
            && !(d is ISimpleAssignmentOperation { Parent: IObjectOrCollectionInitializerOperation or IWithOperation }));
        if (write is not null && !IsInitializerMember(write))
        {
            why = $"{where} assigns '{Short(write)}', and SymDiff reads a method in place only when each local keeps the value it was declared with; {instead}";
            return null;
        }

        return block;
    }

    private static bool IsInitializerMember(IOperation write) =>
        write is ISimpleAssignmentOperation { Target: IMemberReferenceOperation { Instance: IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } } };
}
