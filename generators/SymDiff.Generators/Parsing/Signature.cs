using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>Reads the parts of a method's signature that decide its generated API.</summary>
internal static class Signature
{
    public const string DifferentiableAttribute = "SymDiff.DifferentiableAttribute";
    public const string NoGradientAttribute = "SymDiff.NoGradientAttribute";
    public const string OutputAttribute = "SymDiff.OutputAttribute";
    public const string CustomDerivativeAttribute = "SymDiff.CustomDerivativeAttribute";

    /// <summary>Classifies a parameter or local type; null when SymDiff cannot handle it.</summary>
    public static ParamKind? Classify(ITypeSymbol type)
    {
        if (IsFloating(type))
        {
            return ParamKind.Double;
        }

        if (IsConstantType(type))
        {
            return ParamKind.Int;
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array && IsFloating(array.ElementType))
        {
            return ParamKind.DoubleArray;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named
            && named.TypeArguments.Length == 1 && IsFloating(named.TypeArguments[0])
            && named.ContainingNamespace?.ToDisplayString() == "System")
        {
            return named.Name switch
            {
                "ReadOnlySpan" => ParamKind.ReadOnlySpan,
                "Span" => ParamKind.Span,
                _ => null,
            };
        }

        return null;
    }

    /// <summary>The floating-point element type of a parameter (<c>double</c>, <c>float[]</c>, <c>Span&lt;float&gt;</c>…), or null.</summary>
    public static string? FloatingElement(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol t when IsGenericFloating(t) => t.Name,
        _ when IsFloating(type) => type.SpecialType == SpecialType.System_Single ? "float" : "double",
        IArrayTypeSymbol { Rank: 1 } a => FloatingElement(a.ElementType),
        INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n when n.Name is "Span" or "ReadOnlySpan" => FloatingElement(n.TypeArguments[0]),
        _ => null,
    };

