using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// Methods without <c>[Differentiable]</c> that differentiated code calls (a private helper,
/// <c>Distance(p, q)</c>): SymDiff differentiates their bodies as if they were marked, and
/// generates their methods beside them. A parse lists the calls its body makes; this class turns
/// those lists into the methods to parse (following their own calls), and the parses into what
/// may be emitted: a method is emitted only when everything it calls can be, so generated code
/// never calls a method that was not generated. A callee that cannot be differentiated gets the
/// reason at every call of it.
/// </summary>
internal static class ImplicitCallees
{
    /// <summary>The methods to differentiate for the calls of <paramref name="calls"/>, and of their bodies in turn, sorted by id.</summary>
    public static EquatableArray<ImplicitRequest> Requests(ImmutableArray<EquatableArray<ImplicitCall>> calls, ProjectShape.Shape shape, Compilation compilation, CancellationToken ct)
    {
        var sites = new Dictionary<string, (string Name, SortedSet<LocationInfo> At)>(StringComparer.Ordinal);
        var work = new Queue<string>();
        void Add(ImplicitCall call)
        {
            if (!sites.TryGetValue(call.Id, out var entry))
            {
                entry = (call.Name, new SortedSet<LocationInfo>(SiteOrder.Instance));
                sites[call.Id] = entry;
                work.Enqueue(call.Id);
            }

            if (call.At is not null)
            {
                entry.At.Add(call.At);
            }
        }

        foreach (ImplicitCall call in calls.SelectMany(c => c))
        {
            Add(call);
        }

        var keys = new Dictionary<string, MethodKey>(StringComparer.Ordinal);
        while (work.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            string id = work.Dequeue();
            if (DocumentationCommentId.GetFirstSymbolForDeclarationId(id, compilation) is not IMethodSymbol callee
                || callee.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is not MethodDeclarationSyntax syntax)
            {
                continue;
            }

            int line = syntax.SyntaxTree.GetLineSpan(syntax.Span).StartLinePosition.Line;
            keys[id] = new MethodKey(syntax.SyntaxTree.FilePath, syntax.Span.Start, syntax.Span.Length, line, syntax.ToFullString(), false, string.Empty).In(shape);

            // Its own calls of methods like it: the same test the body parser makes.
            if (Semantics.ModelOf(compilation, syntax.SyntaxTree).GetOperation(syntax, ct) is not { } body)
            {
                continue;
            }

            foreach (IInvocationOperation invocation in body.Descendants().OfType<IInvocationOperation>())
            {
                IMethodSymbol target = invocation.TargetMethod;
                if (Signature.IsImplicitCandidate(target) && Signature.NotPartial(target) is null)
                {
                    Add(new ImplicitCall(DocumentationCommentId.CreateDeclarationId(target.OriginalDefinition) ?? target.ToDisplayString(), target.Name, LocationInfo.From(invocation.Syntax)));
                }
            }
        }

        return sites.Where(s => keys.ContainsKey(s.Key))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new ImplicitRequest(keys[s.Key], s.Key, s.Value.Name, s.Value.At.ToEquatableArray()))
            .ToEquatableArray();
    }

    /// <summary>
    /// The call-graph keys of the methods that must not be emitted: an implicit callee whose parse
    /// failed, and every method that calls one, directly or through others. With the diagnostics
    /// that say why, at the calls of each implicit callee that cannot be differentiated.
    /// </summary>
    public static (EquatableArray<string> Blocked, EquatableArray<DiagnosticInfo> Diagnostics) Outcome(
        ImmutableArray<(ImplicitRequest Request, ParseResult Result)> parsed, ImmutableArray<CallInfo> all)
    {
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((ImplicitRequest request, ParseResult result) in parsed.Where(p => p.Result.Model is null))
        {
            // No model and no diagnostic: the method has the compiler's own errors, which say enough.
            reasons[request.Id] = result.Diagnostics.Count == 0 ? string.Empty : Reason(result.Diagnostics[0]);
        }

        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var blockedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (CallInfo info in all.Where(i => !blocked.Contains(i.Key)))
            {
                // What it calls that cannot be differentiated: a failed helper, or a blocked method.
                string? cause = info.Implicit.FirstOrDefault(reasons.ContainsKey) is { } id ? NameOf(parsed, id)
                    : info.Callees.FirstOrDefault(blocked.Contains) is { } key ? blockedBy[key]
                    : null;
                if (cause is null)
                {
                    continue;
                }

                blocked.Add(info.Key);
                blockedBy[info.Key] = info.Name;
                if (info.ImplicitId is { Length: > 0 } own && !reasons.ContainsKey(own))
                {
                    reasons[own] = $"it calls '{cause}', which cannot be differentiated";
                }

                changed = true;
            }
        }

        var diagnostics = new List<DiagnosticInfo>();
        foreach ((ImplicitRequest request, _) in parsed)
        {
            if (reasons.TryGetValue(request.Id, out string? reason) && reason.Length > 0)
            {
                diagnostics.AddRange(request.Sites.Select(site => new DiagnosticInfo(
                    Descriptors.ImplicitCallee.Id, site, new[] { request.Name, reason }.ToEquatableArray())));
            }
        }

        return (blocked.OrderBy(k => k, StringComparer.Ordinal).ToEquatableArray(), diagnostics.ToEquatableArray());
    }

    private static string NameOf(ImmutableArray<(ImplicitRequest Request, ParseResult Result)> parsed, string id) =>
        parsed.FirstOrDefault(p => p.Request.Id == id).Request?.Name ?? id;

    /// <summary>Why a callee cannot be differentiated, from the first diagnostic its body had.</summary>
    public static string Reason(DiagnosticInfo first)
    {
        string message = first.ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        string where = first.Location is { } at ? $" ({System.IO.Path.GetFileName(at.FilePath)}, line {at.Line})" : string.Empty;
        return $"its body cannot be differentiated{where}: {message}";
    }

    private sealed class SiteOrder : IComparer<LocationInfo>
    {
        public static readonly SiteOrder Instance = new();

        public int Compare(LocationInfo? x, LocationInfo? y) =>
            (x, y) switch
            {
                (null, null) => 0,
                (null, _) => -1,
                (_, null) => 1,
                _ => string.CompareOrdinal(x.FilePath, y.FilePath) is var c and not 0 ? c : x.Span.Start.CompareTo(y.Span.Start),
            };
    }
}
