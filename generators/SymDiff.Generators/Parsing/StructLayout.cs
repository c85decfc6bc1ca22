using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// How SymDiff sees a user struct: as its fields, each a value of its own. A floating-point field
/// (of the method's floating-point type) is differentiated like a parameter; an integer, bool,
/// char, string or enum field is a constant; a field of another such struct contributes its own
/// fields (<c>p.Inner.X</c>). Fields are found through the struct's instance fields, so an
/// auto-property counts under its property's name. A struct is refused when a field has any other
/// type (a class, an array), or when generated code could not build a value of it, which the
/// adjoint and the tangent need: every floating field settable (a public field, a <c>set</c> or
/// <c>init</c> accessor), or a constructor that sets each field from the parameter of its name.
/// </summary>
internal sealed class StructLayout
{
    private StructLayout(INamedTypeSymbol type, List<Leaf> leaves, string build)
    {
        Type = type;
        Leaves = leaves;
        Build = build;
    }

    /// <summary>A field at the end of a path of struct fields (<c>W</c>, <c>Inner.X</c>).</summary>
    /// <param name="Path">The member names from the struct, joined with dots.</param>
    /// <param name="Type">The field's type.</param>
    /// <param name="Floating">True for a differentiated field; false for a constant one.</param>
    /// <param name="Name">For a named tuple element, its path with the element's name (<c>X</c> for <c>Item1</c>), which generated names use; otherwise null.</param>
    public sealed record Leaf(string Path, ITypeSymbol Type, bool Floating, string? Name = null)
    {
        /// <summary>The path as the source names it, for generated names: <c>pX</c> for <c>p.X</c> of a tuple <c>(double X, double Y) p</c>.</summary>
        public string Display => Name ?? Path;
    }

    public INamedTypeSymbol Type { get; }

    /// <summary>Every field, depth first, in declaration order.</summary>
    public List<Leaf> Leaves { get; }

    public IEnumerable<Leaf> Floating => Leaves.Where(l => l.Floating);

    /// <summary>
    /// C# that builds a value of the struct from its floating fields: a format whose {0}, {1}…
    /// are the floating leaves in order (<c>new global::P { W = {0}, B = {1} }</c>); constant
    /// fields are left at their defaults.
    /// </summary>
    public string Build { get; }

    /// <summary>True for a struct SymDiff could read as its fields (whether or not it accepts it).</summary>
    public static bool IsCandidate(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } named && !named.IsRefLikeType
        && (IsTuple(named)
            || (!named.IsGenericType && (named.ContainingNamespace?.ToDisplayString() is not ("System" or "System.Numerics") || NumericsFields(named) is not null)));

    /// <summary>True for a value tuple of up to seven elements (<c>(double Sum, double Max)</c>), read as the struct of its elements Item1, Item2, ….</summary>
    public static bool IsTuple(ITypeSymbol? type) => type is INamedTypeSymbol { IsTupleType: true, TupleElements.Length: <= 7 };

    /// <summary>The path of a tuple element (<c>Item1</c> for a named element too), or the member's name.</summary>
    public static string MemberPath(IFieldSymbol field) => field.CorrespondingTupleField?.Name ?? field.AssociatedSymbol?.Name ?? field.Name;

    /// <summary>2, 3 or 4 for <c>System.Numerics.Vector2</c>, <c>Vector3</c>, <c>Vector4</c>; otherwise 0.</summary>
    public static int VectorSize(ITypeSymbol? type) =>
        type is INamedTypeSymbol { ContainingNamespace: { } ns, Name: "Vector2" or "Vector3" or "Vector4" } v && ns.ToDisplayString() == "System.Numerics"
            ? v.Name[6] - '0'
            : 0;

    /// <summary>The fields of a System.Numerics vector, in order.</summary>
    public static readonly string[] VectorFields = ["X", "Y", "Z", "W"];

    /// <summary>The fields of a Matrix4x4 (M11 … M44, row by row) and a Matrix3x2 (M11 … M32).</summary>
    public static readonly string[] Matrix4x4Fields = Enumerable.Range(1, 4).SelectMany(r => Enumerable.Range(1, 4).Select(c => $"M{r}{c}")).ToArray();

