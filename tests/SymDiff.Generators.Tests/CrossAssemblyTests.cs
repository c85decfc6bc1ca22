using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>A [Differentiable] method calls one from another assembly through its generated Backward/Derivative.</summary>
public class CrossAssemblyTests
{
    [Fact]
    public void Calls_into_a_referenced_assembly_compose()
    {
        const string library = """
            using System; using SymDiff;
            namespace Lib;
            public static partial class Activations
            {
                [Differentiable] public static double Softplus(double z) => Math.Log(1 + Math.Exp(z));
                [Differentiable] public static double Norm(double[] v) { double s = 0; for (int i = 0; i < v.Length; i++) s += v[i] * v[i]; return Math.Sqrt(s); }
            }
            """;
        byte[] image = Harness.Build("Lib", null, library);
        MetadataReference reference = MetadataReference.CreateFromImage(image);
        string user = Sources.InClass("[Differentiable] public static double F(double x, double[] v) => Lib.Activations.Softplus(x * 3) * Lib.Activations.Norm(v);");

        // The probe needs the library loaded beside the user code: compile both into the probe's context.
        var probe = Probe.For("Cases.C", "F", library, user);
        Check.AtRandomPoints(probe, [4], accept: (_, a) => a[0].Sum(t => t * t) > 0.1);

        // And the user code compiles against the library as a metadata reference, with no errors.
        var (output, diagnostics, _) = Harness.Generate(Harness.Compilation("User", [reference], user));
        Assert.Empty(diagnostics);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }
}
