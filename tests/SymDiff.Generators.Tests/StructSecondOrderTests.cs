using System;
using System.Linq;
using System.Reflection;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Hessian, HessianVectorProduct and Jacobian of methods with struct parameters, arrays of structs
/// and struct results. Each generated method is reached through a small adapter written in the
/// test source (flat double arrays in, flat arrays out), then checked against central differences
/// of the first-order methods and of the method itself, and H·t against the Hessian.
/// </summary>
public class StructSecondOrderTests
{
    private const string Types = """
        using System;
        using SymDiff;

        namespace Cases;

        public record struct S(double W, double B);
        public struct P { public double X; public double Y; }
        public readonly record struct Labeled(double Value, int Tag);
        """;

    private static Func<double[], double[], double> Fn2(Type t, string name) => (a, b) => (double)t.GetMethod(name)!.Invoke(null, [a, b])!;

    private static Func<double[], double[], double[], double> Fn3(Type t, string name) => (a, b, c) => (double)t.GetMethod(name)!.Invoke(null, [a, b, c])!;

    private static Type Load(string members, string adapters) => Harness.Load($$"""
        {{Types}}
        public static partial class C
        {
        {{members}}
        }

        public static class Adapt
        {
        {{adapters}}
        }
        """).GetType("Cases.Adapt")!;

    /// <summary>
    /// value(a, unused), gradient(a, g), hessian(a, g, h) and product(a, t, ht) of one method over n
    /// scalars, at random points: the gradient against central differences of the value, the
    /// Hessian against central differences of the gradient, H·t against the Hessian, symmetry.
    /// </summary>
    private static void CheckHessian(Type adapt, int n, int seed = 7)
    {
        var value = Fn2(adapt, "Value");
        var gradient = Fn2(adapt, "Gradient");
        var hessian = Fn3(adapt, "Hessian");
        var product = Fn3(adapt, "Product");
        var random = new Random(seed);
        for (int point = 0; point < 5; point++)
        {
            double[] a = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var g = new double[n];
            double f = gradient(a, g);
            Check.Close(value(a, []), f, 1e-14, "Gradient's value");
            var hg = new double[n];
            var h = new double[n * n];
            Check.Close(f, hessian(a, hg, h), 1e-14, "Hessian's value");
            for (int i = 0; i < n; i++)
            {
                Check.Close(g[i], hg[i], 1e-14, $"Hessian's gradient[{i}]");
                int at = i;
                Check.Within(g[i], Check.Central(x => Shifted(value, a, at, x, n), a[i]), $"gradient[{i}]");
                for (int j = 0; j < n; j++)
                {
                    int col = j;
                    Check.Within(h[i * n + j], Check.Central(x => { var gi = new double[n]; gradient(Set(a, at, x), gi); return gi[col]; }, a[i]), $"H[{i},{j}]");
                    Assert.Equal(h[i * n + j], h[j * n + i]);
                }
            }

            double[] t = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var ht = new double[n];
            Check.Close(f, product(a, t, ht), 1e-14, "HessianVectorProduct's value");
            for (int i = 0; i < n; i++)
            {
                double expected = Enumerable.Range(0, n).Sum(j => h[i * n + j] * t[j]);
                Check.Close(expected, ht[i], 1e-10, $"(H·t)[{i}]");
            }
        }
    }

    private static double Shifted(Func<double[], double[], double> value, double[] a, int i, double x, int n) => value(Set(a, i, x), []);

    private static double[] Set(double[] a, int i, double x)
    {
        double[] copy = (double[])a.Clone();
        copy[i] = x;
        return copy;
    }

