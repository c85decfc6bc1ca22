using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// Checks a <c>[CustomDerivative]</c> registration: the named pullback and derivative exist in
/// the same type and have exactly the shapes SymDiff would generate, so calls from generated
/// code bind to them.
/// </summary>
internal static class CustomDerivatives
{
    public static EquatableArray<DiagnosticInfo> Validate(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        AttributeData attribute = context.Attributes[0];
        Location? at = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        return Problems(method, attribute)
            .Select(p => new DiagnosticInfo(Descriptors.BadCustomDerivative.Id, LocationInfo.From(at), new[] { method.Name, p }.ToEquatableArray()))
            .ToEquatableArray();
    }

    /// <summary>True when a call to <paramref name="method"/> can use its registered derivatives (else SD0025 reports why, once).</summary>
    public static bool IsValid(IMethodSymbol method) =>
        Signature.Attribute(method, Signature.CustomDerivativeAttribute) is not { } attribute || Problems(method, attribute).Count == 0;

    private static List<string> Problems(IMethodSymbol method, AttributeData attribute)
    {
        var problems = new List<string>();
        string? scalar = Signature.FloatingElement(method.ReturnType);
        var kinds = method.Parameters.Select(p => Signature.Classify(p.Type)).ToList();
        if (scalar is null || method.ReturnType is not { SpecialType: SpecialType.System_Double or SpecialType.System_Single })
        {
            problems.Add($"'{method.Name}' must return double or float");
        }
        else if (kinds.Any(k => k is null))
        {
            problems.Add($"a parameter of '{method.Name}' has a type SymDiff cannot differentiate");
        }
        else if (attribute.ConstructorArguments.Length == 2
            && attribute.ConstructorArguments[0].Value is string backward
            && attribute.ConstructorArguments[1].Value is string forward)
        {
            var differentiable = method.Parameters.Where((p, i) => Signature.IsDifferentiable(p, kinds[i]!.Value, [])).ToList();
            string primal = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString()));
            string adjoints = string.Concat(differentiable.Select(p => Signature.Classify(p.Type) == ParamKind.Double ? $", ref {scalar}" : $", System.Span<{scalar}>"));
            string tangents = string.Concat(differentiable.Select(p => Signature.Classify(p.Type) == ParamKind.Double ? $", {scalar}" : $", System.ReadOnlySpan<{scalar}>"));
            Check(method, backward, "void", $"{primal}, {scalar}{adjoints}".TrimStart(',', ' '), problems);
            Check(method, forward, scalar, $"{primal}{tangents}".TrimStart(',', ' '), problems);
            if (SecondOrderName(attribute) is { } second)
            {
                Check(method, second, "void", $"{primal}{tangents}, {scalar}, {scalar}{adjoints}{adjoints}".TrimStart(',', ' '), problems);
            }
        }

        return problems;
    }

    /// <summary>The name given as <c>SecondOrder = nameof(...)</c>, or null.</summary>
    public static string? SecondOrderName(AttributeData attribute) =>
        attribute.NamedArguments.FirstOrDefault(a => a.Key == "SecondOrder").Value.Value as string;

    private static void Check(IMethodSymbol primal, string name, string returns, string parameters, List<string> problems)
    {
        var candidates = primal.ContainingType.GetMembers(name).OfType<IMethodSymbol>().ToList();
        string expected = $"{(primal.IsStatic ? "static " : string.Empty)}{returns} {name}({parameters})";
        if (candidates.Count == 0)
        {
            problems.Add($"there is no method '{name}' in '{primal.ContainingType.Name}'; declare {expected}");
            return;
        }

        if (!candidates.Any(c => Shape(c) == expected))
        {
            problems.Add($"'{name}' is {Shape(candidates[0])}, but it must be {expected}");
        }
    }

    private static string Shape(IMethodSymbol m) =>
        $"{(m.IsStatic ? "static " : string.Empty)}{m.ReturnType.ToDisplayString()} {m.Name}({string.Join(", ", m.Parameters.Select(p => (p.RefKind == RefKind.Ref ? "ref " : p.RefKind == RefKind.Out ? "out " : string.Empty) + Display(p.Type)))})";

    private static string Display(ITypeSymbol type) => type is INamedTypeSymbol { IsGenericType: true } named && named.ContainingNamespace?.ToDisplayString() == "System"
        ? $"System.{named.Name}<{named.TypeArguments[0].ToDisplayString()}>"
        : type.ToDisplayString();
}
