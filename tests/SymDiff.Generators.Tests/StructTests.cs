using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Structs as values: a struct parameter's floating fields are differentiated, its adjoint and
/// tangent have the struct's own type, and struct locals are built with new, with, default,
/// copies and conditionals, deconstructed and assigned field by field. Each case is one
/// <c>F(S s, double x)</c> checked against central differences through all three generated methods.
/// </summary>
public class StructTests
{
    /// <summary>
    /// One struct case: <paramref name="Types"/> declares the struct(s); <paramref name="Members"/>
    /// declares <c>[Differentiable] static double F(S s, double x)</c>, <c>static S Make(double[] v)</c>
    /// (a struct from its floating fields) and <c>static double[] Parts(S s)</c> (the inverse).
    /// </summary>
    public sealed record Case(string Name, string Types, string Members, string Struct = "S", string Scalar = "double")
    {
        public override string ToString() => Name;
    }

    public static readonly Case[] Cases =
    [
        new("MutableFieldsWithConstant",
            "public struct S { public double W; public double B; public int Count; }",
            """
            [Differentiable] public static double F(S s, double x) { double e = s.W * x + s.B - 1; return e * e * s.Count; }
            static S Make(double[] v) => new S { W = v[0], B = v[1], Count = 3 };
            static double[] Parts(S s) => [s.W, s.B];
            """),
        // A struct field of the class is a constant: its floating fields are read, not differentiated.
        new("StructFieldsOfTheClassAsConstants",
            "public struct S { public double W; public double B; } public readonly record struct Settings(double Scale, int Steps);",
            """
            static readonly Settings Tuning = new(0.5, 3);
            static S Offset = new S { W = 0.25, B = -1 };
            [Differentiable] public static double F(S s, double x) { double e = s.W * x * Tuning.Scale + s.B * Offset.W - Offset.B; return e * e * Tuning.Steps + s.W * Offset.B; }
            static S Make(double[] v) => new S { W = v[0], B = v[1] };
            static double[] Parts(S s) => [s.W, s.B];
            """),
        new("PositionalRecordWithNewWithAndDeconstruction",
            "public readonly record struct S(double X, double Y);",
            """
            [Differentiable] public static double F(S s, double x) { var d = new S(s.X - x, s.Y + x); var m = d with { Y = d.Y * 2 }; var (a, b) = m; return Math.Sqrt(a * a + b * b + 1); }
            static S Make(double[] v) => new(v[0], v[1]);
            static double[] Parts(S s) => [s.X, s.Y];
            """),
        new("RecordStructObjectInitializerAndDefault",
            "public record struct S(double X, double Y) { public double Z { get; set; } }",
            """
            [Differentiable] public static double F(S s, double x) { S t = default; t.X = s.Y * x; var u = new S { X = s.Z, Y = t.X, Z = Math.Sin(s.X) }; return u.X * u.Y + u.Z * t.Y; }
            static S Make(double[] v) => new(v[0], v[1]) { Z = v[2] };
            static double[] Parts(S s) => [s.X, s.Y, s.Z];
            """),
        new("ReadonlyStructBuiltByItsConstructor",
            "public readonly struct S { public readonly double A; public double B { get; } public S(double a, double b) { A = a; B = b; } }",
            """
            [Differentiable] public static double F(S s, double x) { var t = new S(s.B * x, s.A); return Math.Exp(t.A * 0.3) - t.B * t.A; }
            static S Make(double[] v) => new(v[0], v[1]);
            static double[] Parts(S s) => [s.A, s.B];
            """),
        new("NestedStructs",
            "public record struct P(double X, double Y); public struct S { public P From; public P To; public double Width; }",
            """
            [Differentiable] public static double F(S s, double x) { double dx = s.To.X - s.From.X, dy = s.To.Y - s.From.Y; var mid = new P((s.From.X + s.To.X) / 2, (s.From.Y + s.To.Y) / 2); return Math.Sqrt(dx * dx + dy * dy) * s.Width + mid.X * x - mid.Y; }
            static S Make(double[] v) => new S { From = new P(v[0], v[1]), To = new P(v[2], v[3]), Width = v[4] };
            static double[] Parts(S s) => [s.From.X, s.From.Y, s.To.X, s.To.Y, s.Width];
            """),
        new("StructLocalInTapedLoop",
            "public struct S { public double Rate; public double Bias; }",
            """
            [Differentiable] public static double F(S s, double x)
            {
                var state = new S { Rate = x, Bias = 0 };
                for (int i = 0; i < 4; i++)
                {
                    state.Bias += Math.Tanh(state.Rate * s.Rate + s.Bias);
                    state = state with { Rate = state.Rate * 0.9 + state.Bias * 0.1 };
                    s.Bias = s.Bias * 0.5;
                }

                return state.Rate * state.Bias;
            }
            static S Make(double[] v) => new S { Rate = v[0], Bias = v[1] };
            static double[] Parts(S s) => [s.Rate, s.Bias];
            """),
        new("ConditionalStructAndSwap",
            "public struct S { public double W; public double B; }",
            """
            [Differentiable] public static double F(S s, double x) { S q = x > 0 ? s : new S { W = x, B = 2 }; q = q with { W = q.B, B = q.W }; q.W *= x; return q.W * Math.Cos(q.B); }
            static S Make(double[] v) => new S { W = v[0], B = v[1] };
            static double[] Parts(S s) => [s.W, s.B];
            """),
        new("FloatStruct",
            "public struct S { public float A; public float B; }",
            """
            [Differentiable] public static float F(S s, float x) => MathF.Sin(s.A * x) + s.B * s.B;
            static S Make(double[] v) => new S { A = (float)v[0], B = (float)v[1] };
            static double[] Parts(S s) => [s.A, s.B];
            """,
            Scalar: "float"),
        new("Vector2OperatorsAndLength",
            "",
            """
            [Differentiable] public static float F(Vector2 s, float x) { var d = s * x - new Vector2(1, 2); var u = Vector2.UnitY; return d.Length() + Vector2.Dot(s, u) * d.X - (-s / 2).LengthSquared() + Vector2.Distance(d, Vector2.Zero); }
            static Vector2 Make(double[] v) => new((float)v[0], (float)v[1]);
            static double[] Parts(Vector2 s) => [s.X, s.Y];
            """,
            Struct: "Vector2", Scalar: "float"),
        new("Vector3NormalizeCrossLerpMinMax",
            "",
            """
            [Differentiable] public static float F(Vector3 s, float x)
            {
                var n = Vector3.Normalize(s + Vector3.One * 3);
                var c = Vector3.Cross(n, new Vector3(x, 1, 0.5f));
                var l = Vector3.Lerp(s, c, 0.3f);
                return Vector3.Distance(l, -s) + Vector3.DistanceSquared(Vector3.Min(s, c), Vector3.Max(s, c) / 2) + l.LengthSquared() + Vector3.Abs(c).Z;
            }
            static Vector3 Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2]);
            static double[] Parts(Vector3 s) => [s.X, s.Y, s.Z];
            """,
            Struct: "Vector3", Scalar: "float"),
        new("StructWithVectorField",
            "public struct Body { public Vector4 State; public float Mass; public int Id; }",
            """
            [Differentiable] public static float F(Body s, float x) { var v = new Vector4(new Vector3(s.State.X, s.State.Y, x), s.State.W); var b = s with { State = v * s.Mass }; b.State.Z += 1; return Vector4.Dot(b.State, s.State) / (1 + b.State.LengthSquared()); }
            static Body Make(double[] v) => new Body { State = new Vector4((float)v[0], (float)v[1], (float)v[2], (float)v[3]), Mass = (float)v[4], Id = 7 };
            static double[] Parts(Body s) => [s.State.X, s.State.Y, s.State.Z, s.State.W, s.Mass];
            """,
            Struct: "Body", Scalar: "float"),
        new("StructMethodsPropertiesAndOperators",
            """
            public readonly record struct S(double X, double Y)
            {
                public double Length => Math.Sqrt(X * X + Y * Y);
                public S Unit { get { double l = Length; return new(X / l, Y / l); } }
                public double DistanceTo(S q) { var dx = q.X - X; var dy = q.Y - Y; return Math.Sqrt(dx * dx + dy * dy); }
                public double Dot(S q) => X * q.X + Y * q.Y;
                public S Scale(double k) => this with { X = X * k, Y = Y * k };
                public double Angle(S q) => Math.Acos(Unit.Dot(q.Unit));
                public static S operator +(S a, S b) => new(a.X + b.X, a.Y + b.Y);
                public static S operator -(S a) => new(-a.X, -a.Y);
                public static double operator *(S a, S b) => a.Dot(b);
            }
            """,
            """
            [Differentiable] public static double F(S s, double x)
            {
                var q = new S(x, 1 - x);
                var m = (s + q).Scale(0.5);
                return s.DistanceTo(q) * m.Length + (-s) * q + s.Angle(new S(1, x * x)) + s.Unit.Y;
            }
            static S Make(double[] v) => new(v[0], v[1]);
            static double[] Parts(S s) => [s.X, s.Y];
            """),
        new("HelpersTakingAndReturningStructsAndLocalFunctions",
            """
            public struct S { public double W; public double B; public int N; }
            public static class Geometry
            {
                public static S Mid(S a, S b) => new S { W = (a.W + b.W) / 2, B = (a.B + b.B) / 2, N = a.N };
                public static double Energy(S a, double k) { double e = a.W * a.W + a.B * a.B; int n = a.N + 1; return k * e / n; }
                public static double Softplus(double z) => Math.Log(1 + Math.Exp(z));
                public static double Norm(this S a) => Math.Sqrt(a.W * a.W + a.B * a.B + 1);
            }
            """,
            """
            [Differentiable] public static double F(S s, double x)
            {
                double scale = 0.5 + x * x;
                static double Square(double v) => v * v;
                double Scaled(double v) => v * scale;
                var m = Geometry.Mid(s, new S { W = x, B = Square(s.W), N = 3 });
                double total = 0;
                for (int i = 0; i < 3; i++)
                {
                    total += Geometry.Energy(m, Scaled(i + 1)) + Geometry.Softplus(m.B * i - s.W);
                    scale *= 0.9;
                }

                return total + Square(Scaled(m.W)) + m.Norm();
            }
            static S Make(double[] v) => new S { W = v[0], B = v[1], N = 2 };
            static double[] Parts(S s) => [s.W, s.B];
            """),
        new("QuaternionOperationsAndRotations",
            "",
            """
            [Differentiable] public static float F(Quaternion s, float x)
            {
                var axis = Vector3.Normalize(new Vector3(1, x, 0.5f));
                var r = Quaternion.CreateFromAxisAngle(axis, x * 0.7f);
                var q = Quaternion.Concatenate(s, r) * Quaternion.Conjugate(s) + Quaternion.Inverse(r) * 0.5f - Quaternion.Normalize(s) + new Quaternion(axis, x);
                var v = Vector3.Transform(new Vector3(x, 1, 2), q);
                var u = Vector4.Transform(new Vector4(1, x, 0, 2), Quaternion.CreateFromYawPitchRoll(x, 0.3f, s.W));
                var w = Vector2.Transform(new Vector2(x, 1), Quaternion.Multiply(s, Quaternion.Identity));
                return v.X + v.Y * v.Z + Quaternion.Dot(q, s) + q.Length() + u.W * u.X - u.Z + (-q).LengthSquared() * 0.1f + w.Y;
            }
            static Quaternion Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2], (float)v[3]);
            static double[] Parts(Quaternion s) => [s.X, s.Y, s.Z, s.W];
            """,
            Struct: "Quaternion", Scalar: "float"),
        new("Matrix4x4ProductsAndTransforms",
            "",
            """
            [Differentiable] public static float F(Matrix4x4 s, float x)
            {
                var m = s * Matrix4x4.CreateRotationX(x) + Matrix4x4.CreateScale(x, 2, 0.5f) * 0.5f;
                var n = Matrix4x4.Transpose(m) * Matrix4x4.CreateFromQuaternion(new Quaternion(0.1f, x, 0.3f, 0.9f))
                    - Matrix4x4.CreateTranslation(new Vector3(x, 1, 0)) * Matrix4x4.CreateRotationY(0.4f) * Matrix4x4.CreateRotationZ(x) + Matrix4x4.CreateScale(x);
                var p = Vector3.Transform(new Vector3(1, x, 2), n) + Vector3.TransformNormal(new Vector3(x, 0, 1), m);
                var q = Vector4.Transform(new Vector4(x, 1, 0.5f, 2), s) + Vector4.Transform(new Vector3(1, 2, x), m);
                var r = Vector2.Transform(new Vector2(x, 1), m);
                return p.X * p.Y + p.Z + q.W * q.X + r.Y + n.M44 * 0.1f + Matrix4x4.Identity.M11 * x - Matrix4x4.Negate(s).M23;
            }
            static Matrix4x4 Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2], (float)v[3], (float)v[4], (float)v[5], (float)v[6], (float)v[7], (float)v[8], (float)v[9], (float)v[10], (float)v[11], (float)v[12], (float)v[13], (float)v[14], (float)v[15]);
            static double[] Parts(Matrix4x4 s) => [s.M11, s.M12, s.M13, s.M14, s.M21, s.M22, s.M23, s.M24, s.M31, s.M32, s.M33, s.M34, s.M41, s.M42, s.M43, s.M44];
            """,
            Struct: "Matrix4x4", Scalar: "float"),
        new("Matrix3x2AffineTransforms",
            "",
            """
            [Differentiable] public static float F(Matrix3x2 s, float x)
            {
                var m = s * Matrix3x2.CreateScale(x, 2) + Matrix3x2.CreateTranslation(new Vector2(1, x)) * s - Matrix3x2.CreateScale(0.5f) * x;
                var p = Vector2.Transform(new Vector2(x, 1), m) - Vector2.TransformNormal(new Vector2(1, x), s);
                return p.X * p.Y + m.M31 - (-m).M22 * x + Matrix3x2.Identity.M32;
            }
            static Matrix3x2 Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2], (float)v[3], (float)v[4], (float)v[5]);
            static double[] Parts(Matrix3x2 s) => [s.M11, s.M12, s.M21, s.M22, s.M31, s.M32];
            """,
            Struct: "Matrix3x2", Scalar: "float"),
        new("TupleParameterLocalsAndDeconstructionDeclarations",
            "",
            """
            [Differentiable] public static double F((double A, double B, int N) s, double x)
            {
                var (p, q) = (s.A * x, s.B - x);
                (double Lo, double Hi) range = p < q ? (p, q) : (q, p);
                var (lo, hi, _) = (range.Lo, range.Hi, s.N);
                return (hi - lo) * Math.Exp(-lo * lo) + s.Item3 * range.Item2;
            }
            static (double A, double B, int N) Make(double[] v) => (v[0], v[1], 2);
            static double[] Parts((double A, double B, int N) s) => [s.A, s.B];
            """,
            Struct: "(double A, double B, int N)"),
        new("IntegerMethodsAndPrivateHelpersOfAStruct",
            """
            public readonly record struct S(double A, double B, int Degree)
            {
                private static int Bump(int k) => k + 1;
                private static double Half(double v) => v / 2;
                public int Terms() => Bump(Degree);
                public double Eval(double x) { int n = Terms(); return A * Math.Pow(x, n) + Half(B) * x; }
            }
            """,
            """
            [Differentiable] public static double F(S s, double x)
            {
                static int Twice(int k) => 2 * k;
                int m = Twice(s.Degree) + s.Terms();
                return s.Eval(x) * m;
            }
            static S Make(double[] v) => new(v[0], v[1], 2);
            static double[] Parts(S s) => [s.A, s.B];
            """),
        new("Vector3HelperMethods",
            """
            public static class Kinematics
            {
                public static Vector3 Reflect(Vector3 v, Vector3 n) { float d = Vector3.Dot(v, n); return v - 2 * d * n; }
                public static float Speed(Vector3 v) => v.Length();
            }
            """,
            """
            [Differentiable] public static float F(Vector3 s, float x)
            {
                var n = Vector3.Normalize(new Vector3(x, 1, 0.5f));
                var r = Kinematics.Reflect(s, n);
                return Kinematics.Speed(r * x) + r.Y;
            }
            static Vector3 Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2]);
            static double[] Parts(Vector3 s) => [s.X, s.Y, s.Z];
            """,
            Struct: "Vector3", Scalar: "float"),
        new("FixedSizeBufferFieldReadInALoopAndWrittenAtConstantIndices",
            "[System.Runtime.CompilerServices.InlineArray(3)] public struct Buf3 { private double _e; } public struct S { public Buf3 Pos; public double Mass; }",
            """
            [Differentiable] public static double F(S s, double x) { double e = 0; for (int i = 0; i < 3; i++) e += s.Pos[i] * s.Pos[(i + 1) % 3] * x; S q = s; q.Pos[1] = e * q.Pos[^1]; q.Pos[0] += s.Mass; return e + q.Pos[1] * s.Mass + Math.Sin(q.Pos[0]); }
            static S Make(double[] v) { var s = new S { Mass = v[3] }; s.Pos[0] = v[0]; s.Pos[1] = v[1]; s.Pos[2] = v[2]; return s; }
            static double[] Parts(S s) => [s.Pos[0], s.Pos[1], s.Pos[2], s.Mass];
            """),
        new("FixedSizeBufferOfStructs",
            "public record struct P(double X, double Y); [System.Runtime.CompilerServices.InlineArray(3)] public struct Corners { private P _e; } public struct S { public Corners C; }",
            """
            [Differentiable] public static double F(S s, double x) { double a = 0; for (int i = 0; i < 3; i++) { var p = s.C[i]; var q = s.C[(i + 1) % 3]; a += p.X * q.Y - q.X * p.Y; } return a * x + s.C[^1].X * s.C[0].Y; }
            static S Make(double[] v) { var s = new S(); for (int i = 0; i < 3; i++) s.C[i] = new P(v[2 * i], v[2 * i + 1]); return s; }
            static double[] Parts(S s) => [s.C[0].X, s.C[0].Y, s.C[1].X, s.C[1].Y, s.C[2].X, s.C[2].Y];
            """),
    ];

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    // Calls F's generated methods through the struct, as a user does, with arrays of scalars.
    private static string Wrappers(string s, string t) => $$"""
        public static double Value(double[] a) => F(Make(a), ({{t}})a[^1]);
        public static int Fields() => Parts(default).Length;
        public static double[] Gradient(double[] a) { double v = FGradient(Make(a), ({{t}})a[^1], out {{s}} ds, out {{t}} dx); return [.. Parts(ds), dx, v]; }
        public static double[] Backward(double[] a, double[] start, double seed) { {{s}} ds = Make(start); {{t}} dx = ({{t}})start[^1]; FBackward(Make(a), ({{t}})a[^1], ({{t}})seed, ref ds, ref dx); return [.. Parts(ds), dx]; }
        public static double Derivative(double[] a, double[] t) => FDerivative(Make(a), ({{t}})a[^1], Make(t), ({{t}})t[^1]);
        """;

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Struct_gradients_match_central_differences_in_both_modes(Case c)
    {
        string source = $"using System; using System.Numerics; using SymDiff; namespace Cases; {c.Types}\npublic static partial class C\n{{\n{c.Members}\n{Wrappers(c.Struct, c.Scalar)}\n}}";
        Type type = Harness.Load(source).GetType("Cases.C")!;
        T Call<T>(string name, params object[] args) => (T)type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;
        int n = Call<int>("Fields") + 1;
        bool single = c.Scalar == "float";
        double tolerance = single ? 2e-3 : 1e-6;
        var random = new Random(7);
        double[] Random() => Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 3 - 1.5, single ? 3 : 15)).ToArray();
        for (int point = 0; point < 5; point++)
        {
            double[] a = Random();
            double[] g = Call<double[]>("Gradient", a);
            double value = Call<double>("Value", a);
            Assert.True(Math.Abs(value - g[n]) <= (single ? 1e-5 : 1e-12) * (1 + Math.Abs(value)), $"{c.Name} Gradient's value {g[n]} vs {value}");
            for (int k = 0; k < n; k++)
            {
                double h = single ? 1e-2 : 1e-6;
                double numerical = (Call<double>("Value", With(a, k, a[k] + h)) - Call<double>("Value", With(a, k, a[k] - h))) / (2 * h);
                Assert.True(Math.Abs(g[k] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} ∂F/∂slot{k} at {string.Join(", ", a)}: generated {g[k]}, central {numerical}");
            }

            // Backward adds seed · gradient to the adjoints it is given.
            double seed = random.NextDouble() * 2 - 1;
            double[] start = Random();
            double[] back = Call<double[]>("Backward", a, start, seed);
            double[] tangent = Random();
            double directional = Call<double>("Derivative", a, tangent);
            for (int k = 0; k < n; k++)
            {
                Assert.True(Math.Abs(back[k] - (start[k] + seed * g[k])) <= 1e-9 + tolerance * Math.Abs(back[k]), $"{c.Name} Backward slot {k}: {back[k]} vs {start[k] + seed * g[k]}");
            }

            double dot = g.Take(n).Zip(tangent, (x, y) => x * y).Sum();
            Assert.True(Math.Abs(directional - dot) <= 1e-9 + tolerance * Math.Abs(dot), $"{c.Name} Derivative {directional} vs gradient · tangent {dot}");
        }
    }

    /// <summary>
    /// A struct result: <paramref name="Members"/> declares <c>[Differentiable] static R F(S s, double x)</c>
    /// (or float), <c>Make</c>/<c>Parts</c> for S and <c>MakeR</c>/<c>PartsR</c> for R.
    /// </summary>
    public sealed record ResultCase(string Name, string Types, string Members, string Struct = "S", string Result = "R", string Scalar = "double")
    {
        public override string ToString() => Name;
    }

    public static readonly ResultCase[] ResultCases =
    [
        new("PolarToCartesianWithAnEarlyReturn",
            "public readonly record struct R(double X, double Y); public struct S { public double Radius; public double Theta; public int Turns; }",
            """
            [Differentiable] public static R F(S s, double x)
            {
                double r = s.Radius * x;
                if (r < -1) return new R(0, r);
                return new R(r * Math.Cos(s.Theta), r * Math.Sin(s.Theta));
            }
            static S Make(double[] v) => new S { Radius = v[0], Theta = v[1], Turns = 2 };
            static double[] Parts(S s) => [s.Radius, s.Theta];
            static R MakeR(double[] v) => new(v[0], v[1]);
            static double[] PartsR(R r) => [r.X, r.Y];
            """),
        new("RecordWithAConstantFieldFromAStructMethod",
            """
            public record struct R(double Slope, double Intercept, int Points);
            public readonly record struct S(double X, double Y) { public R Through(S q) { double m = (q.Y - Y) / (q.X - X + 3); return new R(m, Y - m * X, 2); } }
            """,
            """
            [Differentiable] public static R F(S s, double x) => s.Through(new S(x, x * x)) with { Points = 3 };
            static S Make(double[] v) => new(v[0], v[1]);
            static double[] Parts(S s) => [s.X, s.Y];
            static R MakeR(double[] v) => new(v[0], v[1], 0);
            static double[] PartsR(R r) => [r.Slope, r.Intercept];
            """),
        new("TapedLoopBuildingAVector3",
            "",
            """
            [Differentiable] public static Vector3 F(Vector3 s, float x)
            {
                var v = s;
                for (int i = 0; i < 3; i++)
                {
                    v = Vector3.Normalize(v + new Vector3(x, 0.5f, -0.25f)) * (1 + v.Y * 0.1f);
                }

                return v * x;
            }
            static Vector3 Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2]);
            static double[] Parts(Vector3 s) => [s.X, s.Y, s.Z];
            static Vector3 MakeR(double[] v) => Make(v);
            static double[] PartsR(Vector3 r) => Parts(r);
            """,
            Struct: "Vector3", Result: "Vector3", Scalar: "float"),
        new("TupleResultFromTupleHelpersAndDeconstruction",
            """
            public static class Stats
            {
                public static (double Mean, double Spread) Of(double a, double b) { double m = (a + b) / 2; return (m, Math.Abs(a - b) / 2 + 0.1); }
                public static (double, double) Swap(double a, double b) => (b, a);
            }
            """,
            """
            [Differentiable] public static (double Sum, double Product) F((double X, double Y) s, double x)
            {
                var (mean, spread) = Stats.Of(s.X, s.Y * x);
                double a = mean, b = spread;
                (a, b) = Stats.Swap(a, b);
                (double, int) t = (a * 2, 3);
                var q = (First: b, Second: t.Item1);
                if (q.First > 2) return (q.First, -a);
                return (q.First + q.Second + s.Item1, a * b * t.Item2);
            }
            static (double X, double Y) Make(double[] v) => (v[0], v[1]);
            static double[] Parts((double X, double Y) s) => [s.X, s.Y];
            static (double Sum, double Product) MakeR(double[] v) => (v[0], v[1]);
            static double[] PartsR((double Sum, double Product) r) => [r.Sum, r.Product];
            """,
            Struct: "(double X, double Y)", Result: "(double Sum, double Product)"),
        new("QuaternionResult",
            "",
            """
            [Differentiable] public static Quaternion F(Quaternion s, float x) => Quaternion.Normalize(s * Quaternion.CreateFromAxisAngle(Vector3.UnitY, x)) * (1 + x * x);
            static Quaternion Make(double[] v) => new((float)v[0], (float)v[1], (float)v[2], (float)v[3]);
            static double[] Parts(Quaternion s) => [s.X, s.Y, s.Z, s.W];
            static Quaternion MakeR(double[] v) => Make(v);
            static double[] PartsR(Quaternion r) => Parts(r);
            """,
            Struct: "Quaternion", Result: "Quaternion", Scalar: "float"),
        new("FixedSizeBufferResult",
            "[System.Runtime.CompilerServices.InlineArray(2)] public struct Buf2 { private double _e; } public struct S { public Buf2 V; public double K; } public struct R { public Buf2 V; }",
            """
            [Differentiable] public static R F(S s, double x) { R r = default; r.V[0] = s.V[1] * x; r.V[1] = Math.Exp(s.V[0] * s.K); return r; }
            static S Make(double[] v) { var s = new S { K = v[2] }; s.V[0] = v[0]; s.V[1] = v[1]; return s; }
            static double[] Parts(S s) => [s.V[0], s.V[1], s.K];
            static R MakeR(double[] v) { R r = default; r.V[0] = v[0]; r.V[1] = v[1]; return r; }
            static double[] PartsR(R r) => [r.V[0], r.V[1]];
            """),
    ];

    public static IEnumerable<object[]> ResultCaseData => ResultCases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(ResultCaseData))]
    public void Struct_results_match_central_differences_in_both_modes(ResultCase c)
    {
        string s = c.Struct, t = c.Scalar, r = c.Result;
        string wrappers = $$"""
            public static double[] Value(double[] a) => PartsR(F(Make(a), ({{t}})a[^1]));
            public static int Fields() => Parts(default).Length;
            public static int Results() => PartsR(default).Length;
            public static double[] Backward(double[] a, double[] seed, double[] start) { {{s}} ds = Make(start); {{t}} dx = ({{t}})start[^1]; FBackward(Make(a), ({{t}})a[^1], MakeR(seed), ref ds, ref dx); return [.. Parts(ds), dx]; }
            public static double[] Derivative(double[] a, double[] t) => PartsR(FDerivative(Make(a), ({{t}})a[^1], Make(t), ({{t}})t[^1]));
            """;
        string source = $"using System; using System.Numerics; using SymDiff; namespace Cases; {c.Types}\npublic static partial class C\n{{\n{c.Members}\n{wrappers}\n}}";
        Type type = Harness.Load(source).GetType("Cases.C")!;
        T Call<T>(string name, params object[] args) => (T)type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;
        int n = Call<int>("Fields") + 1, outputs = Call<int>("Results");
        bool single = c.Scalar == "float";
        double tolerance = single ? 3e-3 : 1e-6, h = single ? 1e-2 : 1e-6;
        var random = new Random(11);
        double[] Random(int count) => Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 3 - 1.5, single ? 3 : 15)).ToArray();
        for (int point = 0; point < 5; point++)
        {
            double[] a = Random(n), seed = Random(outputs), start = Random(n), tangent = Random(n);

            // Backward adds seedᵀ·J to the adjoints: against central differences of seed · F.
            double[] back = Call<double[]>("Backward", a, seed, start);
            double Seeded(double[] at) => Call<double[]>("Value", at).Zip(seed, (y, w) => y * w).Sum();
            for (int k = 0; k < n; k++)
            {
                double numerical = (Seeded(With(a, k, a[k] + h)) - Seeded(With(a, k, a[k] - h))) / (2 * h);
                Assert.True(Math.Abs(back[k] - start[k] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} Backward slot {k} at {string.Join(", ", a)}: {back[k] - start[k]} vs central {numerical}");
            }

            // Derivative returns J·t: against central differences along t.
            double[] forward = Call<double[]>("Derivative", a, tangent);
            double[] plus = Call<double[]>("Value", a.Zip(tangent, (v, d) => v + h * d).ToArray()), minus = Call<double[]>("Value", a.Zip(tangent, (v, d) => v - h * d).ToArray());
            for (int j = 0; j < outputs; j++)
            {
                double numerical = (plus[j] - minus[j]) / (2 * h);
                Assert.True(Math.Abs(forward[j] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} Derivative field {j}: {forward[j]} vs central {numerical}");
            }
        }
    }

    /// <summary>
    /// An array of structs: <paramref name="Members"/> declares <c>[Differentiable] static double F(S[] s, double x)</c>
    /// (or a span of S, or float) and, when <paramref name="Output"/>, <c>[Differentiable] static void G(ReadOnlySpan&lt;S&gt; s, double x, [Output] Span&lt;S&gt; o)</c>;
    /// <c>Make</c> builds <paramref name="Count"/> structs from their fields in a row and <c>Parts</c> lists them again.
    /// </summary>
    public sealed record ArrayCase(string Name, string Types, string Members, string Struct = "S", string Scalar = "double", int Count = 4, bool Output = false)
    {
        public override string ToString() => Name;
    }

    public static readonly ArrayCase[] ArrayCases =
    [
        new("PolygonPerimeterThroughAStructMethod",
            "public readonly record struct S(double X, double Y) { public double DistanceTo(S q) => Math.Sqrt((X - q.X) * (X - q.X) + (Y - q.Y) * (Y - q.Y)); }",
            """
            [Differentiable] public static double F(S[] s, double x) { double p = 0; for (int i = 0; i < s.Length; i++) p += s[i].DistanceTo(s[(i + 1) % s.Length]) * x; return p + s[^1].Y * s[0].X; }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S(v[2 * i], v[2 * i + 1])).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.X, p.Y }).ToArray();
            """),
        new("ForEachOverASpanOfNestedStructs",
            "public record struct P(double X, double Y); public struct S { public P From; public P To; public double Width; }",
            """
            [Differentiable] public static double F(ReadOnlySpan<S> s, double x) { double area = 0; foreach (var seg in s) { var d = new P(seg.To.X - seg.From.X, seg.To.Y - seg.From.Y); area += (d.X * d.X + d.Y * d.Y) * seg.Width * x; } return area + s[1].To.Y; }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 5).Select(i => new S { From = new P(v[5 * i], v[5 * i + 1]), To = new P(v[5 * i + 2], v[5 * i + 3]), Width = v[5 * i + 4] }).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.From.X, p.From.Y, p.To.X, p.To.Y, p.Width }).ToArray();
            """, Count: 3),
        new("TapedLoopCarryingAcrossElements",
            "public struct S { public double A; public double B { get; set; } }",
            """
            [Differentiable] public static double F(S[] s, double x) { double acc = x; for (int i = 0; i < s.Length; i++) { var e = s[i]; acc = Math.Tanh(acc * e.A) + e.B * acc; } return acc; }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S { A = v[2 * i], B = v[2 * i + 1] }).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.A, p.B }).ToArray();
            """),
        new("Vector2SpanInFloat",
            "",
            """
            [Differentiable] public static float F(ReadOnlySpan<Vector2> s, float x) { float t = 0; for (int i = 1; i < s.Length; i++) t += Vector2.Distance(s[i], s[i - 1] * x) + Vector2.Dot(s[i], s[0]); return t; }
            static Vector2[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new Vector2((float)v[2 * i], (float)v[2 * i + 1])).ToArray();
            static double[] Parts(Vector2[] s) => s.SelectMany(p => new double[] { p.X, p.Y }).ToArray();
            """, Struct: "Vector2", Scalar: "float"),
        new("OutputArrayOfStructsWrittenWholeAndByField",
            "public struct S { public double A; public double B; }",
            """
            [Differentiable] public static double F(S[] s, double x) => s[0].A * x + s[^1].B;
            [Differentiable] public static void G(ReadOnlySpan<S> s, double x, [Output] Span<S> o)
            {
                for (int i = 0; i < s.Length; i++)
                {
                    o[i] = new S { A = s[i].B * x, B = Math.Sin(s[i].A) };
                    o[i].B += o[i].A * s[(i + 1) % s.Length].A;
                }

                o[0] = o[0] with { A = o[0].B, B = o[0].A };
            }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S { A = v[2 * i], B = v[2 * i + 1] }).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.A, p.B }).ToArray();
            """, Count: 3, Output: true),
        // An array of structs passed to another method, [Differentiable] or not: read in place, its elements the caller's.
        new("ArrayOfStructsPassedToMethods",
            "public readonly record struct S(double X, double Y) { public double DistanceTo(S q) => Math.Sqrt((X - q.X) * (X - q.X) + (Y - q.Y) * (Y - q.Y)); }",
            """
            [Differentiable] public static double Perimeter(ReadOnlySpan<S> pts) { double p = 0; for (int i = 0; i < pts.Length; i++) p += pts[i].DistanceTo(pts[(i + 1) % pts.Length]); return p; }
            static double Spread(ReadOnlySpan<S> pts, double k) { double t = 0; foreach (var q in pts) t += Math.Tanh(q.X * k) * q.Y; return t + Perimeter(pts) * 0.25; }
            static S Last(S[] pts) => pts[^1];
            [Differentiable] public static double F(S[] s, double x) => Perimeter(s) * x + Spread(s, x) + Last(s).X * s.Length;
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S(v[2 * i], v[2 * i + 1])).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.X, p.Y }).ToArray();
            """),
        // A range of an array of structs passed to another method: read in place, its elements those of the range.
        new("RangesOfAnArrayOfStructsPassedToMethods",
            "public readonly record struct S(double X, double Y) { public double DistanceTo(S q) => Math.Sqrt((X - q.X) * (X - q.X) + (Y - q.Y) * (Y - q.Y)); }",
            """
            [Differentiable] public static double Path(ReadOnlySpan<S> pts) { double p = 0; for (int i = 0; i + 1 < pts.Length; i++) p += pts[i].DistanceTo(pts[i + 1]); return p; }
            static double Tail(ReadOnlySpan<S> pts, double k) { double t = pts[^1].X * pts[0].Y; foreach (var q in pts) t += Math.Tanh(q.X * k) * q.Y; return t + Path(pts[1..]) * pts.Length; }
            static double Middle(S[] pts, int from, int count) => Path(pts.AsSpan(from, count)) + Tail(pts.AsSpan(from, count), 0.5);
            [Differentiable] public static double F(S[] s, double x) => Path(s[1..]) * x + Tail(s[..^1], x) + Middle(s, 1, 2) + Path(s.AsSpan(1, 3).Slice(1)[..^1]);
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S(v[2 * i], v[2 * i + 1])).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.X, p.Y }).ToArray();
            """, Count: 5),
        new("SpanOfStructsPassedInATapedLoop",
            "public struct S { public double A; public double B; }",
            """
            static double Weighted(ReadOnlySpan<S> s, double w) { double t = 0; for (int i = 0; i < s.Length; i++) t += s[i].A * Math.Sin(s[i].B * w); return t; }
            [Differentiable] public static double F(ReadOnlySpan<S> s, double x) { double acc = x; for (int k = 0; k < 3; k++) { double step = Weighted(s, acc); if (step > 0) acc = Math.Tanh(acc + step); else acc = acc * 0.5 + step; } return acc; }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 2).Select(i => new S { A = v[2 * i], B = v[2 * i + 1] }).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.A, p.B }).ToArray();
            """, Count: 3),
        new("SpanOfStructsWithAFixedSizeBuffer",
            "[System.Runtime.CompilerServices.InlineArray(2)] public struct Buf2 { private double _e; } public struct S { public Buf2 P; public double W; }",
            """
            [Differentiable] public static double F(ReadOnlySpan<S> s, double x) { double t = 0; foreach (var e in s) t += (e.P[0] - x) * (e.P[1] + x) * e.W; return t; }
            static S[] Make(double[] v) => Enumerable.Range(0, v.Length / 3).Select(i => { var s = new S { W = v[3 * i + 2] }; s.P[0] = v[3 * i]; s.P[1] = v[3 * i + 1]; return s; }).ToArray();
            static double[] Parts(S[] s) => s.SelectMany(p => new[] { p.P[0], p.P[1], p.W }).ToArray();
            """, Count: 3),
    ];

    public static IEnumerable<object[]> ArrayCaseData => ArrayCases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(ArrayCaseData))]
    public void Arrays_of_structs_match_central_differences_in_both_modes(ArrayCase c)
    {
        string s = c.Struct, t = c.Scalar;
        string wrappers = $$"""
            public static int Fields() => Parts(new {{s}}[{{c.Count}}]).Length;
            public static double Value(double[] a) => F(Make(a[..^1]), ({{t}})a[^1]);
            public static double[] Gradient(double[] a) { var ds = new {{s}}[{{c.Count}}]; double v = FGradient(Make(a[..^1]), ({{t}})a[^1], ds, out {{t}} dx); return [.. Parts(ds), dx, v]; }
            public static double[] Backward(double[] a, double[] start, double seed) { var ds = Make(start[..^1]); {{t}} dx = ({{t}})start[^1]; FBackward(Make(a[..^1]), ({{t}})a[^1], ({{t}})seed, ds, ref dx); return [.. Parts(ds), dx]; }
            public static double Derivative(double[] a, double[] t) => FDerivative(Make(a[..^1]), ({{t}})a[^1], Make(t[..^1]), ({{t}})t[^1]);
            """ + (c.Output ? $$"""

            public static double[] Outputs(double[] a) { var o = new {{s}}[{{c.Count}}]; G(Make(a[..^1]), ({{t}})a[^1], o); return Parts(o); }
            public static double[] OutputBackward(double[] a, double[] seed, double[] start) { var o = new {{s}}[{{c.Count}}]; var ds = Make(start[..^1]); {{t}} dx = ({{t}})start[^1]; GBackward(Make(a[..^1]), ({{t}})a[^1], o, Make(seed), ds, ref dx); return [.. Parts(ds), dx]; }
            public static double[] OutputDerivative(double[] a, double[] t) { var o = new {{s}}[{{c.Count}}]; var d = new {{s}}[{{c.Count}}]; GDerivative(Make(a[..^1]), ({{t}})a[^1], o, Make(t[..^1]), ({{t}})t[^1], d); return Parts(d); }
            """ : string.Empty);
        string source = $"using System; using System.Linq; using System.Numerics; using SymDiff; namespace Cases; {c.Types}\npublic static partial class C\n{{\n{c.Members}\n{wrappers}\n}}";
        Type type = Harness.Load(source).GetType("Cases.C")!;
        T Call<T>(string name, params object[] args) => (T)type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, args)!;
        int n = Call<int>("Fields") + 1;
        bool single = c.Scalar == "float";
        double tolerance = single ? 3e-3 : 1e-6, h = single ? 1e-2 : 1e-6;
        var random = new Random(13);
        double[] Random(int count) => Enumerable.Range(0, count).Select(_ => Math.Round(random.NextDouble() * 3 - 1.5, single ? 3 : 15)).ToArray();
        for (int point = 0; point < 5; point++)
        {
            double[] a = Random(n), start = Random(n), tangent = Random(n);
            double[] g = Call<double[]>("Gradient", a);
            double value = Call<double>("Value", a);
            Assert.True(Math.Abs(value - g[n]) <= (single ? 1e-5 : 1e-12) * (1 + Math.Abs(value)), $"{c.Name} Gradient's value {g[n]} vs {value}");
            for (int k = 0; k < n; k++)
            {
                double numerical = (Call<double>("Value", With(a, k, a[k] + h)) - Call<double>("Value", With(a, k, a[k] - h))) / (2 * h);
                Assert.True(Math.Abs(g[k] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} ∂F/∂slot{k} at {string.Join(", ", a)}: generated {g[k]}, central {numerical}");
            }

            double seed = random.NextDouble() * 2 - 1;
            double[] back = Call<double[]>("Backward", a, start, seed);
            double dot = g.Take(n).Zip(tangent, (x, y) => x * y).Sum();
            double directional = Call<double>("Derivative", a, tangent);
            for (int k = 0; k < n; k++)
            {
                Assert.True(Math.Abs(back[k] - (start[k] + seed * g[k])) <= 1e-9 + tolerance * Math.Abs(back[k]), $"{c.Name} Backward slot {k}: {back[k]} vs {start[k] + seed * g[k]}");
            }

            Assert.True(Math.Abs(directional - dot) <= 1e-9 + tolerance * Math.Abs(dot), $"{c.Name} Derivative {directional} vs gradient · tangent {dot}");
            if (!c.Output)
            {
                continue;
            }

            // The [Output] array of structs: Backward against central differences of seed · outputs, Derivative against J·t.
            double[] outputSeed = Random(n - 1);
            double[] outputBack = Call<double[]>("OutputBackward", a, outputSeed, start);
            double Seeded(double[] at) => Call<double[]>("Outputs", at).Zip(outputSeed, (y, w) => y * w).Sum();
            for (int k = 0; k < n; k++)
            {
                double numerical = (Seeded(With(a, k, a[k] + h)) - Seeded(With(a, k, a[k] - h))) / (2 * h);
                Assert.True(Math.Abs(outputBack[k] - start[k] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} output Backward slot {k}: {outputBack[k] - start[k]} vs central {numerical}");
            }

            double[] forward = Call<double[]>("OutputDerivative", a, tangent);
            double[] plus = Call<double[]>("Outputs", a.Zip(tangent, (v, d) => v + h * d).ToArray()), minus = Call<double[]>("Outputs", a.Zip(tangent, (v, d) => v - h * d).ToArray());
            for (int j = 0; j < forward.Length; j++)
            {
                double numerical = (plus[j] - minus[j]) / (2 * h);
                Assert.True(Math.Abs(forward[j] - numerical) <= tolerance * (1 + Math.Abs(numerical)), $"{c.Name} output Derivative field {j}: {forward[j]} vs central {numerical}");
            }
        }
    }

    private static double[] With(double[] a, int k, double value)
    {
        double[] copy = (double[])a.Clone();
        copy[k] = value;
        return copy;
    }

    [Fact]
    public void The_adjoint_has_the_struct_type_and_unlisted_structs_are_constants()
    {
        const string source = """
            using System; using SymDiff; namespace Cases;
            public record struct P(double W, double B);
            public static partial class C
            {
                [Differentiable(nameof(x))] public static double F(P p, double x) => p.W * x * x + p.B;
                public static double Check() { double v = FGradient(new P(2, 1), 3, out double dx); return v * 1000 + dx; }
                public static P Adjoint() { GGradient(new P(2, 1), out P dp); return dp; }
                [Differentiable] public static double G(P p) => p.W * p.W * p.B;
            }
            """;
        Type type = Harness.Load(source).GetType("Cases.C")!;
        Assert.Equal(19 * 1000 + 12, (double)type.GetMethod("Check")!.Invoke(null, null)!);
        object dp = type.GetMethod("Adjoint")!.Invoke(null, null)!;
        Assert.Equal("P { W = 4, B = 4 }", dp.ToString());
    }

    [Theory]
    [InlineData("SD0004", "public struct S { public double W; public object Tag; } public static partial class C { [Differentiable] public static double F([|S|] s) => s.W; }",
        "Parameter 's' has type 'Cases.S (its field 'Tag' has type 'object' (a struct's fields must be double, constants such as int, bool or string, or other such structs))': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0004", "public readonly struct S { public readonly double W; } public static partial class C { [Differentiable] public static double F([|S|] s) => s.W; }",
        "Parameter 's' has type 'Cases.S (its field 'W' cannot be set, and no constructor sets each field from the parameter of its name, so generated code could not build the adjoint; give the field an 'init' accessor or add such a constructor)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0004", "public struct S { public float W; } public static partial class C { [Differentiable] public static double F([|S|] s) => s.W; }",
        "Parameter 's' has type 'Cases.S (its field 'W' is float, and the method computes in double)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0003", "public record struct S(double W) { public object? Tag { get; init; } } public static partial class C { [Differentiable] public static [|S|] F(double x) => new S(x); }",
        "Method 'F' returns 'Cases.S (its field 'Tag' has type 'object?' (a struct's fields must be double, constants such as int, bool or string, or other such structs))': a [Differentiable] method returns double or float, a struct of such values, or void when it writes its results into [Output] parameters (never both)")]
    [InlineData("SD0027", "public record struct S(double W); public static partial class C { [Differentiable([|Hessian = true|])] public static S F(double x) => new S(x * x); }",
        "Hessian = true on 'F': a Hessian is the matrix of second derivatives of one result, and this method returns the struct 'S': ask for Jacobian = true for the derivatives of its fields")]
    [InlineData("SD0029", "public record struct S(double W) { public double Sum(int n) { double t = 0; for (int i = 0; i < n; i++) { if (t > 5) return t; t += W; } return t; } } public static partial class C { [Differentiable] public static double F(S s) => [|s.Sum(3)|]; }",
        "The call to 'S.Sum' cannot be differentiated: 'S.Sum' is not [Differentiable], so SymDiff differentiates its body, but its body (Source0.cs, line 1) returns at 'return t;' before its end, and SymDiff reads a method with statements in place only when its one return is its last statement; keep the result in a local and return it at the end")]
    [InlineData("SD0018", "public record struct S(double W) { public double Up(int n) => n == 0 ? W : Up(n - 1) * 2; } public static partial class C { [Differentiable] public static double F(S s) => [|s.Up(2)|]; }",
        "The call to 'S.Up' is recursive: SymDiff cannot differentiate recursion; rewrite it as a loop")]
    [InlineData("SD0029", "public record struct S(double W) { public double Est => Math.ReciprocalEstimate(W); } public static partial class C { [Differentiable] public static double F(S s) => [|s.Est|]; }",
        "The call to 'S.Est' cannot be differentiated: 'S.Est' is not [Differentiable], so SymDiff differentiates its body, but its body cannot be differentiated (Source0.cs, line 1): Call to 'Math.ReciprocalEstimate' cannot be differentiated: it is not [Differentiable], not a supported System.Math function, and not a method with a body in this project whose signature SymDiff handles; mark it [Differentiable] where it is declared, or compute its value outside")]
    [InlineData("SD0029", "public record struct S(double W) { public double Bump() { W = W + 1; return W; } } public static partial class C { [Differentiable] public static double F(S s) => [|s.Bump()|]; }",
        "The call to 'S.Bump' cannot be differentiated: 'S.Bump' is not [Differentiable], so SymDiff differentiates its body, but its body cannot be differentiated (Source0.cs, line 1): Writing to the property 'W' (SymDiff writes the floating-point fields of struct locals and parameters, and the constant fields of struct locals) is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0029", "public record struct S(double W); public static partial class C { static double G(S s, ref double k) => s.W * k; [Differentiable] public static double F(S s, double x) => [|G(s, ref x)|]; }",
        "The call to 'C.G' cannot be differentiated: 'C.G' is not [Differentiable], so SymDiff differentiates its body, but its parameter 'k' is passed by reference, so the call may change a differentiated value; take it by value and return the result")]
    [InlineData("SD0029", "public static partial class C { [Differentiable] public static double F(double x) { double Twice(double v) { double r = v; if (r > 1) return r; r *= 2; return r; } return [|Twice(x)|]; } }",
        "The call to 'Twice' cannot be differentiated: 'Twice' is not [Differentiable], so SymDiff differentiates its body, but its body (Source0.cs, line 1) returns at 'return r;' before its end, and SymDiff reads a method with statements in place only when its one return is its last statement; keep the result in a local and return it at the end")]
    [InlineData("SD0008", "public struct S { public double W; public S(double w) { W = w * 2; } } public static partial class C { [Differentiable] public static double F(double x) { var s = [|new S(x)|]; return s.W; } }",
        "The constructor call 'new S(x)' is not supported in a [Differentiable] method yet: SymDiff follows a constructor of 'S' that only stores each parameter in the field of its name (or a record's primary constructor); use an object initializer 'new S { … }'")]
    [InlineData("SD0009", "public struct S { public double W; public string Name; } public static partial class C { [Differentiable] public static double F(double x) { S [|s = new S { W = x }|]; return s.W; } }",
        "Local 's' has type 'Cases.S (its field 'Name' is a string; struct locals hold numbers and bools, struct parameters may hold any constant)': locals of a [Differentiable] method are floating-point (of the method's precision), integer, bool, char, string or enum values, structs of such values, or local arrays 'new double[n]'")]
    [InlineData("SD0015", "public record struct S(double W, int N); public static partial class C { [Differentiable] public static double F(S s) { [|s.N|] = 2; return s.W; } }",
        "Writing to the property 'N' (SymDiff writes the floating-point fields of struct locals and parameters, and the constant fields of struct locals) is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static float F(System.Numerics.Vector2 a, System.Numerics.Vector2 b) => [|System.Numerics.Vector2.Reflect(a, b)|].X; }",
        "The vector method 'Vector2.Reflect' is not supported in a [Differentiable] method yet: SymDiff writes out +, -, *, / and unary minus, Dot, Length, LengthSquared, Distance, DistanceSquared, Normalize, Lerp, Cross, Min, Max, Abs, SquareRoot, and Transform and TransformNormal by a Quaternion, Matrix3x2 or Matrix4x4; write other operations on the fields X, Y, Z, W")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static float F(System.Numerics.Vector2 a) => [|System.Numerics.Vector2.Sum(a)|]; }",
        "The vector method 'Vector2.Sum' is not supported in a [Differentiable] method yet: SymDiff writes out +, -, *, / and unary minus, Dot, Length, LengthSquared, Distance, DistanceSquared, Normalize, Lerp, Cross, Min, Max, Abs, SquareRoot, and Transform and TransformNormal by a Quaternion, Matrix3x2 or Matrix4x4; write other operations on the fields X, Y, Z, W")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static float F(System.Numerics.Quaternion a, System.Numerics.Quaternion b) => [|System.Numerics.Quaternion.Slerp(a, b, 0.5f)|].X; }",
        "The Quaternion operation 'System.Numerics.Quaternion.Slerp(a, b, 0.5f)' is not supported in a [Differentiable] method yet: SymDiff writes out the constructors, Identity, Zero, +, -, * and unary minus of Quaternion, Matrix3x2 and Matrix4x4, Quaternion's Conjugate, Inverse, Normalize, Lerp, Concatenate, CreateFromAxisAngle and CreateFromYawPitchRoll, Matrix4x4's Transpose, CreateScale, CreateTranslation, CreateRotationX/Y/Z and CreateFromQuaternion, Matrix3x2's CreateScale and CreateTranslation, and the vectors' Transform and TransformNormal by them; write other operations on the fields")]
    [InlineData("SD0004", "public static partial class C { [Differentiable] public static double F([|System.Numerics.Matrix4x4|] m, double x) => m.M11 * x; }",
        "Parameter 'm' has type 'System.Numerics.Matrix4x4 (its fields are float, and the method computes in double)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0029", "public record struct S(double W); public class Spring { public double K = 2; public double Energy(S s) => K * s.W * s.W; } public partial class C { Spring spring = new(); [Differentiable] public double F(S s) => [|spring.Energy(s)|]; }",
        "The call to 'Spring.Energy' cannot be differentiated: 'Spring.Energy' is not [Differentiable], so SymDiff differentiates its body, but it is an instance method of another object ('spring'), whose fields the generated code cannot follow; make it static and pass what it reads as arguments")]
    [InlineData("SD0004", "public record struct S(double W, int N); public static partial class C { [Differentiable] public static double F([|S[]|] s) => s[0].W; }",
        "Parameter 's' has type 'Cases.S[] (its field 'N' is not a double: an array of structs is differentiated as one span of double fields)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0004", "public static partial class C { [Differentiable] public static double F([|(double A, double B)[]|] s) => s[0].A; }",
        "Parameter 's' has type '(double A, double B)[] (a value tuple has no sequential layout, so its fields can't be read as one span of double fields)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0004", "[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)] public record struct S(double W); public static partial class C { [Differentiable] public static double F([|System.ReadOnlySpan<S>|] s) => s[0].W; }",
        "Parameter 's' has type 'System.ReadOnlySpan<Cases.S> ('S' has no sequential layout, so its fields can't be read as one span of double fields)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0015", "public struct S { public double W; } public static partial class C { [Differentiable] public static double F(S[] s, double x) { [|s[0].W|] = x; return s[0].W; } }",
        "Writing to the field 'W' (an input; mark the parameter [Output] to make it a result) is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0008", "public record struct S(double W); public static partial class C { static double G(ReadOnlySpan<S> s) => s[0].W; [Differentiable] public static double F(S[] s) { ReadOnlySpan<S> tail = s[1..]; return [|G(tail)|]; } }",
        "The call to 'G' with the array of structs 's' is not supported in a [Differentiable] method yet: an array of structs is passed as the parameter it is, whole or as a range written in place ('pts', 'pts[1..]', 'pts.AsSpan(i, n)'); pass it so, or compute the value in this method")]
    [InlineData("SD0008", "public record struct S(double W); public static partial class C { static double Put(Span<S> o, double x) { o[0] = new S(x); return x; } [Differentiable] public static void F(double x, [Output] Span<S> o) { double t = Put([|o[1..]|], x); o[0] = new S(t); } }",
        "The array of structs 'o[1..]' is not supported in a [Differentiable] method yet: an [Output] is written by the method that declares it; write it there")]
    [InlineData("SD0008", "public record struct S(double W); public static partial class C { static double Put(Span<S> o, double x) { o[0] = new S(x); return x; } [Differentiable] public static void F(double x, [Output] Span<S> o) { double t = Put([|o|], x); o[1] = new S(t); } }",
        "The array of structs 'o' is not supported in a [Differentiable] method yet: an [Output] is written by the method that declares it; write it there")]
    [InlineData("SD0015", "[System.Runtime.CompilerServices.InlineArray(2)] public struct B { private double _e; } public struct S { public B V; } public static partial class C { [Differentiable] public static double F(S s, double x, int k) { S q = s; [|q.V[k]|] = x; return q.V[0]; } }",
        "Writing to the buffer element 'q.V[k]' at an index known only at run time (SymDiff writes a fixed-size buffer of a struct local at constant indices: 'b[0] = …') is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0004", "[System.Runtime.CompilerServices.InlineArray(2)] public struct B { private float _e; } public struct S { public B V; } public static partial class C { [Differentiable] public static double F([|S|] s) => s.V[0]; }",
        "Parameter 's' has type 'Cases.S (its fixed-size buffer 'V' holds float, and the method computes in double)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    public void Refused_struct_constructs_are_reported_at_the_construct(string id, string marked, string message) =>
        new DiagnosticTests().Each_diagnostic_is_reported_at_its_construct(id, marked, message);
}
