using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace SymDiff.Generators.Tests;

/// <summary>
/// The generated source of representative methods, compared with checked-in expected files
/// (<c>Snapshots/*.verified.cs</c>, Verify's naming). A mismatch writes <c>*.received.cs</c>
/// beside it and prints a diff; set <c>SYMDIFF_UPDATE_SNAPSHOTS=1</c> to accept new output.
/// </summary>
public class SnapshotTests
{
    private const string UpdateVariable = "SYMDIFF_UPDATE_SNAPSHOTS";

    private static readonly Dictionary<string, (string Source, string Hint)> Extra = new()
    {
        ["LineFit"] = (Sources.InClass(TraceTests.LineFit, "LineFit"), "Cases.LineFit.Loss.g.cs"),
        ["TapedTrace"] = (Sources.InClass(TraceTests.Taped), "Cases.C.Taped.g.cs"),
        ["Network322"] = (Sources.InClass(SeedFigureTests.Network), "Cases.C.NetLoss.g.cs"),
        ["Network322Loops"] = (Sources.InClass(SeedFigureTests.NetworkWithLoops), "Cases.C.NetLoss.g.cs"),
        ["EarlyReturn"] = (Sources.InClass(ControlFlowTests.Cases.Single(c => c.Name == "EarlyReturn").Members), "Cases.C.F.g.cs"),
        ["BreakContinue"] = (Sources.InClass(ControlFlowTests.Cases.Single(c => c.Name == "BreakContinue").Members), "Cases.C.F.g.cs"),
        ["RosenbrockHessian"] = (Sources.InClass("""
                [Differentiable(Hessian = true)]
                public static double Rosenbrock(double x, double y)
                {
                    double a = 1 - x;
                    double b = y - x * x;
                    return a * a + 100 * b * b;
                }
            """), "Cases.C.Rosenbrock.g.cs"),
        ["LogisticHessian"] = (Sources.InClass("""
                [Differentiable(Hessian = true)]
                public static double Logistic(double w, double b, [NoGradient] double[] xs, [NoGradient] double[] labels)
                {
                    double loss = 0;
                    for (int i = 0; i < xs.Length; i++)
                    {
                        double z = w * xs[i] + b;
                        double p = 1 / (1 + Math.Exp(-z));
                        loss -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
                    }

                    return loss;
                }
            """), "Cases.C.Logistic.g.cs"),
        ["GenericLineFit"] = (GenericMathTests.Source(GenericMathTests.GenericLineFit), "Cases.C.Loss.g.cs"),
        ["StructLineFit"] = ("""
            using System;
            using SymDiff;
            namespace Cases;
            public readonly record struct Line(double Slope, double Intercept);
            public static partial class C
            {
                [Differentiable]
                public static double Loss(Line line, [NoGradient] double[] xs, [NoGradient] double[] ys)
                {
                    double sum = 0;
                    for (int i = 0; i < xs.Length; i++)
                    {
                        double error = line.Slope * xs[i] + line.Intercept - ys[i];
                        sum += error * error;
                    }

                    return sum / xs.Length;
                }
            }
            """, "Cases.C.Loss.g.cs"),
        ["GeometryReadInPlace"] = ("""
            using System;
            using SymDiff;
            namespace Cases;
            public readonly record struct Point(double X, double Y)
            {
                public double DistanceTo(Point q) { double dx = q.X - X, dy = q.Y - Y; return Math.Sqrt(dx * dx + dy * dy); }
                public static Point operator -(Point a, Point b) => new(a.X - b.X, a.Y - b.Y);
            }
            public static partial class C
            {
                [Differentiable]
                public static Point Pull(Point p, Point anchor, double stiffness)
                {
                    double stretch = p.DistanceTo(anchor) - 1;
                    var away = p - anchor;
                    return new Point(-stiffness * stretch * away.X, -stiffness * stretch * away.Y);
                }
            }
            """, "Cases.C.Pull.g.cs"),
        ["PolygonPerimeter"] = ("""
            using System;
            using SymDiff;
            namespace Cases;
            public readonly record struct Point(double X, double Y)
            {
                public double DistanceTo(Point q) { double dx = q.X - X, dy = q.Y - Y; return Math.Sqrt(dx * dx + dy * dy); }
            }
            public static partial class C
            {
                [Differentiable]
                public static double Perimeter(ReadOnlySpan<Point> corners)
                {
                    double length = 0;
                    for (int i = 0; i < corners.Length; i++)
                    {
                        length += corners[i].DistanceTo(corners[(i + 1) % corners.Length]);
                    }

                    return length;
                }
            }
            """, "Cases.C.Perimeter.g.cs"),
        ["StructHessian"] = ("""
            using System;
            using SymDiff;
            namespace Cases;
            public record struct Spring(double Stiffness, double Rest);
            public readonly record struct Point(double X, double Y);
            public static partial class C
            {
                [Differentiable(Hessian = true)]
                public static double Energy(Spring s, ReadOnlySpan<Point> ends)
                {
                    double dx = ends[1].X - ends[0].X, dy = ends[1].Y - ends[0].Y;
                    double stretch = Math.Sqrt(dx * dx + dy * dy) - s.Rest;
                    return 0.5 * s.Stiffness * stretch * stretch;
                }
            }
            """, "Cases.C.Energy.g.cs"),
        ["NestedTypes"] = ("""
            using SymDiff;
            namespace Cases.Deep;
            public partial class Outer
            {
                internal partial struct Inner
                {
                    [Differentiable]
                    internal static double Sigmoid(double z) => 1 / (1 + System.Math.Exp(-z));
                }
            }
            """, "Cases.Deep.Outer.Inner.Sigmoid.g.cs"),
    };

    private static readonly string[] FromCases =
        ["Tanh", "Relu", "Arithmetic", "Reassignment", "WrtSubset", "Dot", "NoGradientData", "TwoLoops", "NestedLoops", "CallScalar", "CallArrays"];

    public static IEnumerable<object[]> Names => Extra.Keys.Concat(FromCases).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_code_matches_snapshot(string name)
    {
        (string source, string hint) = Extra.TryGetValue(name, out var extra)
            ? extra
            : (Sources.InClass(GeneratedMethodTests.Cases.Single(c => c.Name == name).Members), $"Cases.C.{GeneratedMethodTests.Cases.Single(c => c.Name == name).Method}.g.cs");
        string actual = Harness.GeneratedSource(source, hint).Replace("\r\n", "\n");

        string verified = Paths.Repo("tests", "SymDiff.Generators.Tests", "Snapshots", $"SnapshotTests.{name}.verified.cs");
        string received = Path.ChangeExtension(verified, null).Replace(".verified", ".received") + ".cs";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : string.Empty;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        throw new XunitException(
            $"Generated code for {name} differs from {Path.GetFileName(verified)} (written: {Path.GetFileName(received)}; " +
            $"set {UpdateVariable}=1 to accept):\n{Diff(expected, actual)}");
    }

    private static string Diff(string expected, string actual)
    {
        var sb = new StringBuilder();
        foreach (DiffPiece line in new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual).Lines)
        {
            string mark = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => null!,
            };
            if (mark is not null)
            {
                sb.Append(mark).AppendLine(line.Text);
            }
        }

        return sb.ToString();
    }
}
