using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>
/// Rewrites double methods as generic-math methods over <c>T : IFloatingPointIeee754&lt;T&gt;</c>,
/// reading the compiler's view of the double program: <c>double</c> becomes <c>T</c>,
/// <c>Math.Sin</c> and <c>double.Max</c> become <c>T.Sin</c> and <c>T.Max</c>, every floating
/// constant becomes <c>T.CreateChecked(c)</c>, every integer used as a floating value
/// <c>T.CreateChecked(n)</c>, and <c>(int)x</c> of a floating value <c>int.CreateTruncating(x)</c>.
/// At T = double the twin computes what the double method computes. A method with a pattern on a
/// floating value has no twin (on an open T, C# matches constant patterns by type, never by value).
/// </summary>
internal static class GenericTwin
{
    private const string Constraint = "System.Numerics.IFloatingPointIeee754<T>";

    /// <summary>The generic twins of the methods declared in <paramref name="members"/> (which may call <paramref name="context"/>'s), or null.</summary>
    public static string? Of(string members, string context = "")
    {
        string source = $$"""
            using System;
            using SymDiff;

            namespace Cases;

            public static partial class Twin
            {
            {{members}}
            {{context}}
            }
            """;
        CSharpCompilation compilation = Harness.Compilation("Twin", null, source);
        SyntaxTree tree = compilation.SyntaxTrees[0];
        SemanticModel model = compilation.GetSemanticModel(tree);
        if (model.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException("The double program does not compile:\n" + string.Join("\n", model.GetDiagnostics()));
        }

        var wanted = new HashSet<string>(CSharpSyntaxTree.ParseText($"class X {{ {members} }}").GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Select(m => m.Identifier.ValueText));
        var rewriter = new Rewriter(model);
        var twins = new List<string>();
        foreach (MethodDeclarationSyntax method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => wanted.Contains(m.Identifier.ValueText)))
        {
            if (method.DescendantNodes().Any(n => n is PatternSyntax && model.GetTypeInfo(n).Type is { SpecialType: SpecialType.System_Double }
                || n is IsPatternExpressionSyntax i && model.GetTypeInfo(i.Expression).Type?.SpecialType == SpecialType.System_Double
                || n is SwitchExpressionSyntax s && model.GetTypeInfo(s.GoverningExpression).Type?.SpecialType == SpecialType.System_Double))
            {
                return null;
            }

            var rewritten = (MethodDeclarationSyntax)rewriter.Visit(method)!;
            if (rewriter.Failed)
            {
                return null;
            }

            twins.Add(rewritten
                .WithTypeParameterList(SyntaxFactory.TypeParameterList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.TypeParameter("T"))))
                .WithConstraintClauses(SyntaxFactory.SingletonList(SyntaxFactory.TypeParameterConstraintClause("T")
                    .WithConstraints(SyntaxFactory.SingletonSeparatedList<TypeParameterConstraintSyntax>(SyntaxFactory.TypeConstraint(SyntaxFactory.ParseTypeName(Constraint))))))
                .NormalizeWhitespace()
                .ToFullString());
        }

        return string.Join("\n", twins);
    }

    private sealed class Rewriter(SemanticModel model) : CSharpSyntaxRewriter
    {
        public bool Failed { get; private set; }

        private static ExpressionSyntax Create(ExpressionSyntax value) =>
            SyntaxFactory.ParseExpression($"T.CreateChecked({value})");

        private bool IsDouble(ITypeSymbol? type) => type?.SpecialType == SpecialType.System_Double;

        private static bool IsInteger(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16;

        public override SyntaxNode? Visit(SyntaxNode? node)
        {
            if (node is ExpressionSyntax and not PredefinedTypeSyntax)
            {
                TypeInfo info = model.GetTypeInfo(node!);
                Optional<object?> constant = model.GetConstantValue(node!);
                if (constant.HasValue && constant.Value is double or int or long && IsDouble(info.ConvertedType) && !ParentIsFloatingConstant(node!))
                {
                    double value = Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture);
                    if (!double.IsFinite(value))
                    {
                        Failed = true;
                        return node;
                    }

                    return Create(SyntaxFactory.ParseExpression(value.ToString("R", CultureInfo.InvariantCulture))).WithTriviaFrom(node!);
                }

                if (IsInteger(info.Type) && IsDouble(info.ConvertedType))
                {
                    return Create((ExpressionSyntax)base.Visit(node)!).WithTriviaFrom(node!);
                }
            }

            return base.Visit(node);
        }

        // Inside -0.75 only the whole constant is written once.
        private bool ParentIsFloatingConstant(SyntaxNode node) =>
            node.Parent is ExpressionSyntax parent && model.GetConstantValue(parent).HasValue && IsDouble(model.GetTypeInfo(parent).ConvertedType);

        public override SyntaxNode? VisitPredefinedType(PredefinedTypeSyntax node) =>
            node.Keyword.IsKind(SyntaxKind.DoubleKeyword) ? SyntaxFactory.IdentifierName("T").WithTriviaFrom(node) : base.VisitPredefinedType(node);

        public override SyntaxNode? VisitCastExpression(CastExpressionSyntax node)
        {
            ITypeSymbol? target = model.GetTypeInfo(node.Type).Type;
            ITypeSymbol? operand = model.GetTypeInfo(node.Expression).Type;
            var inner = (ExpressionSyntax)Visit(node.Expression)!;
            if (IsDouble(target))
            {
                return (IsInteger(operand) ? Create(inner) : SyntaxFactory.ParenthesizedExpression(inner)).WithTriviaFrom(node);
            }

            if (IsDouble(operand))
            {
                return SyntaxFactory.ParseExpression($"{node.Type}.CreateTruncating({inner})").WithTriviaFrom(node);
            }

            return node.WithExpression(inner);
        }

        public override SyntaxNode? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
        {
            ISymbol? symbol = model.GetSymbolInfo(node).Symbol;
            // Only the double overloads: Math.Sign(-0) of an int stays as it is.
            if (symbol is { IsStatic: true } && symbol.ContainingType?.ToDisplayString() is "System.Math" or "double"
                && (symbol is not IMethodSymbol method || method.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Double)))
            {
                return SyntaxFactory.ParseExpression("T." + node.Name.Identifier.ValueText).WithTriviaFrom(node);
            }

            return base.VisitMemberAccessExpression(node);
        }
    }
}
