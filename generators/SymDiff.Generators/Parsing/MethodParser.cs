using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// The parse stage: a <c>[Differentiable]</c> method's symbol and operations become a
/// <see cref="MethodModel"/>, or diagnostics. Nothing after this stage touches Roslyn.
/// </summary>
internal static class MethodParser
{
    /// <summary>Tests set this to make parsing fail, to check that failures become SD0099.</summary>
    internal static Action<string>? FaultInjection { get; set; }

    /// <summary>The method a <see cref="MethodKey"/> names, parsed in <paramref name="compilation"/>.</summary>
    public static ParseResult Parse(Compilation compilation, MethodKey key, CancellationToken cancellationToken)
    {
        SyntaxTree tree = MethodKey.Tree(compilation, key.Path);
        MethodDeclarationSyntax syntax = tree.GetRoot(cancellationToken).FindNode(new Microsoft.CodeAnalysis.Text.TextSpan(key.Start, key.Length))
            .AncestorsAndSelf().OfType<MethodDeclarationSyntax>().First(m => m.Span.Start == key.Start && m.Span.Length == key.Length);
        SemanticModel model = Semantics.ModelOf(compilation, tree);
        var method = (IMethodSymbol)model.GetDeclaredSymbol(syntax, cancellationToken)!;
        // A method differentiated because differentiated code calls it has no attribute: it is
        // differentiated with respect to every floating-point parameter, to first order.
        AttributeData? attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == Signature.DifferentiableAttribute);
        return Parse(new Target(syntax, model, method, attribute), cancellationToken);
    }

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        Parse(new Target((MethodDeclarationSyntax)context.TargetNode, context.SemanticModel, (IMethodSymbol)context.TargetSymbol, context.Attributes[0]), cancellationToken);

    private static ParseResult Parse(Target target, CancellationToken cancellationToken)
    {
        MethodDeclarationSyntax syntax = target.Syntax;
        try
        {
            FaultInjection?.Invoke(syntax.Identifier.ValueText);
            return ParseCore(target, syntax, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = new DiagnosticInfo(
                Descriptors.InternalError.Id,
                LocationInfo.From(syntax.Identifier.GetLocation()),
                new[] { syntax.Identifier.ValueText, ex.GetType().Name, ex.Message }.ToEquatableArray());
            return new ParseResult(null, new[] { info }.ToEquatableArray());
        }
    }

    // While the user is typing, the compiler's own errors are enough: no diagnostic and no code of
    // ours. Asking the compiler for the method's diagnostics compiles the method body a second
    // time (it was 70 % of the generator's time), so it is asked only when something looks wrong:
    // a syntax error, a part the binder could not make sense of, or a diagnostic of ours. A
    // method whose only error is found by flow analysis (a local read before it is assigned)
    // still gets its code; the compiler reports that error on the method itself.
    private static ParseResult ParseCore(Target context, MethodDeclarationSyntax syntax, CancellationToken ct)
    {
        var nothing = new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        if (syntax.ContainsDiagnostics && syntax.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            return nothing;
        }

        ParseResult result = ParseChecked(context, syntax, ct);
        bool suspect = result.Diagnostics.Count > 0
            || context.Model.GetOperation(syntax, ct) is not { } body
            || body.Descendants().Any(o => o is IInvalidOperation || o.Type is { TypeKind: TypeKind.Error } || o is IConversionOperation { Conversion.Exists: false });
        return suspect && context.Model.GetDiagnostics(syntax.Span, ct).Any(d => d.Severity == DiagnosticSeverity.Error)
            ? nothing
            : result;
    }

    private static ParseResult ParseChecked(Target context, MethodDeclarationSyntax syntax, CancellationToken ct)
    {
        IMethodSymbol method = context.Symbol;
        var diagnostics = new List<DiagnosticInfo>();
        void Report(DiagnosticDescriptor d, Location? at, params string[] args) =>
            diagnostics.Add(new DiagnosticInfo(d.Id, LocationInfo.From(at), args.ToEquatableArray()));

        Location nameLocation = syntax.Identifier.GetLocation();
        List<ContainingTypeInfo> types = ContainingTypes(method, syntax, Report);
        // A generic method is differentiated over one type parameter, its floating-point type:
        // T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>. Anything else is one cause, one
        // diagnostic: its type parameters would make every T look unsupported.
        if (method.IsGenericMethod
            && (method.TypeParameters.Length != 1 || !Signature.IsGenericFloating(method.TypeParameters[0])
                || Signature.FloatingElement(method.ReturnType) is { } r && r != method.TypeParameters[0].Name
                || method.Parameters.Any(p => Signature.FloatingElement(p.Type) is { } e && e != method.TypeParameters[0].Name)))
        {
            Report(Descriptors.Generic, nameLocation, method.Name);
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        if (!method.IsStatic && method.ContainingType.IsValueType && !method.ContainingType.IsReadOnly && !method.IsReadOnly)
        {
            Report(Descriptors.MutableReceiver, nameLocation, method.Name, method.ContainingType.Name);
        }

        bool hasOutputs = method.Parameters.Any(p => Signature.HasAttribute(p, Signature.OutputAttribute));
        bool returnsStruct = !hasOutputs && StructLayout.IsCandidate(method.ReturnType);
        if (hasOutputs ? !method.ReturnsVoid : !Signature.IsFloating(method.ReturnType) && !returnsStruct)
        {
            Report(Descriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, method.ReturnType.ToDisplayString());
        }

        string scalar = Scalar(method, syntax, Report);

        // A struct return value: its floating fields are the method's outputs.
        StructLayout? resultLayout = null;
        if (returnsStruct)
        {
            resultLayout = StructLayout.Of(method.ReturnType, scalar, method.ContainingType, context.Model.Compilation, out string why);
            if (resultLayout is null)
            {
                Report(Descriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, $"{method.ReturnType.ToDisplayString()} ({why})");
            }
        }

        AttributeData? attribute = context.Attribute;
        (bool hessian, bool jacobian) = Signature.SecondOrder(attribute);
        bool trace = Signature.Trace(attribute);
        IReadOnlyList<string> wrt = attribute is null ? [] : Signature.WrtNames(attribute);
        var identifiers = new HashSet<string>(syntax.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => Names.Escape(t.ValueText)));
        var structParams = new List<(IParameterSymbol Parameter, StructLayout Layout, Dictionary<string, string> Fields)>();
        var structArrays = new List<(IParameterSymbol Parameter, StructLayout Layout, string Fields)>();
        List<ParamModel> parameters = Parameters(method, syntax, wrt, scalar, context.Model.Compilation, new HashSet<string>(identifiers), structParams, structArrays, Report);
        identifiers.UnionWith(structArrays.Select(a => a.Fields));
        // The output span a struct result is written into inside the generated methods.
        string? resultOutput = resultLayout is null ? null : Names.Fresh("result", identifiers);
        if (resultOutput is not null)
        {
            identifiers.Add(resultOutput);
            parameters.Add(new ParamModel(resultOutput, $"global::System.Span<{scalar}>", ParamKind.Span, false, Names.Derivative(resultOutput), IsOutput: true));
        }

        if (attribute is not null)
        {
            CheckWrtNames(method, attribute, wrt, Report);
        }

        CheckSecondOrder(method, syntax, hessian, jacobian, Report);
        if (trace && method.ReturnsVoid)
        {
            Report(Descriptors.TraceUnsupported, SwitchLocation(syntax, "Trace"), method.Name, "it returns no value", "a trace follows one result back to the parameters, and this method writes [Output] parameters; trace a method that returns a loss computed from them");
        }
        else if (trace && returnsStruct)
        {
            Report(Descriptors.TraceUnsupported, SwitchLocation(syntax, "Trace"), method.Name, $"it returns the struct '{method.ReturnType.Name}'", "a trace follows one floating-point result back to the parameters; trace a method that returns a loss computed from the struct");
        }
        if (diagnostics.Count > 0)
        {
            // A signature SymDiff cannot serve: the body's uses of it would only repeat the cause.
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        IMethodBodyOperation? bodyOperation = context.Model.GetOperation(syntax, ct) as IMethodBodyOperation;
        IBlockOperation? block = bodyOperation?.BlockBody ?? bodyOperation?.ExpressionBody;
        if (block is null)
        {
            Report(Descriptors.NoBody, nameLocation, method.Name);
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        int beforeUnsafe = diagnostics.Count;
        foreach (SyntaxNode node in syntax.DescendantNodes().Where(n => n is UnsafeStatementSyntax or PointerTypeSyntax or FixedStatementSyntax))
        {
            Report(Descriptors.Unsafe, node.GetLocation(), node is UnsafeStatementSyntax ? "An unsafe block" : $"'{node}'");
        }

        if (syntax.Modifiers.Any(SyntaxKind.UnsafeKeyword))
        {
            Report(Descriptors.Unsafe, nameLocation, $"The unsafe method '{method.Name}'");
        }

        if (diagnostics.Count > beforeUnsafe)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        var body = new BodyParser(method, scalar, diagnostics, ct) { Compilation = context.Model.Compilation };
        foreach ((IParameterSymbol parameter, StructLayout layout, Dictionary<string, string> fields) in structParams)
        {
            body.AddStructParameter(parameter, layout, fields);
        }

        foreach ((IParameterSymbol parameter, StructLayout layout, string fields) in structArrays)
        {
            body.AddStructArray(parameter, layout, fields);
        }

        body.AllIdentifiers.UnionWith(identifiers);
        if (resultOutput is not null)
        {
            body.ReturnStruct(resultOutput, resultLayout!);
        }

        List<Stmt> statements = body.ParseBody(block);
        CheckCallArguments(parameters, statements, body, Report);
        if (hessian && diagnostics.Count == 0)
        {
            CheckSecondOrderBody(method, syntax, context.Model, Report);
        }

        if (body.CallsBrokenCustomDerivative)
        {
            // SD0025 at the registration is the one diagnostic for this cause.
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        if (diagnostics.Count == 0)
        {
            CheckGeneratedNames(method, nameLocation, Report);
        }

        if (diagnostics.Count > 0)
        {
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }

        // Generated names never take a name the user's code uses: dx for x unless the body has
        // its own dx (then dx2), dDt for dt, and so on.
        var reserved = new HashSet<string>(body.UsedNames);
        reserved.UnionWith(body.AllIdentifiers);
        reserved.UnionWith(parameters.Select(p => p.Name));
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Differentiable || parameters[i].IsOutput)
            {
                parameters[i] = parameters[i] with { DerivativeName = Names.Fresh(Names.Derivative(parameters[i].Name), reserved) };
            }
        }

        var structModels = structParams.Select(s => new StructParam(
            Names.Escape(s.Parameter.Name),
            s.Layout.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Names.Fresh(Names.Derivative(s.Parameter.Name), reserved),
            s.Layout.Build)).ToList();

        var structArrayModels = structArrays.Select(a => new StructArrayParam(
            a.Fields,
            Names.Escape(a.Parameter.Name),
            a.Parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            a.Layout.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Names.Fresh(Names.Derivative(a.Parameter.Name), reserved),
            a.Layout.Floating.Select(l => l.Path).ToEquatableArray(),
            a.Parameter.Type is IArrayTypeSymbol)).ToList();

        // The tangents and products of the second-order methods: tx and hx for x. Reserved only
        // when this method asks for them (a callee's BackwardTangent avoids the body's names).
        HashSet<string> secondOrderNames = hessian ? reserved : new HashSet<string>(reserved);
        structModels = structModels.Select(s => s with
        {
            TangentName = Names.Fresh(Names.Prefixed("t", Names.Plain(s.Name)), secondOrderNames),
            ProductName = Names.Fresh(Names.Prefixed("h", Names.Plain(s.Name)), secondOrderNames),
        }).ToList();
        structArrayModels = structArrayModels.Select(a => a with
        {
            TangentName = Names.Fresh(Names.Prefixed("t", Names.Plain(a.Name)), secondOrderNames),
            ProductName = Names.Fresh(Names.Prefixed("h", Names.Plain(a.Name)), secondOrderNames),
        }).ToList();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Differentiable)
            {
                parameters[i] = parameters[i] with
                {
                    TangentName = Names.Fresh(Names.Prefixed("t", parameters[i].Name), secondOrderNames),
                    ProductName = Names.Fresh(Names.Prefixed("h", parameters[i].Name), secondOrderNames),
                };
            }
        }

        string seedName = method.ReturnsVoid
            ? parameters.First(p => p.IsOutput).DerivativeName
            : Names.Fresh(Names.Derivative(method.Name), reserved);
        StructResult? result = resultOutput is null ? null : new StructResult(
            resultOutput,
            parameters.First(p => p.Name == resultOutput).DerivativeName,
            resultLayout!.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            resultLayout.Build,
            resultLayout.Floating.Select(l => l.Path).ToEquatableArray());

        string ns = method.ContainingNamespace.IsGlobalNamespace ? string.Empty : method.ContainingNamespace.ToDisplayString();
        string hint = string.Join(".", new[] { ns }.Concat(types.Select(t => t.Name)).Append(method.Name).Where(s => s.Length > 0))
            + OverloadSuffix(method) + ".g.cs";
        var model = new MethodModel(
            ns.Length == 0 ? null : ns,
            types.ToEquatableArray(),
            method.Name,
            Signature.AccessibilityText(method.DeclaredAccessibility),
            parameters.ToEquatableArray(),
            statements.ToEquatableArray(),
            Path.GetFileName(syntax.SyntaxTree.FilePath),
            nameLocation.GetLineSpan().StartLinePosition.Line + 1,
            hint,
            seedName,
            reserved.OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray(),
            scalar,
            method.IsStatic,
            method.ReturnsVoid || result is not null,
            hessian && !method.ReturnsVoid && result is null,
            jacobian && (method.ReturnsVoid || result is not null),
            ImplicitCallees: body.ImplicitCalls.Select(c => c.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToEquatableArray(),
            TypeParameters: method.IsGenericMethod ? $"<{method.TypeParameters[0].Name}>" : string.Empty,
            Constraints: method.IsGenericMethod ? Signature.Constraints(method.TypeParameters[0]) : string.Empty,
            Structs: structModels.ToEquatableArray(),
            Result: result,
            StructArrays: structArrayModels.ToEquatableArray(),
            Trace: trace);
        return new ParseResult(model, EquatableArray<DiagnosticInfo>.Empty, body.ImplicitCalls.ToEquatableArray());
    }

    private static List<ContainingTypeInfo> ContainingTypes(IMethodSymbol method, MethodDeclarationSyntax syntax, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        var types = new List<ContainingTypeInfo>();
        var declarations = syntax.Ancestors().OfType<TypeDeclarationSyntax>().ToList();
        int index = 0;
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType, index++)
        {
            TypeDeclarationSyntax? declaration = index < declarations.Count ? declarations[index] : null;
            bool isPartial = type.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!isPartial)
            {
                report(Descriptors.TypeNotPartial, declaration?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation(), new[] { type.Name, method.Name });
            }

            if (type.TypeParameters.Length > 0)
            {
                report(Descriptors.Generic, declaration?.Identifier.GetLocation() ?? syntax.Identifier.GetLocation(), new[] { type.Name });
            }

            types.Insert(0, new ContainingTypeInfo(Signature.TypeKeyword(type), type.Name));
        }

        return types;
    }

    private static List<ParamModel> Parameters(IMethodSymbol method, MethodDeclarationSyntax syntax, IReadOnlyList<string> wrt, string scalar, Compilation compilation, HashSet<string> identifiers, List<(IParameterSymbol, StructLayout, Dictionary<string, string>)> structs, List<(IParameterSymbol, StructLayout, string)> structArrays, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        var parameters = new List<ParamModel>();
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            IParameterSymbol p = method.Parameters[i];
            ParameterSyntax? ps = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
            if (p.RefKind != RefKind.None)
            {
                report(Descriptors.RefParameter, ps?.GetLocation(), new[] { p.Name });
                continue;
            }

            ParamKind? kind = Signature.Classify(p.Type);
            if (kind is null && StructLayout.IsCandidate(p.Type))
            {
                // A struct: each floating field is a scalar parameter of its own inside the generated methods.
                StructLayout? layout = StructLayout.Of(p.Type, scalar, method.ContainingType, compilation, out string why);
                if (layout is null || Signature.HasAttribute(p, Signature.OutputAttribute))
                {
                    report(Descriptors.UnsupportedParameterType, ps?.Type?.GetLocation() ?? ps?.GetLocation(), new[] { p.Name, $"{p.Type.ToDisplayString()} ({(layout is null ? why : "a struct cannot be an [Output]")})" });
                    continue;
                }

                bool differentiableStruct = Signature.IsDifferentiable(p, ParamKind.Double, wrt);
                var fields = new Dictionary<string, string>();
                foreach (StructLayout.Leaf leaf in layout.Floating)
                {
                    string name = Names.Fresh(BodyParser.FieldName(p.Name, leaf.Display), identifiers);
                    fields[leaf.Path] = name;
                    parameters.Add(new ParamModel(name, scalar, ParamKind.Double, differentiableStruct, Names.Derivative(name), Struct: Names.Escape(p.Name), Member: leaf.Path));
                }

                structs.Add((p, layout, fields));
                continue;
            }

            if (kind is null && StructArrayElement(p.Type) is { } elementType)
            {
                // An array or span of structs: inside the generated methods, a span of their fields (pts[i].X is ptsFields[2 * i]).
                bool isOutput = Signature.HasAttribute(p, Signature.OutputAttribute);
                StructLayout? elementLayout = StructLayout.Of(elementType, scalar, method.ContainingType, compilation, out string why);
                string? refusal = elementLayout is null ? why
                    : StructLayout.FlatRefusal(elementLayout, scalar) is { } flat ? flat
                    : isOutput && p.Type is INamedTypeSymbol { Name: "ReadOnlySpan" } ? "an [Output] must be a writable array or Span"
                    : null;
                if (refusal is not null)
                {
                    report(Descriptors.UnsupportedParameterType, ps?.Type?.GetLocation() ?? ps?.GetLocation(), new[] { p.Name, $"{p.Type.ToDisplayString()} ({refusal})" });
                    continue;
                }

                string fieldsName = Names.Fresh(Names.Escape(p.Name) + "Fields", identifiers);
                identifiers.Add(fieldsName);
                bool differentiableArray = !isOutput && Signature.IsDifferentiable(p, ParamKind.ReadOnlySpan, wrt);
                parameters.Add(new ParamModel(fieldsName, isOutput ? $"global::System.Span<{scalar}>" : $"global::System.ReadOnlySpan<{scalar}>", isOutput ? ParamKind.Span : ParamKind.ReadOnlySpan, differentiableArray, Names.Derivative(fieldsName), isOutput));
                structArrays.Add((p, elementLayout!, fieldsName));
                continue;
            }

            if (kind is null)
            {
                report(Descriptors.UnsupportedParameterType, ps?.Type?.GetLocation() ?? ps?.GetLocation(), new[] { p.Name, p.Type.ToDisplayString() });
                continue;
            }

            bool output = Signature.HasAttribute(p, Signature.OutputAttribute);
            if (output && kind.Value is not (ParamKind.DoubleArray or ParamKind.Span))
            {
                report(Descriptors.UnsupportedParameterType, ps?.Type?.GetLocation() ?? ps?.GetLocation(), new[] { p.Name, p.Type.ToDisplayString() + " marked [Output] (an output must be a writable array or Span)" });
                continue;
            }

            bool differentiable = !output && Signature.IsDifferentiable(p, kind.Value, wrt);
            string element = Signature.FloatingElement(p.Type) ?? "double";
            string typeCode = kind.Value switch
            {
                ParamKind.DoubleArray => element + "[]",
                ParamKind.ReadOnlySpan => $"global::System.ReadOnlySpan<{element}>",
                ParamKind.Span => $"global::System.Span<{element}>",
                ParamKind.Double => element,
                _ => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            };
            parameters.Add(new ParamModel(Names.Escape(p.Name), typeCode, kind.Value, differentiable, Names.Derivative(p.Name), output));
        }

        return parameters;
    }

    /// <summary>The element type of an array, ReadOnlySpan or Span of user structs (or System.Numerics values); null for any other type.</summary>
    internal static ITypeSymbol? StructArrayElement(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1 } array when StructLayout.IsCandidate(array.ElementType) => array.ElementType,
        INamedTypeSymbol { Name: "ReadOnlySpan" or "Span", TypeArguments.Length: 1 } span when span.ContainingNamespace?.ToDisplayString() == "System" && StructLayout.IsCandidate(span.TypeArguments[0]) => span.TypeArguments[0],
        _ => null,
    };

    // A method is double or float throughout: its return type and every floating parameter agree.
    private static string Scalar(IMethodSymbol method, MethodDeclarationSyntax syntax, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        // A struct result computes in the type of its first floating field (float for a Vector3).
        string? scalar = Signature.FloatingElement(method.ReturnType)
            ?? (StructLayout.IsCandidate(method.ReturnType) ? method.ReturnType.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic).Select(f => Signature.FloatingElement(f.Type)).FirstOrDefault(e => e is not null) : null);
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            string? element = Signature.FloatingElement(method.Parameters[i].Type);
            if (element is null)
            {
                continue;
            }

            if (scalar is not null && element != scalar)
            {
                ParameterSyntax? ps = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
                report(Descriptors.MixedPrecision, ps?.GetLocation() ?? syntax.Identifier.GetLocation(), new[] { $"Parameter '{method.Parameters[i].Name}'", scalar, method.Name });
            }

            scalar ??= element;
        }

        return scalar ?? "double";
    }

    private static void CheckWrtNames(IMethodSymbol method, AttributeData attribute, IReadOnlyList<string> wrt, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        var arguments = (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments;
        for (int i = 0; i < wrt.Count; i++)
        {
            Location? at = arguments is { } args && i < args.Count ? args[i].GetLocation() : attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
            IParameterSymbol? p = method.Parameters.FirstOrDefault(p => p.Name == wrt[i]);
            if (p is null)
            {
                report(Descriptors.UnknownWrtName, at, new[] { wrt[i], method.Name });
            }
            else if (Signature.Classify(p.Type) == ParamKind.Int)
            {
                report(Descriptors.WrtNotDifferentiable, at, new[] { p.Name, p.Type.ToDisplayString() });
            }
        }
    }

    // An active argument bound to a parameter the callee does not differentiate would lose its
    // derivative without a word: refuse it.
    private static void CheckCallArguments(List<ParamModel> parameters, List<Stmt> statements, BodyParser body, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        var activity = new Symbolic.Activity(parameters.Where(p => p.Differentiable).Select(p => p.Name), statements);
        foreach ((Call call, SyntaxNode syntax) in body.Calls)
        {
            for (int i = 0; i < call.Args.Count; i++)
            {
                CalleeParam p = call.Callee.Params[i];
                if (!p.Differentiable && p.Kind != ParamKind.Int && activity.Depends(call.Args[i]))
                {
                    SyntaxNode at = syntax is InvocationExpressionSyntax inv && i < inv.ArgumentList.Arguments.Count ? inv.ArgumentList.Arguments[i] : syntax;
                    report(Descriptors.ConstantParameterGetsActiveArgument, at.GetLocation(), new[] { at.ToString(), call.Callee.Name, p.Name });
                }
            }
        }
    }

    // A generated method must not have the name and parameter types of a method the type already
    // has, or of another [Differentiable] overload's generated method (reported on the later one).
    private static void CheckGeneratedNames(IMethodSymbol method, Location at, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        foreach ((string name, string key) in Signature.GeneratedSignatures(method))
        {
            foreach (IMethodSymbol other in method.ContainingType.GetMembers(name).OfType<IMethodSymbol>())
            {
                if (Signature.SameOverload(Signature.Key(other), key))
                {
                    report(Descriptors.GeneratedNameTaken, at, new[] { $"{name}({key})", method.Name, $"the method '{other.Name}'" });
                    return;
                }
            }

            foreach (IMethodSymbol overload in method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                bool earlier = overload.Locations.FirstOrDefault()?.SourceSpan.Start < method.Locations.FirstOrDefault()?.SourceSpan.Start;
                if (earlier && Signature.HasAttribute(overload, Signature.DifferentiableAttribute)
                    && Signature.GeneratedSignatures(overload).Any(g => g.Name == name && Signature.SameOverload(g.Key, key)))
                {
                    report(Descriptors.GeneratedNameTaken, at, new[] { $"{name}({key})", method.Name, $"'{name}' generated for another overload of '{method.Name}'" });
                    return;
                }
            }
        }
    }

    // Where a switch of the attribute (Hessian = true) is written, or the method's name without one.
    private static Location SwitchLocation(MethodDeclarationSyntax syntax, string name) => syntax.AttributeLists.SelectMany(l => l.Attributes)
        .SelectMany(a => a.ArgumentList?.Arguments ?? default)
        .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation() ?? syntax.Identifier.GetLocation();

    // Hessian is for a method that returns a value, Jacobian for one that writes [Output] parameters.
    private static void CheckSecondOrder(IMethodSymbol method, MethodDeclarationSyntax syntax, bool hessian, bool jacobian, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        Location At(string name) => SwitchLocation(syntax, name);
        if (hessian && method.ReturnsVoid)
        {
            report(Descriptors.SecondOrderMisplaced, At("Hessian"), new[] { "Hessian", method.Name, "a Hessian is the matrix of second derivatives of one result, and this method writes [Output] parameters: ask for Jacobian = true for the derivatives of its outputs" });
        }

        bool returnsStruct = !method.ReturnsVoid && StructLayout.IsCandidate(method.ReturnType);
        if (hessian && returnsStruct)
        {
            report(Descriptors.SecondOrderMisplaced, At("Hessian"), new[] { "Hessian", method.Name, $"a Hessian is the matrix of second derivatives of one result, and this method returns the struct '{method.ReturnType.Name}': ask for Jacobian = true for the derivatives of its fields" });
        }

        if (jacobian && !method.ReturnsVoid && !returnsStruct)
        {
            report(Descriptors.SecondOrderMisplaced, At("Jacobian"), new[] { "Jacobian", method.Name, $"a Jacobian is for a method that writes [Output] parameters, and this method returns one value, whose Jacobian is its gradient ({method.Name}Gradient): ask for Hessian = true for second derivatives" });
        }
    }

    // Second order goes through calls to [Differentiable] methods of this compilation (they get
    // BackwardTangent), not through custom derivatives or compiled methods: reported at the call
    // in this method that leads there, naming the method that is the cause.
    private static void CheckSecondOrderBody(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel semantic, Action<DiagnosticDescriptor, Location?, string[]> report)
    {
        foreach (InvocationExpressionSyntax call in syntax.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (semantic.GetSymbolInfo(call).Symbol is IMethodSymbol target
                && SecondOrderObstacle(target, semantic.Compilation, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default)) is { } obstacle)
            {
                report(Descriptors.SecondOrderUnsupported, call.GetLocation(), new[] { method.Name, $"the call '{call}'", obstacle(method.Name) });
            }
        }
    }

    // Why second order cannot go through a call of 'target' (null when it can, or when the call is not differentiated).
    private static Func<string, string>? SecondOrderObstacle(IMethodSymbol target, Compilation compilation, HashSet<IMethodSymbol> seen)
    {
        if (Signature.Attribute(target, Signature.CustomDerivativeAttribute) is { } custom)
        {
            return CustomDerivatives.SecondOrderName(custom) is not null
                ? null
                : caller => $"'{target.Name}' has a custom derivative without a second-order rule; register one with [CustomDerivative(..., SecondOrder = nameof({target.Name}BackwardTangent))], write its formula in '{caller}', or ask for a first-order gradient only";
        }

        if (!Signature.HasAttribute(target, Signature.DifferentiableAttribute) || !seen.Add(target))
        {
            return null;
        }

        if (target.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not MethodDeclarationSyntax declaration)
        {
            return caller => $"'{target.Name}' is compiled in another assembly, whose second-order code SymDiff cannot generate; copy its body into this project or into '{caller}'";
        }

        SemanticModel model = Semantics.ModelOf(compilation, declaration.SyntaxTree);
        foreach (InvocationExpressionSyntax inner in declaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(inner).Symbol is IMethodSymbol next && SecondOrderObstacle(next, compilation, seen) is { } cause)
            {
                return caller => $"'{target.Name}' calls '{inner}', and " + cause(target.Name);
            }
        }

        return null;
    }

    private static string OverloadSuffix(IMethodSymbol method)
    {
        var overloads = method.ContainingType.GetMembers(method.Name)
            .OfType<IMethodSymbol>()
            .Where(m => Signature.HasAttribute(m, Signature.DifferentiableAttribute))
            .OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0)
            .ToList();
        int index = overloads.FindIndex(m => SymbolEqualityComparer.Default.Equals(m, method));
        return index <= 0 ? string.Empty : "." + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>What the parse stage reads of one method: its declaration, the model that binds it, its symbol and its [Differentiable].</summary>
internal readonly record struct Target(MethodDeclarationSyntax Syntax, SemanticModel Model, IMethodSymbol Symbol, AttributeData? Attribute);
