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
/// the bodies it may read in place (those of the members its text names, and of the members
/// their bodies name in turn), and for a method that asks for second order (whose checks read the
/// bodies of its callees) the bodies of attributed methods too. Two equal keys give the same
/// parse, so an edit that leaves every key as it was (a change inside another method's body, a
/// comment between members) binds no method again.
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

    /// <summary>
    /// The key under <paramref name="shape"/>: the declarations, the bodies read in place by every
    /// method, those of the members this method's text names (and theirs, in turn), and for a
    /// method whose attributes mention second order the bodies of attributed methods.
    /// </summary>
    public MethodKey In(ProjectShape.Shape shape) =>
        this with { Shape = shape.Declarations + " " + shape.InPlace + " " + shape.NamedBodies(Text) + (SecondOrder ? " " + shape.Bodies : string.Empty) };

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
/// The compilation as far as binding a <c>[Differentiable]</c> method can see it, in SHA-256
/// parts. <see cref="Shape.Declarations"/>: every file's tokens without the bodies of members
/// (methods, accessors, constructors, operators, and their expression bodies), the language
/// options, the compilation options that bear on binding and the identity of every reference.
/// <see cref="Shape.Bodies"/>: the bodies of methods that carry an attribute, which only a
/// second-order method's checks read (they look into the bodies of the methods it calls).
/// The bodies a differentiated method may read in place (struct members, helpers over structs,
/// helpers of types that are not partial) come in two kinds. A member called by its name (an
/// ordinary method or property of a class) is filed under that name, with the names its own body
/// uses: a key holds only the bodies reachable by name from its method's text, so an edit of a
/// helper nobody differentiated calls binds no method again. The rest (members of structs, which
/// C# calls without naming them: operators, <c>Deconstruct</c>, constructors; members named
/// like a pattern C# calls implicitly) go into <see cref="Shape.InPlace"/>, which every key holds.
/// Each file's parts are computed once per syntax tree, so an edit re-reads only the file it touched.
/// </summary>
internal static class ProjectShape
{
    /// <summary>The parts of a compilation's shape; equal when every part is, the named bodies compared by their digest.</summary>
    public sealed class Shape(string declarations, string bodies, string inPlace, Dictionary<string, Named> named) : IEquatable<Shape>
    {
        private readonly string namedDigest = Hash(string.Join("\n", named.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => n.Key + " " + n.Value.Hash)));

        public string Declarations { get; } = declarations;

        public string Bodies { get; } = bodies;

        public string InPlace { get; } = inPlace;

        /// <summary>The digests of the named bodies reachable from <paramref name="text"/>'s identifiers, in name order.</summary>
        public string NamedBodies(string text)
        {
            var reached = new SortedSet<string>(StringComparer.Ordinal);
            var work = new Stack<string>(Identifiers(text));
            while (work.Count > 0)
            {
                string name = work.Pop();
                if (named.TryGetValue(name, out Named? entry) && reached.Add(name))
                {
                    foreach (string next in entry.Names)
                    {
                        work.Push(next);
                    }
                }
            }

            return string.Join(",", reached.Select(name => name + ":" + named[name].Hash));
        }

        public bool Equals(Shape? other) => other is not null
            && Declarations == other.Declarations && Bodies == other.Bodies && InPlace == other.InPlace && namedDigest == other.namedDigest;

        public override bool Equals(object? obj) => Equals(obj as Shape);

