using Microsoft.CodeAnalysis;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Diagnostics;

/// <summary>A diagnostic as an equatable value, turned into a <see cref="Diagnostic"/> only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Args)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptors.ById(Id), Location?.ToLocation(), System.Linq.Enumerable.ToArray<object?>(Args));
}