    /// <summary>jacobian(a, j) returns the outputs' count; outputs(a, o) writes them: J against central differences.</summary>
    private static void CheckJacobian(Type adapt, int n, int rows, int seed = 11)
    {
        var outputs = Fn2(adapt, "Outputs");
        var jacobian = Fn2(adapt, "Jacobian");
        var random = new Random(seed);
        for (int point = 0; point < 5; point++)
        {
            double[] a = Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
            var j = new double[rows * n];
            jacobian(a, j);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < n; c++)
                {
                    int row = r, col = c;
                    Check.Within(j[r * n + c], Check.Central(x => { var o = new double[rows]; outputs(Set(a, col, x), o); return o[row]; }, a[c]), $"J[{r},{c}]");
                }
            }
        }
    }

    [Fact]
    public void Hessian_of_a_record_struct_parameter_and_a_scalar()
    {
        Type adapt = Load(
            "[Differentiable(Hessian = true)] public static double F(S s, double x) => Math.Sin(s.W * x) + s.B * s.B * s.W + Math.Exp(s.B * x);",
            """
            public static double Value(double[] a, double[] _) => C.F(new S(a[0], a[1]), a[2]);
            public static double Gradient(double[] a, double[] g) { double v = C.FGradient(new S(a[0], a[1]), a[2], out S ds, out g[2]); g[0] = ds.W; g[1] = ds.B; return v; }
            public static double Hessian(double[] a, double[] g, double[] h) { double v = C.FHessian(new S(a[0], a[1]), a[2], out S ds, out g[2], h); g[0] = ds.W; g[1] = ds.B; return v; }
            public static double Product(double[] a, double[] t, double[] ht) { double v = C.FHessianVectorProduct(new S(a[0], a[1]), a[2], new S(t[0], t[1]), t[2], out S hs, out ht[2]); ht[0] = hs.W; ht[1] = hs.B; return v; }
            """);
        CheckHessian(adapt, 3);
    }

    [Fact]
    public void Hessian_of_one_struct_parameter_alone_and_of_one_with_a_constant_field()
    {
        Type adapt = Load(
            """
            [Differentiable(Hessian = true)] public static double F(P p) => p.X * p.X * p.Y + Math.Cos(p.Y);
            [Differentiable(Hessian = true)] public static double G(Labeled l, double x) => l.Tag * l.Value * l.Value * x;
            """,
            """
            public static double Value(double[] a, double[] _) => C.F(new P { X = a[0], Y = a[1] });
            public static double Gradient(double[] a, double[] g) { double v = C.FGradient(new P { X = a[0], Y = a[1] }, out P dp); g[0] = dp.X; g[1] = dp.Y; return v; }
            public static double Hessian(double[] a, double[] g, double[] h) { double v = C.FHessian(new P { X = a[0], Y = a[1] }, out P dp, h); g[0] = dp.X; g[1] = dp.Y; return v; }
            public static double Product(double[] a, double[] t, double[] ht) { double v = C.FHessianVectorProduct(new P { X = a[0], Y = a[1] }, new P { X = t[0], Y = t[1] }, out P hp); ht[0] = hp.X; ht[1] = hp.Y; return v; }
            public static double LabeledHessian(double v, double x, double[] h) => C.GHessian(new Labeled(v, 3), x, out _, out _, h);
            """);
        CheckHessian(adapt, 2);

        // The int field is a constant: d²/dv² of 3·v²·x is 6x, d²/dv dx is 6v, d²/dx² is 0.
        var h = new double[4];
        adapt.GetMethod("LabeledHessian")!.Invoke(null, [0.5, 2.0, h]);
        Assert.Equal(new double[] { 12, 3, 3, 0 }, h);
    }

    [Fact]
    public void Hessian_of_an_array_of_structs()
    {
        Type adapt = Load(
            """
            [Differentiable(Hessian = true)]
            public static double F(P[] pts, double k)
            {
                double sum = 0;
                for (int i = 0; i < pts.Length; i++)
                {
                    double r = pts[i].X * pts[i].X + pts[i].Y * pts[i].Y;
                    sum += k * Math.Sqrt(r + 1) * pts[i].Y;
                }
                return sum;
            }
            """,
            """
            static P[] Points(double[] a) => [new P { X = a[0], Y = a[1] }, new P { X = a[2], Y = a[3] }, new P { X = a[4], Y = a[5] }];
            static void Put(ReadOnlySpan<P> p, double[] to) { for (int i = 0; i < 3; i++) { to[2 * i] = p[i].X; to[2 * i + 1] = p[i].Y; } }
            public static double Value(double[] a, double[] _) => C.F(Points(a), a[6]);
            public static double Gradient(double[] a, double[] g) { var dp = new P[3]; double v = C.FGradient(Points(a), a[6], dp, out g[6]); Put(dp, g); return v; }
            public static double Hessian(double[] a, double[] g, double[] h) { var dp = new P[3]; double v = C.FHessian(Points(a), a[6], dp, out g[6], h); Put(dp, g); return v; }
            public static double Product(double[] a, double[] t, double[] ht) { var hp = new P[3]; double v = C.FHessianVectorProduct(Points(a), a[6], Points(t), t[6], hp, out ht[6]); Put(hp, ht); return v; }
            """);
        CheckHessian(adapt, 7);
    }

    [Fact]
    public void Hessian_of_a_read_only_span_of_structs_and_a_struct_together()
    {
        Type adapt = Load(
            """
            [Differentiable(Hessian = true)]
            public static double F(ReadOnlySpan<P> pts, S s)
            {
                double sum = 0;
                foreach (P p in pts) { double e = s.W * p.X + s.B - p.Y; sum += e * e * e; }
                return sum;
            }
            """,
            """
            static P[] Points(double[] a) => [new P { X = a[2], Y = a[3] }, new P { X = a[4], Y = a[5] }];
            public static double Value(double[] a, double[] _) => C.F(Points(a), new S(a[0], a[1]));
            public static double Gradient(double[] a, double[] g) { var dp = new P[2]; double v = C.FGradient(Points(a), new S(a[0], a[1]), dp, out S ds); Copy(dp, ds, g); return v; }
            public static double Hessian(double[] a, double[] g, double[] h)
            {
                // Columns in parameter order: the points' fields, then s.W, s.B; the adapter's order puts s first.
                var dp = new P[2];
                var inner = new double[36];
                double v = C.FHessian(Points(a), new S(a[0], a[1]), dp, out S ds, inner);
                Copy(dp, ds, g);
                int[] order = [4, 5, 0, 1, 2, 3];
                for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) h[i * 6 + j] = inner[order[i] * 6 + order[j]];
                return v;
            }
            public static double Product(double[] a, double[] t, double[] ht) { var hp = new P[2]; double v = C.FHessianVectorProduct(Points(a), new S(a[0], a[1]), Points(t), new S(t[0], t[1]), hp, out S hs); Copy(hp, hs, ht); return v; }
            static void Copy(P[] p, S s, double[] to) { to[0] = s.W; to[1] = s.B; to[2] = p[0].X; to[3] = p[0].Y; to[4] = p[1].X; to[5] = p[1].Y; }
            """);
        CheckHessian(adapt, 6);
    }

    [Fact]
    public void Jacobian_of_a_struct_result()
    {
        Type adapt = Load(
            "[Differentiable(Jacobian = true)] public static S F(double x, S s) => new S(x * s.W, s.B * s.B + Math.Sin(x));",
            """
            public static double Outputs(double[] a, double[] o) { S r = C.F(a[0], new S(a[1], a[2])); o[0] = r.W; o[1] = r.B; return 0; }
            public static double Jacobian(double[] a, double[] j) { S r = C.FJacobian(a[0], new S(a[1], a[2]), j); S direct = C.F(a[0], new S(a[1], a[2])); if (r != direct) throw new Exception($"FJacobian returned {r}, F gives {direct}"); return 0; }
            """);
        CheckJacobian(adapt, 3, 2);
    }

    [Fact]
    public void Jacobian_of_outputs_from_a_struct_and_an_array_of_structs()
    {
        Type adapt = Load(
            """
            [Differentiable(Jacobian = true)]
            public static void F(S s, P[] pts, [Output] Span<double> q)
            {
                q[0] = s.W * pts[0].X * pts[1].Y;
                q[1] = s.B * pts[1].Y + Math.Exp(pts[0].Y);
                q[2] = s.W * s.B;
            }
            """,
            """
            static P[] Points(double[] a) => [new P { X = a[2], Y = a[3] }, new P { X = a[4], Y = a[5] }];
            public static double Outputs(double[] a, double[] o) { C.F(new S(a[0], a[1]), Points(a), o); return 0; }
            public static double Jacobian(double[] a, double[] j) { var q = new double[3]; C.FJacobian(new S(a[0], a[1]), Points(a), q, j); return 0; }
            """);
        CheckJacobian(adapt, 6, 3);
    }

    [Fact]
    public void Jacobian_of_an_output_span_of_structs()
    {
        Type adapt = Load(
            """
            [Differentiable(Jacobian = true)]
            public static void F(double x, S s, [Output] Span<P> o)
            {
                o[0] = new P { X = x * s.W, Y = s.B * s.B };
                o[1] = new P { X = Math.Cos(x + s.B), Y = x * x * s.W };
            }
            """,
            """
            public static double Outputs(double[] a, double[] o) { var q = new P[2]; C.F(a[0], new S(a[1], a[2]), q); o[0] = q[0].X; o[1] = q[0].Y; o[2] = q[1].X; o[3] = q[1].Y; return 0; }
            public static double Jacobian(double[] a, double[] j) { var q = new P[2]; C.FJacobian(a[0], new S(a[1], a[2]), q, j); return 0; }
            """);
        CheckJacobian(adapt, 3, 4);
    }

    [Fact]
    public void Hessian_of_System_Numerics_vectors_in_float_matches_the_double_method_on_their_fields()
    {
        Type adapt = Load(
            """
            [Differentiable(Hessian = true)] public static float F(System.Numerics.Vector2 v, System.Numerics.Vector3 u) => v.Length() * System.Numerics.Vector3.Dot(u, u) + System.Numerics.Vector2.Distance(v, new System.Numerics.Vector2(u.X, u.Z));
            [Differentiable(Hessian = true)] public static double D(double vx, double vy, double ux, double uy, double uz) => Math.Sqrt(vx * vx + vy * vy) * (ux * ux + uy * uy + uz * uz) + Math.Sqrt((vx - ux) * (vx - ux) + (vy - uz) * (vy - uz));
            """,
            """
            public static double Float(double[] a, double[] h)
            {
                var hf = new float[25];
                float v = C.FHessian(new System.Numerics.Vector2((float)a[0], (float)a[1]), new System.Numerics.Vector3((float)a[2], (float)a[3], (float)a[4]), out _, out _, hf);
                for (int i = 0; i < 25; i++) h[i] = hf[i];
                return v;
            }
            public static double Double(double[] a, double[] h) => C.DHessian(a[0], a[1], a[2], a[3], a[4], out _, out _, out _, out _, out _, h);
            """);
        var random = new Random(3);
        for (int point = 0; point < 5; point++)
        {
            double[] a = Enumerable.Range(0, 5).Select(_ => (double)(float)(random.NextDouble() * 2 - 1)).ToArray();
            double[] hf = new double[25], hd = new double[25];
            Check.Close(Fn2(adapt, "Double")(a, hd), Fn2(adapt, "Float")(a, hf), 1e-5, "value");
            for (int i = 0; i < 25; i++)
            {
                Check.Close(hd[i], hf[i], 2e-3, $"H[{i / 5},{i % 5}]");
            }
        }
    }

    [Fact]
    public void The_readmes_struct_signatures_are_the_generated_ones()
    {
        string readme = System.IO.File.ReadAllText(Paths.Repo("README.md"));
        string[] shown = readme.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("double FHessian", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, shown.Length);
        string generated = Harness.GeneratedSource("""
            using System;
            using SymDiff;
            public record struct Params(double W, double B);
            public struct Point { public double X; public double Y; }
            public static partial class C
            {
                [Differentiable(Hessian = true)]
                public static double F(Params p, Point[] pts) => p.W * pts[0].X * pts[1].Y + p.B;
            }
            """, "C.F.g.cs").Replace("global::System.", string.Empty).Replace("global::", string.Empty);
        foreach (string signature in shown)
        {
            Assert.Contains("public static " + signature + "\n", generated.Replace("\r\n", "\n"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Hessian_on_a_method_that_returns_a_struct_is_refused_with_the_way_to_its_Jacobian()
    {
        var (_, diagnostics, _) = Harness.Generate(Harness.Compilation("S", null, $$"""
            {{Types}}
            public static partial class C { [Differentiable(Hessian = true)] public static S F(double x) => new S(x * x, x); }
            """));
        Diagnostic27(diagnostics);
    }

    private static void Diagnostic27(System.Collections.Immutable.ImmutableArray<Microsoft.CodeAnalysis.Diagnostic> diagnostics)
    {
        var d = Assert.Single(diagnostics);
        Assert.Equal("SD0027", d.Id);
        Assert.Contains("returns the struct 'S': ask for Jacobian = true", d.GetMessage(), StringComparison.Ordinal);
    }
}

/// <summary>
/// The System.Numerics methods and their rule rows (the norm, the dot product, the 2×2 determinant
/// of Cross, Lerp; Normalize through the norm, Transform by a constant matrix as the linear map it
/// is): each against central differences in Gradient, Derivative and HessianVectorProduct, and the
/// norm's row at a zero-length vector, where the square root's rule would give 0 / 0.
/// </summary>
public class VectorRuleTests
{
    public static TheoryData<string, string> Methods => new()
    {
        { "Length", "a.Length() * t" },
        { "LengthSquared", "a.LengthSquared() * t" },
        { "Dot", "Vector3.Dot(a, b) * t" },
        { "Cross", "Vector3.Cross(a, b).X + Vector3.Cross(a, b).Y * t + Vector3.Cross(b, a).Z * Vector3.Cross(a, b).Z" },
        { "Normalize", "Vector3.Normalize(a).Y * t + Vector3.Normalize(b).X * Vector3.Normalize(a).Z" },
        { "Distance", "Vector3.Distance(a, b) * t" },
        { "DistanceSquared", "Vector3.DistanceSquared(a, b) * t" },
        { "Lerp", "Vector3.Lerp(a, b, t).X * Vector3.Lerp(a, b, t).Z" },
        { "Transform by a constant matrix", "Vector3.Transform(a, Matrix4x4.CreateRotationZ(0.5f) * Matrix4x4.CreateTranslation(1, 2, 3)).Y * Vector3.Transform(b, Quaternion.CreateFromYawPitchRoll(0.1f, 0.2f, 0.3f)).X" },
        { "operators", "(a * 2 - b / 3 + (-a) * b).Z * t" },
        { "Quaternion Normalize, Length, Dot, Inverse", "Quaternion.Normalize(new Quaternion(a, t)).Y + new Quaternion(b, 1).Length() * Quaternion.Dot(new Quaternion(a, 0.5f), new Quaternion(b, t)) + Quaternion.Inverse(new Quaternion(a, 2)).Z" },
        { "Quaternion Lerp, both ways round", "Quaternion.Lerp(new Quaternion(a, 1), new Quaternion(b, t), 0.3f).X * t + Quaternion.Lerp(new Quaternion(a, -1), new Quaternion(b, 2), t).W" },
        { "Transform by a static readonly matrix", "Vector3.Transform(a, Rotation).Z * t + Vector4.Transform(new Vector4(b, t), Rotation).W * Vector2.Transform(new Vector2(a.X, b.Y), Shear).Y" },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Each_method_matches_central_differences_in_every_mode(string method, string expression)
    {
        _ = method;
        Type c = Harness.Load($$"""
            using System;
            using System.Numerics;
            using SymDiff;
            namespace Cases;
            public static partial class C
            {
                static readonly Matrix4x4 Rotation = Matrix4x4.CreateRotationX(0.7f) * Matrix4x4.CreateTranslation(1, -2, 0.5f);
                static readonly Matrix3x2 Shear = new(1, 0.5f, -0.25f, 1, 3, 4);
                [Differentiable(Hessian = true)] public static float F(Vector3 a, Vector3 b, float t) => {{expression}};
                static Vector3 A(float[] x) => new(x[0], x[1], x[2]);
                static Vector3 B(float[] x) => new(x[3], x[4], x[5]);
                public static float Value(float[] x) => F(A(x), B(x), x[6]);
                public static float[] Gradient(float[] x) { FGradient(A(x), B(x), x[6], out Vector3 da, out Vector3 db, out float dt); return [da.X, da.Y, da.Z, db.X, db.Y, db.Z, dt]; }
                public static float Derivative(float[] x, float[] d) => FDerivative(A(x), B(x), x[6], A(d), B(d), d[6]);
                public static float[] Product(float[] x, float[] d) { FHessianVectorProduct(A(x), B(x), x[6], A(d), B(d), d[6], out Vector3 ha, out Vector3 hb, out float ht); return [ha.X, ha.Y, ha.Z, hb.X, hb.Y, hb.Z, ht]; }
            }
            """).GetType("Cases.C")!;
        float Value(float[] x) => (float)c.GetMethod("Value")!.Invoke(null, [x])!;
        float[] Gradient(float[] x) => (float[])c.GetMethod("Gradient")!.Invoke(null, [x])!;
        var random = new Random(5);
        for (int point = 0; point < 5; point++)
        {
            float[] x = Enumerable.Range(0, 7).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] d = Enumerable.Range(0, 7).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] g = Gradient(x);
            const float h = 1e-2f;
            for (int i = 0; i < 7; i++)
            {
                float[] up = (float[])x.Clone(), down = (float[])x.Clone();
                up[i] += h;
                down[i] -= h;
                double central = ((double)Value(up) - Value(down)) / (up[i] - down[i]);
                Assert.True(Math.Abs(g[i] - central) <= 1e-2 * (1 + Math.Abs(central)), $"{method}: ∂F/∂x{i} is {g[i]}, central difference {central}");
            }

            double directional = g.Zip(d, (a, b) => (double)a * b).Sum();
            float derivative = (float)c.GetMethod("Derivative")!.Invoke(null, [x, d])!;
            Assert.True(Math.Abs(derivative - directional) <= 1e-4 * (1 + Math.Abs(directional)), $"{method}: Derivative {derivative}, gradient·t {directional}");

            float[] hv = (float[])c.GetMethod("Product")!.Invoke(null, [x, d])!;
            float[] plus = Gradient(x.Zip(d, (a, b) => a + h * b).ToArray()), minus = Gradient(x.Zip(d, (a, b) => a - h * b).ToArray());
            for (int i = 0; i < 7; i++)
            {
                double central = ((double)plus[i] - minus[i]) / (2 * h);
                Assert.True(Math.Abs(hv[i] - central) <= 2e-2 * (1 + Math.Abs(central)), $"{method}: (H·t)[{i}] is {hv[i]}, central difference of the gradient {central}");
            }
        }
    }

    [Fact]
    public void Length_and_Distance_have_the_zero_gradient_at_zero_length_in_every_method()
    {
        Type c = Harness.Load("""
            using System;
            using System.Numerics;
            using SymDiff;
            namespace Cases;
            public static partial class C
            {
                [Differentiable(Hessian = true)] public static float F(Vector3 v, Vector2 a, Vector2 b) => v.Length() + Vector2.Distance(a, b) * 2;
                public static float[] Gradient(float[] x) { float f = FGradient(new Vector3(x[0], x[1], x[2]), new Vector2(x[3], x[4]), new Vector2(x[5], x[6]), out Vector3 dv, out Vector2 da, out Vector2 db); return [dv.X, dv.Y, dv.Z, da.X, da.Y, db.X, db.Y, f]; }
                public static float Derivative(float[] x, float[] t) => FDerivative(new Vector3(x[0], x[1], x[2]), new Vector2(x[3], x[4]), new Vector2(x[5], x[6]), new Vector3(t[0], t[1], t[2]), new Vector2(t[3], t[4]), new Vector2(t[5], t[6]));
                public static float[] Product(float[] x, float[] t) { FHessianVectorProduct(new Vector3(x[0], x[1], x[2]), new Vector2(x[3], x[4]), new Vector2(x[5], x[6]), new Vector3(t[0], t[1], t[2]), new Vector2(t[3], t[4]), new Vector2(t[5], t[6]), out Vector3 hv, out Vector2 ha, out Vector2 hb); return [hv.X, hv.Y, hv.Z, ha.X, ha.Y, hb.X, hb.Y]; }
            }
            """).GetType("Cases.C")!;
        float[] Call(string name, params object[] args) => (float[])c.GetMethod(name)!.Invoke(null, args)!;

        // v = 0 and a = b: both lengths are 0, and so is every derivative.
        float[] zero = [0, 0, 0, 0.5f, -1, 0.5f, -1];
        float[] t = [1, 2, 3, 4, 5, 6, 7];
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 0, 0, 0 }, Call("Gradient", zero));
        Assert.Equal(0f, (float)c.GetMethod("Derivative")!.Invoke(null, [zero, t])!);
        Assert.All(Call("Product", zero, t), h => Assert.False(float.IsNaN(h)));

        // Away from zero: v / ‖v‖ and ±2 (a − b) / ‖a − b‖, exactly as written out.
        float[] g = Call("Gradient", new float[] { 3, 0, 4, 1, 1, -2, 5 });
        Assert.Equal(new float[] { 0.6f, 0, 0.8f, 1.2f, -1.6f, -1.2f, 1.6f, 15 }, g);
    }
}
