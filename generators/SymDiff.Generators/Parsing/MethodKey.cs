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
/// A <c>[Differentiable]</c> method as far as its parse can tell: where it is (file, span, line), its
/// text, and the <see cref="ProjectShape"/> of the compilation around it. Two equal keys give the
/// same parse, so an edit that leaves every key as it was (a change inside an ordinary method's
/// body, a comment between members) binds no method again.
/// </summary>
internal sealed record MethodKey(string Path, int Start, int Length, int Line, string Text, string Shape)
{
    public static MethodKey Of(GeneratorAttributeSyntaxContext context)
    {
        SyntaxNode node = context.TargetNode;
        int line = node.SyntaxTree.GetLineSpan(node.Span).StartLinePosition.Line;
        return new(node.SyntaxTree.FilePath, node.Span.Start, node.Span.Length, line, node.ToFullString(), "");
    }

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
/// The compilation as far as binding a <c>[Differentiable]</c> method can see it, as a SHA-256:
/// every file's tokens except the bodies of ordinary members (methods, accessors, constructors,
/// operators and their expression bodies, when the member has no attribute: the bodies of
/// <c>[Differentiable]</c> methods stay in, since a Hessian's checks read its callees' bodies),
/// the language options, the compilation
/// options that bear on binding and the identity of every reference. Each file's part is computed once per syntax
/// tree, so an edit re-reads only the file it touched.
/// </summary>
internal static class ProjectShape
{
    private static readonly ConditionalWeakTable<SyntaxTree, string> PerTree = new();
    private static readonly ConditionalWeakTable<MetadataReference, object> ReferenceIds = new();
    private static long nextReferenceId;

    public static string Of(Compilation compilation, CancellationToken ct)
    {
        var text = new StringBuilder();
        // Options field by field: the command-line compiler's resolvers throw from GetHashCode.
        CompilationOptions o = compilation.Options;
        text.Append(compilation.AssemblyName).Append(' ').Append(o.OutputKind).Append(' ').Append(o.CheckOverflow).Append(' ')
            .Append(o.NullableContextOptions).Append(' ').Append(o.OptimizationLevel).Append(' ').Append(o.Platform).Append(' ')
            .Append((o as CSharpCompilationOptions)?.AllowUnsafe).Append('\n');
        foreach (MetadataReference reference in compilation.References)
        {
            // A rebuilt reference is a new object: numbered by identity, it changes the shape.
            text.Append(ReferenceIds.GetValue(reference, _ => Interlocked.Increment(ref nextReferenceId))).Append(' ');
        }

        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            ct.ThrowIfCancellationRequested();
            text.Append('\n').Append(tree.FilePath).Append(' ').Append(PerTree.GetValue(tree, t => Hash(TreeShape(t, ct))));
        }

        return Hash(text.ToString());
    }

    private static string TreeShape(SyntaxTree tree, CancellationToken ct)
    {
        var text = new StringBuilder();
        if (tree.Options is CSharpParseOptions options)
        {
            text.Append(options.LanguageVersion).Append(' ').Append(string.Join(",", options.PreprocessorSymbolNames)).Append('\n');
        }

        Append(tree.GetRoot(ct), text);
        return text.ToString();
    }

    // Tokens in order, one space apart; an ordinary body stands as "{}".
    private static void Append(SyntaxNode node, StringBuilder text)
    {
        foreach (SyntaxNodeOrToken child in node.ChildNodesAndTokens())
        {
            if (child.IsToken)
            {
                text.Append(child.AsToken().Text).Append(' ');
            }
            else if (IsOrdinaryBody(child.AsNode()!))
            {
                text.Append("{} ");
            }
            else
            {
                Append(child.AsNode()!, text);
            }
        }
    }

    private static bool IsOrdinaryBody(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax
        && node.Parent is MemberDeclarationSyntax { AttributeLists.Count: 0 } or AccessorDeclarationSyntax { AttributeLists.Count: 0 };

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
