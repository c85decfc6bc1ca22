using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// A <c>[Differentiable]</c> method as far as its parse can tell: where it is (file, span, line),
/// its text, and the <see cref="ProjectShape"/> of the compilation around it: the declarations,
/// and for a method that asks for second order (whose checks read the bodies of its callees) the
/// bodies of attributed methods too. Two equal keys give the same parse, so an edit that leaves
/// every key as it was (a change inside another method's body, a comment between members) binds
/// no method again.
/// </summary>
internal sealed record MethodKey(string Path, int Start, int Length, int Line, string Text, bool SecondOrder, string Shape)
{
    public static MethodKey Of(GeneratorAttributeSyntaxContext context)
    {
        SyntaxNode node = context.TargetNode;
        int line = node.SyntaxTree.GetLineSpan(node.Span).StartLinePosition.Line;
        string attributes = ((MethodDeclarationSyntax)node).AttributeLists.ToString();
        bool secondOrder = attributes.Contains("Hessian") || attributes.Contains("Jacobian");
        return new(node.SyntaxTree.FilePath, node.Span.Start, node.Span.Length, line, node.ToFullString(), secondOrder, "");
    }

    /// <summary>The key under <paramref name="shape"/>: a method whose attributes mention second order also sees the bodies.</summary>
    public MethodKey In(ProjectShape.Shape shape) => this with { Shape = shape.Declarations + " " + shape.InPlace + (SecondOrder ? " " + shape.Bodies : string.Empty) };

    /// <summary>The compilation's tree at <paramref name="path"/> (by index, built once per compilation).</summary>
    public static SyntaxTree Tree(Compilation compilation, string path) =>
        TreesByPath.GetValue(compilation, c =>
        {
            var trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
            foreach (SyntaxTree tree in c.SyntaxTrees)
            {
                trees[tree.FilePath] = tree;
            }

            return trees;
        })[path];

    private static readonly ConditionalWeakTable<Compilation, Dictionary<string, SyntaxTree>> TreesByPath = new();
}

/// <summary>
/// The compilation as far as binding a <c>[Differentiable]</c> method can see it, in two SHA-256
/// parts. <see cref="Shape.Declarations"/>: every file's tokens without the bodies of members
/// (methods, accessors, constructors, operators, and their expression bodies), the language
/// options, the compilation options that bear on binding and the identity of every reference.
/// <see cref="Shape.Bodies"/>: the bodies of methods that carry an attribute, which only a
/// second-order method's checks read (they look into the bodies of the methods it calls).
/// <see cref="Shape.InPlace"/>: the bodies a differentiated method may read in place (struct
/// members, helpers over structs, helpers of types that are not partial), which every key holds. Each
/// file's parts are computed once per syntax tree, so an edit re-reads only the file it touched.
/// </summary>
internal static class ProjectShape
{
    public readonly record struct Shape(string Declarations, string Bodies, string InPlace);

    private static readonly ConditionalWeakTable<SyntaxTree, Tuple<string, string, string>> PerTree = new();
    private static readonly ConditionalWeakTable<MetadataReference, object> ReferenceIds = new();
    private static long nextReferenceId;