        public override int GetHashCode() => (Declarations, Bodies, InPlace, namedDigest).GetHashCode();
    }

    /// <summary>The bodies of the members of one name (their digest) and the identifiers those bodies use.</summary>
    public sealed record Named(string Hash, IReadOnlyCollection<string> Names);

    // A file's parts, hashed once per syntax tree; each named body by its own digest.
    private sealed record TreeParts(string Declarations, string Bodies, string InPlace, IReadOnlyList<(string Name, string BodyHash, HashSet<string> Names)> Named);

    // Members C# calls without their name in the caller's text (deconstruction, foreach, a
    // collection initializer, an index from the end or a range on a user type, using, await).
    private static readonly HashSet<string> ImplicitlyCalled = new(StringComparer.Ordinal)
    {
        "Deconstruct", "GetEnumerator", "MoveNext", "Current", "Dispose", "Add", "Slice", "Length", "Count",
        "GetPinnableReference", "GetAwaiter", "GetResult", "IsCompleted", "OnCompleted", "Select", "Where", "SelectMany",
    };

    private static readonly ConditionalWeakTable<SyntaxTree, TreeParts> PerTree = new();
    private static readonly ConditionalWeakTable<MetadataReference, object> ReferenceIds = new();
    private static long nextReferenceId;

    public static Shape Of(Compilation compilation, CancellationToken ct)
    {
        var declarations = new StringBuilder();
        var bodies = new StringBuilder();
        var inPlace = new StringBuilder();
        var named = new Dictionary<string, (StringBuilder BodyHashes, HashSet<string> Names)>(StringComparer.Ordinal);

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
            TreeParts parts = PerTree.GetValue(tree, t => TreeShape(t, ct));
            declarations.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.Declarations);
            bodies.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.Bodies);
            inPlace.Append('\n').Append(tree.FilePath).Append(' ').Append(parts.InPlace);
            foreach ((string name, string bodyHash, HashSet<string> names) in parts.Named)
            {
                if (!named.TryGetValue(name, out var entry))
                {
                    entry = (new StringBuilder(), new HashSet<string>(StringComparer.Ordinal));
                    named[name] = entry;
                }

                entry.BodyHashes.Append(tree.FilePath).Append(' ').Append(bodyHash).Append('\n');
                entry.Names.UnionWith(names);
            }
        }

        return new Shape(
            Hash(declarations.ToString()),
            Hash(bodies.ToString()),
            Hash(inPlace.ToString()),
            named.ToDictionary(n => n.Key, n => new Named(Hash(n.Value.BodyHashes.ToString()), n.Value.Names), StringComparer.Ordinal));
    }

    private static TreeParts TreeShape(SyntaxTree tree, CancellationToken ct)
    {
        var declarations = new StringBuilder();
        var bodies = new StringBuilder();
        var inPlace = new StringBuilder();
        var named = new List<(string Name, string BodyHash, HashSet<string> Names)>();
        if (tree.Options is CSharpParseOptions options)
        {
            declarations.Append(options.LanguageVersion).Append(' ').Append(string.Join(",", options.PreprocessorSymbolNames)).Append('\n');
        }

        Append(tree.GetRoot(ct), declarations, bodies, inPlace, named);
        return new TreeParts(Hash(declarations.ToString()), Hash(bodies.ToString()), Hash(inPlace.ToString()), named);
    }

    // Tokens in order, one space apart; a member's body stands as "{}" in the declarations, and
    // goes whole into the bodies when its method carries an attribute.
    private static void Append(SyntaxNode node, StringBuilder declarations, StringBuilder bodies, StringBuilder inPlace, List<(string Name, string BodyHash, HashSet<string> Names)> named)
    {
        foreach (SyntaxNodeOrToken child in node.ChildNodesAndTokens())
        {
            if (child.IsToken)
            {
                declarations.Append(child.AsToken().Text).Append(' ');
            }
            else if (IsBody(child.AsNode()!))
            {
                SyntaxNode body = child.AsNode()!;
                declarations.Append("{} ");
                if (body.Parent is MethodDeclarationSyntax { AttributeLists.Count: > 0 })
                {
                    bodies.Append(body.ToString()).Append('\n');
                }

                if (MayBeReadInPlace(body))
                {
                    if (CalledByName(body) is { } name)
                    {
                        named.Add((name, Hash(body.ToString()), new HashSet<string>(body.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText), StringComparer.Ordinal)));
                    }
                    else
                    {
                        inPlace.Append(body.ToString()).Append('\n');
                    }
                }
            }
            else
            {
                Append(child.AsNode()!, declarations, bodies, inPlace, named);
            }
        }
    }

    // The name a caller's text must hold to reach this body: a method's or a property's of a
    // class, unless C# calls members of that name implicitly. Null for everything else.
    private static string? CalledByName(SyntaxNode body)
    {
        SyntaxNode? member = body.Parent is AccessorDeclarationSyntax accessor ? accessor.Parent?.Parent : body.Parent;
        if (member?.Parent is not ClassDeclarationSyntax and not RecordDeclarationSyntax { ClassOrStructKeyword.Text: not "struct" })
        {
            return null;
        }

        string? name = member switch
        {
            MethodDeclarationSyntax m => m.Identifier.ValueText,
            PropertyDeclarationSyntax p => p.Identifier.ValueText,
            _ => null,
        };
        return name is not null && !ImplicitlyCalled.Contains(name) ? name : null;
    }

    /// <summary>The identifiers of <paramref name="text"/>, as the compiler reads them.</summary>
    private static IEnumerable<string> Identifiers(string text) =>
        SyntaxFactory.ParseTokens(text).Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.ValueText).Distinct(StringComparer.Ordinal);

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
