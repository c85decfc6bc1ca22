using System;
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
        IncrementalValuesProvider<ParseResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Signature.DifferentiableAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (ctx, ct) => MethodParser.Parse(ctx, ct))
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

        // The call graph: a method that a Hessian = true method calls (directly or not) also gets
        // BackwardTangent. A model changes only when its own flag does, so an edit elsewhere
        // re-emits nothing.
        IncrementalValueProvider<EquatableArray<string>> tangentCallees = models
            .Select(static (m, _) => CallGraph.Info(m))
            .Collect()
            .Select(static (all, _) => CallGraph.NeedBackwardTangent(all))
            .WithTrackingName(TrackingNames.CallGraph);
        IncrementalValuesProvider<MethodModel> emitted = models
            .Combine(tangentCallees)
            .Select(static (pair, _) => pair.Left with { BackwardTangent = pair.Right.Contains(CallGraph.Key(pair.Left)) })
            .WithTrackingName(TrackingNames.Emitted);

        context.RegisterSourceOutput(emitted, static (spc, model) => Generate(spc, model));
        context.RegisterSourceOutput(customDerivatives, static (spc, list) =>
        {
            foreach (DiagnosticInfo info in list)
            {
                spc.ReportDiagnostic(info.ToDiagnostic());
            }
        });
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (DiagnosticInfo info in list)
            {
                spc.ReportDiagnostic(info.ToDiagnostic());
            }
        });
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
}