    public static readonly string[] Matrix3x2Fields = Enumerable.Range(1, 3).SelectMany(r => Enumerable.Range(1, 2).Select(c => $"M{r}{c}")).ToArray();

    /// <summary>
    /// The float fields, in constructor order, of the System.Numerics types SymDiff reads as
    /// structs (Vector2, Vector3, Vector4, Quaternion, Matrix3x2, Matrix4x4); null for any other type.
    /// </summary>
    public static string[]? NumericsFields(ITypeSymbol? type) =>
        type is INamedTypeSymbol { ContainingNamespace: { } ns } named && ns.ToDisplayString() == "System.Numerics"
            ? named.Name switch
            {
                "Vector2" or "Vector3" or "Vector4" => VectorFields.Take(named.Name[6] - '0').ToArray(),
                "Quaternion" => VectorFields,
                "Matrix3x2" => Matrix3x2Fields,
                "Matrix4x4" => Matrix4x4Fields,
                _ => null,
            }
            : null;

    /// <summary>The layout of <paramref name="type"/> for a method over <paramref name="scalar"/>, or null with the reason.</summary>
    public static StructLayout? Of(ITypeSymbol type, string scalar, INamedTypeSymbol within, Compilation compilation, out string why)
    {
        why = string.Empty;
        if (!IsCandidate(type))
        {
            why = "it is not a user struct";
            return null;
        }

        var named = (INamedTypeSymbol)type;
        var leaves = new List<Leaf>();
        string? build = Walk(named, string.Empty, scalar, within, compilation, leaves, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), out why);
        if (build is null)
        {
            return null;
        }

        if (!leaves.Any(l => l.Floating))
        {
            why = $"it has no {scalar} field to differentiate";
            return null;
        }

