using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// What parsing one method yields: a model (when there were no errors), its diagnostics, and the
/// calls of its body to methods that are not <c>[Differentiable]</c> but can be differentiated.
/// </summary>
internal sealed record ParseResult(MethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<ImplicitCall> Implicit = default);