    public static Shape Of(Compilation compilation, CancellationToken ct)
    {
        var declarations = new StringBuilder();
        var bodies = new StringBuilder();
        var inPlace = new StringBuilder();

        // Options field by field: the command-line compiler's resolvers throw from GetHashCode.
        CompilationOptions o = compilation.Options;
        declarations.Append(compilation.AssemblyName).Append(' ').Append(o.OutputKind).Append(' ').Append(o.CheckOverflow).Append(' ')
            .Append(o.NullableContextOptions).Append(' ').Append(o.OptimizationLevel).Append(' ').Append(o.Platform).Append(' ')
            .Append((o as CSharpCompilationOptions)?.AllowUnsafe).Append('\n');
        foreach (MetadataReference reference in compilation.References)
        {
            // A rebuilt reference is a new object: numbered by identity, it changes the shape.
            declarations.Append(ReferenceIds.GetValue(reference, _ => Interlocked.Increment(ref nextReferenceId))).Append(' ');
        }

        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            ct.ThrowIfCancellationRequested();
            Tuple<string, string, string> parts = PerTree.GetValue(tree, t => TreeShape(t, ct));
            declarations.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.Item1);
            bodies.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.Item2);
            inPlace.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.Item3);
        }

        return new Shape(Hash(declarations.ToString()), Hash(bodies.ToString()), Hash(inPlace.ToString()));
    }

    private static Tuple<string, string, string> TreeShape(SyntaxTree tree, CancellationToken ct)
    {
        var declarations = new StringBuilder();
        var bodies = new StringBuilder();
        var inPlace = new StringBuilder();
        if (tree.Options is CSharpParseOptions options)
        {
            declarations.Append(options.LanguageVersion).Append(' ').Append(string.Join(",", options.PreprocessorSymbolNames)).Append('\n');
        }

        Append(tree.GetRoot(ct), declarations, bodies, inPlace);
        return Tuple.Create(Hash(declarations.ToString()), Hash(bodies.ToString()), Hash(inPlace.ToString()));
    }

    // Tokens in order, one space apart; a member's body stands as "{}" in the declarations, and
    // goes whole into the bodies when its method carries an attribute.
    private static void Append(SyntaxNode node, StringBuilder declarations, StringBuilder bodies, StringBuilder inPlace)
    {
        foreach (SyntaxNodeOrToken child in node.ChildNodesAndTokens())
        {
            if (child.IsToken)
            {
                declarations.Append(child.AsToken().Text).Append(' ');
            }
            else if (IsBody(child.AsNode()!))
            {
                declarations.Append("{} ");
                if (child.AsNode()!.Parent is MethodDeclarationSyntax { AttributeLists.Count: > 0 })
                {
                    bodies.Append(child.AsNode()!.ToString()).Append('\n');
                }

                if (MayBeReadInPlace(child.AsNode()!))
                {
                    inPlace.Append(child.AsNode()!.ToString()).Append('\n');
                }
            }
            else
            {
                Append(child.AsNode()!, declarations, bodies, inPlace);
            }
        }
    }

    // A body a differentiated method may read in place (BodyParser.Inlining, whose CoveredByKey
    // is the same rule on symbols): any member of a struct; any member whose signature names a
    // type other than a predefined one (a struct, Span<double>, T); and a member over floating
    // values in a type that is not partial. Editing any other body binds no method again.
    private static bool MayBeReadInPlace(SyntaxNode body)
    {
        SyntaxNode? member = body.Parent is AccessorDeclarationSyntax accessor ? accessor.Parent?.Parent : body.Parent;
        if (member?.Parent is StructDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.Text: "struct" })
        {
            return true;
        }

        IEnumerable<TypeSyntax> types = member switch
        {
            BaseMethodDeclarationSyntax m => m.ParameterList.Parameters.Where(p => p.Type is not null).Select(p => p.Type!)
                .Concat(m is MethodDeclarationSyntax method ? new[] { method.ReturnType } : m is OperatorDeclarationSyntax op ? new[] { op.ReturnType } : Array.Empty<TypeSyntax>()),
            BasePropertyDeclarationSyntax p => new[] { p.Type },
            _ => Array.Empty<TypeSyntax>(),
        };
        var named = types.SelectMany(t => t.DescendantNodesAndSelf().OfType<TypeSyntax>()).ToList();
        return named.Any(t => t is IdentifierNameSyntax or GenericNameSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax)
            || (named.Any(t => t is PredefinedTypeSyntax { Keyword.Text: "double" or "float" })
                && member!.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => !t.Modifiers.Any(m => m.Text == "partial")));
    }

    private static bool IsBody(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax && node.Parent is MemberDeclarationSyntax or AccessorDeclarationSyntax;

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