    public static bool IsFloating(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single || (type is ITypeParameterSymbol t && IsGenericFloating(t));

    /// <summary>
    /// A method's type parameter that is its floating-point type: <c>T</c> constrained (directly or
    /// through an interface that extends it) to <c>System.Numerics.IFloatingPointIeee754&lt;T&gt;</c>.
    /// </summary>
    public static bool IsGenericFloating(ITypeParameterSymbol type) =>
        type.TypeParameterKind == TypeParameterKind.Method
        && type.ConstraintTypes.OfType<INamedTypeSymbol>().SelectMany(c => c.AllInterfaces.Prepend(c)).Any(i =>
            i.OriginalDefinition.ToDisplayString() == "System.Numerics.IFloatingPointIeee754<TSelf>"
            && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], type));

    /// <summary>The <c>where</c> clause of a generic method's type parameter, fully qualified, as the generated methods repeat it.</summary>
    public static string Constraints(ITypeParameterSymbol type)
    {
        var parts = new List<string>();
        if (type.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (type.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        else if (type.HasReferenceTypeConstraint)
        {
            parts.Add("class");
        }
        else if (type.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }

        parts.AddRange(type.ConstraintTypes.Select(c => c.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)));
        if (type.HasConstructorConstraint)
        {
            parts.Add("new()");
        }

        return $" where {type.Name} : {string.Join(", ", parts)}";
    }

    /// <summary>Types that are constants for differentiation: integers, bool, char, string and enums.</summary>
    public static bool IsConstantType(ITypeSymbol? type) =>
        IsInteger(type) || type?.TypeKind == TypeKind.Enum
        || type?.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_String;

    public static bool IsInteger(ITypeSymbol? type) => type?.SpecialType is
        SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte
        or SpecialType.System_SByte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64;

    public static bool HasAttribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == fullName);

    public static AttributeData? Attribute(ISymbol symbol, string fullName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == fullName);

    /// <summary>The names listed in <c>[Differentiable(...)]</c>; empty means "every floating-point parameter".</summary>
    public static IReadOnlyList<string> WrtNames(AttributeData attribute)
    {
        var names = new List<string>();
        foreach (TypedConstant arg in attribute.ConstructorArguments)
        {
            if (arg.Kind == TypedConstantKind.Array)
            {
                names.AddRange(arg.Values.Select(v => v.Value as string).Where(v => v is not null)!);
            }
            else if (arg.Value is string s)
            {
                names.Add(s);
            }
        }

        return names;
    }

    /// <summary>The <c>Hessian</c> and <c>Jacobian</c> switches of <c>[Differentiable]</c>.</summary>
    public static (bool Hessian, bool Jacobian) SecondOrder(AttributeData? attribute)
    {
        bool Named(string name) => attribute?.NamedArguments.Any(a => a.Key == name && a.Value.Value is true) == true;
        return (Named("Hessian"), Named("Jacobian"));
    }

    /// <summary>The <c>Trace</c> switch of <c>[Differentiable]</c>.</summary>
    public static bool Trace(AttributeData? attribute) => attribute?.NamedArguments.Any(a => a.Key == "Trace" && a.Value.Value is true) == true;

    /// <summary>True when the parameter gets an adjoint/tangent in the generated methods.</summary>
    public static bool IsDifferentiable(IParameterSymbol parameter, ParamKind kind, IReadOnlyList<string> wrt) =>
        kind != ParamKind.Int
        && !HasAttribute(parameter, NoGradientAttribute)
        && (wrt.Count == 0 || wrt.Contains(parameter.Name));

    /// <summary>
    /// A method without <c>[Differentiable]</c> whose body SymDiff can differentiate in its place:
    /// an ordinary method declared with a body in this compilation, not generic and in no generic
    /// type (or generic math over one <c>T : IFloatingPointIeee754&lt;T&gt;</c>), that takes its
    /// inputs by value and returns the floating-point type.
    /// </summary>
    public static bool IsImplicitCandidate(IMethodSymbol target) =>
        target.MethodKind == MethodKind.Ordinary
        && (!target.IsGenericMethod || target.OriginalDefinition.TypeParameters.Length == 1 && IsGenericFloating(target.OriginalDefinition.TypeParameters[0]))
        && !target.IsAbstract && !target.IsExtern
        && Attribute(target, DifferentiableAttribute) is null && Attribute(target, CustomDerivativeAttribute) is null
        && target.OriginalDefinition.DeclaringSyntaxReferences.Length == 1
        && target.OriginalDefinition.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax { Body: not null } or Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax { ExpressionBody: not null }
        && Containing(target).All(t => t.TypeParameters.Length == 0)
        && target.Parameters.All(p => p.RefKind == RefKind.None && Classify(p.Type) is not null && !HasAttribute(p, OutputAttribute))
        && IsFloating(target.ReturnType);

    /// <summary>The first type around <paramref name="target"/> that is not declared partial, or null.</summary>
    public static INamedTypeSymbol? NotPartial(IMethodSymbol target) =>
        Containing(target).FirstOrDefault(t => !t.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax d && d.Modifiers.Any(m => m.Text == "partial")));

    private static IEnumerable<INamedTypeSymbol> Containing(ISymbol symbol)
    {
        for (INamedTypeSymbol? t = symbol.ContainingType; t is not null; t = t.ContainingType)
        {
            yield return t;
        }
    }

    /// <summary>
    /// The model of a differentiable method as seen from a call site: a <c>[Differentiable]</c> or
    /// <c>[CustomDerivative]</c> method, or with <paramref name="implicitly"/> any method (whose
    /// body SymDiff differentiates as if it were <c>[Differentiable]</c>).
    /// </summary>
    public static Callee? CalleeOf(IMethodSymbol target, INamedTypeSymbol callerType, bool implicitly = false)
    {
        AttributeData? attribute = Attribute(target, DifferentiableAttribute);
        AttributeData? custom = Attribute(target, CustomDerivativeAttribute);
        if (attribute is null && custom is null && !implicitly)
        {
            return null;
        }

        IReadOnlyList<string> wrt = attribute is null ? [] : WrtNames(attribute);
        var parameters = new List<CalleeParam>();
        foreach (IParameterSymbol p in target.Parameters)
        {
            ParamKind? kind = Classify(p.Type);
            if (kind is null)
            {
                return null;
            }

            parameters.Add(new CalleeParam(p.Name, kind.Value, IsDifferentiable(p, kind.Value, wrt)));
        }

        string typeCode = SymbolEqualityComparer.Default.Equals(target.ContainingType, callerType)
            ? string.Empty
            : target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string? backward = custom?.ConstructorArguments.Length == 2 ? custom.ConstructorArguments[0].Value as string : null;
        string? forward = custom?.ConstructorArguments.Length == 2 ? custom.ConstructorArguments[1].Value as string : null;
        string? second = custom is null ? null : CustomDerivatives.SecondOrderName(custom);
        return new Callee(typeCode, target.Name, parameters.ToEquatableArray(), backward, forward, second);
    }

    /// <summary>
    /// The names and parameter types (by-reference parameters marked <c>ref</c>, as C# overloading
    /// sees them) of the methods SymDiff generates for <paramref name="method"/>.
    /// </summary>
    public static List<(string Name, string Key)> GeneratedSignatures(IMethodSymbol method)
    {
        var result = new List<(string, string)>();
        AttributeData? attribute = Attribute(method, DifferentiableAttribute);
        IReadOnlyList<string> wrt = attribute is null ? [] : WrtNames(attribute);
        string scalar = FloatingElement(method.ReturnType) ?? method.Parameters.Select(p => FloatingElement(p.Type)).FirstOrDefault(e => e is not null) ?? "double";
        var primal = new List<string>();
        var differentiable = new List<bool>();
        var outputs = 0;
        foreach (IParameterSymbol p in method.Parameters)
        {
            if (Classify(p.Type) is not { } kind)
            {
                return result;
            }

            primal.Add(p.Type.ToDisplayString());
            bool output = HasAttribute(p, OutputAttribute);
            outputs += output ? 1 : 0;
            if (!output && IsDifferentiable(p, kind, wrt))
            {
                differentiable.Add(kind == ParamKind.Double);
            }
        }

        string span = $"System.Span<{scalar}>", readOnly = $"System.ReadOnlySpan<{scalar}>";
        string Join(IEnumerable<string> parts) => string.Join(", ", parts);
        if (!method.ReturnsVoid)
        {
            result.Add((method.Name + "Gradient", Join(primal.Concat(differentiable.Select(s => s ? "out " + scalar : span)))));
        }

        IEnumerable<string> seed = method.ReturnsVoid ? Enumerable.Repeat(readOnly, outputs) : [scalar];
        result.Add((method.Name + "Backward", Join(primal.Concat(seed).Concat(differentiable.Select(s => s ? "ref " + scalar : span)))));
        result.Add((method.Name + "Derivative", Join(primal.Concat(differentiable.Select(s => s ? scalar : readOnly)).Concat(Enumerable.Repeat(span, outputs)))));
        (bool hessian, bool jacobian) = SecondOrder(attribute);
        if (hessian && !method.ReturnsVoid)
        {
            result.Add((method.Name + "Hessian", Join(primal.Concat(differentiable.Select(s => s ? "out " + scalar : span)).Append(span))));
            result.Add((method.Name + "HessianVectorProduct", Join(primal.Concat(differentiable.Select(s => s ? scalar : readOnly)).Concat(differentiable.Select(s => s ? "out " + scalar : span)))));
            var names = method.Parameters.Where((p, i) => !HasAttribute(p, OutputAttribute) && Classify(p.Type) is { } k && IsDifferentiable(p, k, wrt)).Select(p => p.Name).ToList();
            for (int i = 0; differentiable.Count > 1 && i < differentiable.Count; i++)
            {
                string own = differentiable[i] ? scalar : readOnly;
                result.Add((method.Name + "HessianRowsOf" + Names.Capitalized(names[i]), Join(primal.Append(own).Concat(differentiable.Select(s => s ? "out " + scalar : span)))));
            }
        }

        if (jacobian && method.ReturnsVoid)
        {
            result.Add((method.Name + "Jacobian", Join(primal.Append(span))));
        }

        if (Trace(attribute) && !method.ReturnsVoid)
        {
            result.Add((method.Name + "Trace", Join(primal.Append("SymDiff.GradientTrace"))));
        }

        return result;
    }

    /// <summary>A method's parameter types as <see cref="GeneratedSignatures"/> writes them.</summary>
    public static string Key(IMethodSymbol method) =>
        string.Join(", ", method.Parameters.Select(p => p.RefKind switch { RefKind.None => string.Empty, RefKind.Out => "out ", RefKind.In => "in ", _ => "ref " } + p.Type.ToDisplayString()));

    /// <summary>True when two parameter lists of <see cref="Key(IMethodSymbol)"/> cannot be overloads of one name (C# tells ref, out and in apart from a value, not from each other).</summary>
    public static bool SameOverload(string a, string b) => Overload(a) == Overload(b);

    private static string Overload(string key) => key.Replace("out ", "ref ").Replace("in ", "ref ");

    public static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };

    public static string TypeKeyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (_, TypeKind.Struct) => "struct",
        (_, TypeKind.Interface) => "interface",
        _ => "class",
    };
}
