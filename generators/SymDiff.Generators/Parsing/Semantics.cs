using System;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generators.Parsing;

/// <summary>
/// The semantic model the parser reads method bodies with. It skips the compiler's nullable
/// analysis: the parser reads types, symbols and constants, never a reference's null state, and
/// the analysis costs as much again as binding the body (more in long methods, where it keeps a
/// copy of the state of every local at every statement).
/// </summary>
internal static class Semantics
{
    private static bool withoutNullableAnalysis = true;

    public static SemanticModel ModelOf(Compilation compilation, SyntaxTree tree)
    {
        if (withoutNullableAnalysis)
        {
            try
            {
                return WithoutNullableAnalysis(compilation, tree);
            }
            catch (Exception e) when (e is MissingMemberException or TypeLoadException)
            {
                // The option is marked experimental: a compiler without it gets the ordinary model.
                withoutNullableAnalysis = false;
            }
        }

        return compilation.GetSemanticModel(tree);
    }

#pragma warning disable RSEXPERIMENTAL001 // SemanticModelOptions is marked experimental (dotnet/roslyn#70609).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static SemanticModel WithoutNullableAnalysis(Compilation compilation, SyntaxTree tree) =>
        compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
}
