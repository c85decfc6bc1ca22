using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Emit;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators;

/// <summary>
/// Generates <c>Gradient</c>, <c>Backward</c> and <c>Derivative</c> for every
/// <c>[Differentiable]</c> method. The pipeline: parse (Roslyn → equatable model) →
/// differentiate and simplify (pure) → emit (text). Source and diagnostics travel in two
/// separate outputs, so a diagnostic that moves regenerates nothing.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DifferentiableGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Binding a method is the parse's cost (about 1 ms each), so a method is parsed again only
        // when its key changes: its own text and place, or the shape of the project around it.
        // The compilation rides along for the parse, compared by nothing and held weakly.
        IncrementalValueProvider<ProjectShape.Shape> shape = context.CompilationProvider
            .Select(static (c, ct) => ProjectShape.Of(c, ct))
            .WithTrackingName(TrackingNames.Shape);
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Signature.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, _) => MethodKey.Of(ctx))
            .Combine(shape)
            .Select(static (pair, _) => pair.Left.In(pair.Right))
            .Combine(context.CompilationProvider.Select(static (c, _) => new WeakReference<Compilation>(c)))
            .WithComparer(FirstOnly<MethodKey>.Instance)
            .Select(static (pair, ct) => pair.Item2.TryGetTarget(out Compilation? compilation)
                ? MethodParser.Parse(compilation, pair.Item1, ct)
                : throw new InvalidOperationException("the compilation being generated for is gone"))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<MethodModel> models = results
            .Where(static r => r.Model is not null)
            .Select(static (r, _) => r.Model!)
            .WithTrackingName(TrackingNames.Models);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (r, _) => r.Diagnostics)
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> customDerivatives = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Signature.CustomDerivativeAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => CustomDerivatives.Validate(ctx, ct))
            .Where(static d => d.Count > 0)
            .WithTrackingName(TrackingNames.CustomDerivatives);

        // Methods without [Differentiable] that differentiated code calls, found from the parses'
        // lists of such calls and then from those methods' own bodies. Each is parsed under its
        // own key, like an attributed method, so an edit inside one helper parses that helper.
        IncrementalValueProvider<EquatableArray<ImplicitRequest>> requests = results
            .Select(static (r, _) => r.Implicit)
            .Collect()
            .Combine(shape)
            .Combine(context.CompilationProvider)
            .Select(static (input, ct) => ImplicitCallees.Requests(input.Left.Left, input.Left.Right, input.Right, ct))
            .WithTrackingName(TrackingNames.ImplicitRequests);
        IncrementalValuesProvider<(ImplicitRequest Request, ParseResult Result)> implicitResults = requests
            .SelectMany(static (all, _) => all)
            .Combine(context.CompilationProvider.Select(static (c, _) => new WeakReference<Compilation>(c)))
            .WithComparer(FirstOnly<ImplicitRequest>.Instance)
            .Select(static (pair, ct) => (pair.Item1, pair.Item2.TryGetTarget(out Compilation? compilation)
                ? MethodParser.Parse(compilation, pair.Item1.Key, ct)
                : throw new InvalidOperationException("the compilation being generated for is gone")))
            .WithTrackingName(TrackingNames.ImplicitParse);
        IncrementalValuesProvider<(MethodModel Model, string Id)> implicitModels = implicitResults
            .Where(static r => r.Result.Model is not null)
            .Select(static (r, _) => (r.Result.Model!, r.Request.Id));

        // The call graph over both kinds of method: a method that a Hessian = true method calls
        // (directly or not) also gets BackwardTangent, and a method that calls a helper that
        // cannot be differentiated (directly or not) is not emitted. A model changes only when
        // its own flags do, so an edit elsewhere re-emits nothing.
        IncrementalValueProvider<ImmutableArray<CallInfo>> callGraph = models
            .Select(static (m, _) => CallGraph.Info(m))
            .Collect()
            .Combine(implicitModels.Select(static (m, _) => CallGraph.Info(m.Model, m.Id)).Collect())
            .Select(static (pair, _) => pair.Left.AddRange(pair.Right));
        IncrementalValueProvider<EquatableArray<string>> tangentCallees = callGraph
            .Select(static (all, _) => CallGraph.NeedBackwardTangent(all))
            .WithTrackingName(TrackingNames.CallGraph);
        IncrementalValueProvider<(EquatableArray<string> Blocked, EquatableArray<DiagnosticInfo> Diagnostics)> outcome = implicitResults
            .Collect()
            .Combine(callGraph)
            .Select(static (pair, _) => ImplicitCallees.Outcome(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ImplicitOutcome);
        IncrementalValueProvider<(EquatableArray<string> Tangent, EquatableArray<string> Blocked)> flags = tangentCallees
            .Combine(outcome.Select(static (o, _) => o.Blocked));
        // What is emitted of either kind: a model that calls nothing blocked, with its BackwardTangent flag.
        IncrementalValuesProvider<MethodModel> Emittable(IncrementalValuesProvider<MethodModel> source, string trackingName) => source
            .Combine(flags)
            .Where(static pair => !pair.Right.Blocked.Contains(CallGraph.Key(pair.Left)))
            .Select(static (pair, _) => pair.Left with { BackwardTangent = pair.Right.Tangent.Contains(CallGraph.Key(pair.Left)) })
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(Emittable(models, TrackingNames.Emitted), static (spc, model) => Generate(spc, model));
        context.RegisterSourceOutput(Emittable(implicitModels.Select(static (m, _) => m.Model), TrackingNames.ImplicitEmitted), static (spc, model) => Generate(spc, model));
        context.RegisterSourceOutput(outcome.Select(static (o, _) => o.Diagnostics), static (spc, list) => Report(spc, list));
        context.RegisterSourceOutput(customDerivatives, static (spc, list) => Report(spc, list));
        context.RegisterSourceOutput(diagnostics, static (spc, list) => Report(spc, list));
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> list)
    {
        foreach (DiagnosticInfo info in list)
        {
            context.ReportDiagnostic(info.ToDiagnostic());
        }
    }

    private static void Generate(SourceProductionContext context, MethodModel model)
    {
        try
        {
            context.AddSource(model.HintName, SourceText.From(MethodEmitter.Emit(model), System.Text.Encoding.UTF8));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.InternalError, Location.None, model.Name, ex.GetType().Name, ex.Message.Split('\n').First()));
        }
    }

    // Two (key, compilation) pairs are the same input when their keys are: the compilation
    // rides along for the parse, compared by nothing.
    private sealed class FirstOnly<TKey> : System.Collections.Generic.IEqualityComparer<(TKey Key, WeakReference<Compilation> Compilation)>
        where TKey : class
    {
        public static readonly FirstOnly<TKey> Instance = new();

        public bool Equals((TKey Key, WeakReference<Compilation> Compilation) x, (TKey Key, WeakReference<Compilation> Compilation) y) => x.Key.Equals(y.Key);

        public int GetHashCode((TKey Key, WeakReference<Compilation> Compilation) pair) => pair.Key.GetHashCode();
    }
}