        return new StructLayout(named, leaves, build);
    }

    /// <summary>
    /// Why an array of <paramref name="layout"/>'s struct can't be read as one span of its fields
    /// (element after element, each field <paramref name="scalar"/>-sized); null when it can: every
    /// field floating, and the struct laid out in declaration order (not a tuple, whose layout the
    /// runtime chooses, nor a struct with an explicit or automatic layout).
    /// </summary>
    public static string? FlatRefusal(StructLayout layout, string scalar)
    {
        if (layout.Leaves.FirstOrDefault(l => !l.Floating) is { } constant)
        {
            return $"its field '{constant.Display}' is not a {scalar}: an array of structs is differentiated as one span of {scalar} fields";
        }

        return Unordered(layout.Type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default)) is { } unordered
            ? $"{unordered} has no sequential layout, so its fields can't be read as one span of {scalar} fields"
            : null;
    }

    // The first struct, from 'type' down through its fields, whose fields the runtime may reorder.
    private static string? Unordered(ITypeSymbol type, HashSet<ITypeSymbol> seen)
    {
        if (!seen.Add(type) || type is not INamedTypeSymbol named)
        {
            return null;
        }

        if (IsTuple(named))
        {
            return "a value tuple";
        }

        if (named.GetAttributes().Any(a => a.AttributeClass?.Name == "StructLayoutAttribute" && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int kind && kind != 0))
        {
            return $"'{named.Name}'";
        }

        return named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic).Select(f => Unordered(f.Type, seen)).FirstOrDefault(u => u is not null);
    }

    // Collects the leaves of 'type' under 'prefix' and returns how to build it, or null with why.
    private static string? Walk(INamedTypeSymbol type, string prefix, string scalar, INamedTypeSymbol within, Compilation compilation, List<Leaf> leaves, HashSet<ITypeSymbol> open, out string why)
    {
        why = string.Empty;
        if (NumericsFields(type) is { } numerics)
        {
            // Vector2, Vector3, Vector4, Quaternion, Matrix3x2, Matrix4x4: their float fields as the API names them, built by their constructor.
            if (scalar != "float")
            {
                why = prefix.Length == 0
                    ? $"its fields are float, and the method computes in {scalar}"
                    : $"its field '{prefix.TrimEnd('.')}' is a {type.Name} of float fields, and the method computes in {scalar}";
                return null;
            }

            ITypeSymbol single = compilation.GetSpecialType(SpecialType.System_Single);
            leaves.AddRange(numerics.Select(f => new Leaf(prefix + f, single, Floating: true)));
            return $"new global::System.Numerics.{type.Name}({string.Join(", ", numerics.Select(f => "{" + prefix + f + "}"))})";
        }

        if (IsTuple(type))
        {
            return WalkTuple(type, prefix, scalar, within, compilation, leaves, open, out why);
        }

        if (InlineArrayLength(type) is int length)
        {
            return WalkInlineArray(type, length, prefix, scalar, within, compilation, leaves, open, out why);
        }

        if (!open.Add(type))
        {
            why = $"'{type.Name}' contains itself";
            return null;
        }

        var members = new List<(ISymbol Member, string? Build)>();
        foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst))
        {
            ISymbol member = field.AssociatedSymbol ?? field;
            string path = prefix + member.Name;
            if (field.IsFixedSizeBuffer)
            {
                why = $"its field '{path}' is an unsafe fixed-size buffer (declare it as a field of an [InlineArray(n)] struct instead)";
                return null;
            }

            if (!compilation.IsSymbolAccessibleWithin(member, within))
            {
                why = $"its field '{path}' is not accessible from '{within.Name}'";
                return null;
            }

            if (Signature.FloatingElement(field.Type) is { } element && field.Type is not IArrayTypeSymbol)
            {
                if (element != scalar)
                {
                    why = $"its field '{path}' is {element}, and the method computes in {scalar}";
                    return null;
                }

                leaves.Add(new Leaf(path, field.Type, Floating: true));
                members.Add((member, null));
            }
            else if (Signature.IsConstantType(field.Type))
            {
                leaves.Add(new Leaf(path, field.Type, Floating: false));
            }
            else if (IsCandidate(field.Type))
            {
                int before = leaves.Count;
                string? inner = Walk((INamedTypeSymbol)field.Type, path + ".", scalar, within, compilation, leaves, open, out why);
                if (inner is null)
                {
                    return null;
                }

                if (leaves.Skip(before).Any(l => l.Floating))
                {
                    members.Add((member, inner));
                }
            }
            else
            {
                why = $"its field '{path}' has type '{field.Type.ToDisplayString()}' (a struct's fields must be {scalar}, constants such as int, bool or string, or other such structs)";
                return null;
            }
        }

        open.Remove(type);
        return BuildCode(type, prefix, members, within, compilation, out why);
    }

    /// <summary>The length of an <c>[InlineArray(n)]</c> struct (a fixed-size buffer); null for any other type.</summary>
    public static int? InlineArrayLength(ITypeSymbol? type) =>
        type?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Runtime.CompilerServices.InlineArrayAttribute") is { ConstructorArguments.Length: 1 } attribute
        && attribute.ConstructorArguments[0].Value is int length ? length : null;

    /// <summary>
    /// The path of element <paramref name="k"/> of a fixed-size buffer under <paramref name="prefix"/>:
    /// <c>Pos.[2]</c> for <c>Pos.</c>, a member of its own like any field, which code writes
    /// <c>p.Pos[2]</c> (<see cref="Access"/>).
    /// </summary>
    public static string ElementPath(string prefix, int k) => $"{prefix}[{k.ToString(System.Globalization.CultureInfo.InvariantCulture)}]";

    /// <summary>C# that reads the field at <paramref name="path"/> of <paramref name="owner"/>: <c>p.W</c>, <c>p.Pos[2]</c>, <c>b[0]</c>.</summary>
    public static string Access(string owner, string path) => (owner + "." + path).Replace(".[", "[");

    // A fixed-size buffer's elements as fields [0], [1], …, built by the runtime's InlineArrays.Of.
    private static string? WalkInlineArray(INamedTypeSymbol type, int length, string prefix, string scalar, INamedTypeSymbol within, Compilation compilation, List<Leaf> leaves, HashSet<ITypeSymbol> open, out string why)
    {
        why = string.Empty;
        IFieldSymbol? element = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic);
        string name = prefix.Length == 0 ? type.Name : prefix.TrimEnd('.');
        if (element is not null && element.Type is INamedTypeSymbol elementStruct && IsCandidate(elementStruct))
        {
            // A buffer of structs: each element contributes its fields (Pos.[0].X), built by the struct's own code.
            var builds = new List<string>();
            for (int k = 0; k < length; k++)
            {
                int before = leaves.Count;
                string? inner = Walk(elementStruct, ElementPath(prefix, k) + ".", scalar, within, compilation, leaves, open, out why);
                if (inner is null)
                {
                    return null;
                }

                if (leaves.Skip(before).Any(l => !l.Floating))
                {
                    why = $"its fixed-size buffer '{name}' holds {elementStruct.Name}, which has constant fields; SymDiff reads buffers of {scalar} or of structs of {scalar} fields";
                    return null;
                }

                builds.Add(inner);
            }

            return $"global::SymDiff.Generated.InlineArrays.Of<{type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}, {elementStruct.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>([{string.Join(", ", builds)}])";
        }

        if (element is null || Signature.FloatingElement(element.Type) is not { } floating || element.Type is IArrayTypeSymbol)
        {
            why = $"its fixed-size buffer '{name}' holds {element?.Type.ToDisplayString() ?? "nothing"}; SymDiff reads buffers of {scalar} or of structs of {scalar} fields";
            return null;
        }

        if (floating != scalar)
        {
            why = $"its fixed-size buffer '{name}' holds {floating}, and the method computes in {scalar}";
            return null;
        }

        var parts = new List<string>();
        for (int k = 0; k < length; k++)
        {
            string path = ElementPath(prefix, k);
            leaves.Add(new Leaf(path, element.Type, Floating: true));
            parts.Add("{" + path + "}");
        }

        return $"global::SymDiff.Generated.InlineArrays.Of<{type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}, {scalar}>([{string.Join(", ", parts)}])";
    }

    // A tuple's elements as fields Item1, Item2, …, built by a tuple literal whose constant elements are default.
    private static string? WalkTuple(INamedTypeSymbol type, string prefix, string scalar, INamedTypeSymbol within, Compilation compilation, List<Leaf> leaves, HashSet<ITypeSymbol> open, out string why)
    {
        why = string.Empty;
        var parts = new List<string>();
        foreach (IFieldSymbol element in type.TupleElements)
        {
            string path = prefix + MemberPath(element);
            if (Signature.FloatingElement(element.Type) is { } floating && element.Type is not IArrayTypeSymbol)
            {
                if (floating != scalar)
                {
                    why = $"its element '{path}' is {floating}, and the method computes in {scalar}";
                    return null;
                }

                leaves.Add(new Leaf(path, element.Type, Floating: true, prefix + element.Name));
                parts.Add("{" + path + "}");
            }
            else if (Signature.IsConstantType(element.Type))
            {
                leaves.Add(new Leaf(path, element.Type, Floating: false, prefix + element.Name));
                parts.Add("default");
            }
            else if (IsCandidate(element.Type))
            {
                string? inner = Walk((INamedTypeSymbol)element.Type, path + ".", scalar, within, compilation, leaves, open, out why);
                if (inner is null)
                {
                    return null;
                }

                parts.Add(inner);
            }
            else
            {
                why = $"its element '{path}' has type '{element.Type.ToDisplayString()}' (a tuple's elements must be {scalar}, constants such as int, bool or string, or structs of such values)";
                return null;
            }
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    // The code that builds 'type' from its floating leaves, one placeholder per leaf path ({W}, {Inner.X}).
    private static string? BuildCode(INamedTypeSymbol type, string prefix, List<(ISymbol Member, string? Build)> members, INamedTypeSymbol within, Compilation compilation, out string why)
    {
        why = string.Empty;
        string typeCode = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string Part((ISymbol Member, string? Build) m) => m.Build ?? "{" + prefix + m.Member.Name + "}";
        if (members.All(m => Settable(m.Member, within, compilation)))
        {
            return members.Count == 0
                ? $"default({typeCode})"
                : $"new {typeCode} {{ {string.Join(", ", members.Select(m => $"{m.Member.Name} = {Part(m)}"))} }}";
        }

        foreach (IMethodSymbol constructor in type.InstanceConstructors.Where(c => c.Parameters.Length > 0 && compilation.IsSymbolAccessibleWithin(c, within)))
        {
            Dictionary<string, ISymbol>? sets = SetsFromParameters(constructor, type);
            if (sets is null)
            {
                continue;
            }

            var arguments = new List<string>();
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                (ISymbol Member, string? Build) member = members.FirstOrDefault(m => sets.TryGetValue(parameter.Name, out ISymbol? set) && SymbolEqualityComparer.Default.Equals(set, m.Member));
                arguments.Add(member.Member is null ? "default" : Part(member));
            }

            if (members.All(m => sets.Values.Contains(m.Member, SymbolEqualityComparer.Default)))
            {
                return $"new {typeCode}({string.Join(", ", arguments)})";
            }
        }

        ISymbol fixedField = members.First(m => !Settable(m.Member, within, compilation)).Member;
        why = $"its field '{prefix}{fixedField.Name}' cannot be set, and no constructor sets each field from the parameter of its name, so generated code could not build the adjoint; give the field an 'init' accessor or add such a constructor";
        return null;
    }

    private static bool Settable(ISymbol member, INamedTypeSymbol within, Compilation compilation) => member switch
    {
        IFieldSymbol f => !f.IsReadOnly,
        IPropertySymbol p => p.SetMethod is { } set && compilation.IsSymbolAccessibleWithin(set, within),
        _ => false,
    };

    // A constructor's parameter → the member it is stored in, when its body does nothing else:
    // a record's primary constructor, or assignments 'Member = parameter;' only.
    public static Dictionary<string, ISymbol>? SetsFromParameters(IMethodSymbol constructor, INamedTypeSymbol type)
    {
        var sets = new Dictionary<string, ISymbol>();
        SyntaxNode? syntax = constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax)
        {
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                if (type.GetMembers(parameter.Name).OfType<IPropertySymbol>().FirstOrDefault() is not { } property)
                {
                    return null;
                }

                sets[parameter.Name] = property;
            }

            return sets;
        }

        if (syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax { Initializer: null } declaration)
        {
            return null;
        }

        foreach (Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? statement in Statements(declaration))
        {
            if (statement is not Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleAssignmentExpression } assignment
                || assignment.Right is not Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax source
                || constructor.Parameters.FirstOrDefault(p => p.Name == source.Identifier.ValueText) is not { } parameter)
            {
                return null;
            }

            string target = assignment.Left switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax id => id.Identifier.ValueText,
                Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax, Name: var name } => name.Identifier.ValueText,
                _ => string.Empty,
            };
            ISymbol? member = type.GetMembers(target).FirstOrDefault(m => m is IFieldSymbol { IsStatic: false } or IPropertySymbol { IsStatic: false });
            if (member is null || constructor.Parameters.Any(p => p.Name == target && p.Name != parameter.Name) || sets.ContainsKey(parameter.Name))
            {
                return null;
            }

            sets[parameter.Name] = member;
        }

        return sets;
    }

    private static IEnumerable<Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax?> Statements(Microsoft.CodeAnalysis.CSharp.Syntax.ConstructorDeclarationSyntax declaration)
    {
        if (declaration.ExpressionBody is { } arrow)
        {
            yield return arrow.Expression;
            yield break;
        }

        foreach (Microsoft.CodeAnalysis.CSharp.Syntax.StatementSyntax statement in declaration.Body?.Statements ?? default)
        {
            yield return (statement as Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax)?.Expression;
        }
    }
}
