using System;
using System.Linq;
using System.Reflection;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Vector outputs ([Output] spans), single precision, instance methods and the tape's reuse of
/// its storage, each against central differences computed on the user's own method.
/// </summary>
public class LanguageTests
{
    private const string Dense = """
        using System;
        using SymDiff;

        namespace Cases;

        public static partial class Layers
        {
            [Differentiable]
            public static void Dense(ReadOnlySpan<double> W, ReadOnlySpan<double> b, ReadOnlySpan<double> x, [Output] Span<double> z)
            {
                for (int i = 0; i < b.Length; i++)
                {
                    double s = b[i];
                    for (int k = 0; k < x.Length; k++) s += W[i * x.Length + k] * x[k];
                    z[i] = Math.Tanh(s);
                }
            }
        }

        public static class Calls
        {
            public static void Value(double[] W, double[] b, double[] x, double[] z) => Layers.Dense(W, b, x, z);
            public static void Backward(double[] W, double[] b, double[] x, double[] z, double[] dz, double[] dW, double[] db, double[] dx) => Layers.DenseBackward(W, b, x, z, dz, dW, db, dx);
            public static void Derivative(double[] W, double[] b, double[] x, double[] z, double[] dW, double[] db, double[] dx, double[] dz) => Layers.DenseDerivative(W, b, x, z, dW, db, dx, dz);
        }
        """;

    [Fact]
    public void Output_span_backward_accumulates_the_vector_jacobian_product_and_derivative_writes_the_output_tangent()
    {
        Type calls = Harness.Load(Dense).GetType("Cases.Calls")!;
        var random = new Random(7);
        double[] R(int n) => Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[][] inputs = [R(6), R(2), R(3)];
        double[] z = new double[2];
        Invoke(calls, "Value", inputs[0], inputs[1], inputs[2], z);

        // Backward: each input adjoint gains Σᵢ dz[i] · ∂z[i]/∂input, on top of what it held.
        double[] dz = R(2);
        double[][] adjoints = [R(6), R(2), R(3)];
        double[][] before = adjoints.Select(a => (double[])a.Clone()).ToArray();
        double[] zAgain = new double[2];
        Invoke(calls, "Backward", inputs[0], inputs[1], inputs[2], zAgain, dz, adjoints[0], adjoints[1], adjoints[2]);
        Assert.Equal(z, zAgain);
        for (int p = 0; p < 3; p++)
        {
            for (int j = 0; j < inputs[p].Length; j++)
            {
                int param = p, index = j;
                double numerical = Check.Central(t =>
                {
                    double[][] copy = inputs.Select(a => (double[])a.Clone()).ToArray();
                    copy[param][index] = t;
                    double[] out1 = new double[2];
                    Invoke(calls, "Value", copy[0], copy[1], copy[2], out1);
                    return out1[0] * dz[0] + out1[1] * dz[1];
                }, inputs[p][j]);
                Check.Within(adjoints[p][j] - before[p][j], numerical, $"adjoint of input {p}[{j}]");
            }
        }

        // Derivative: the output tangent along random input tangents is ⟨dz, J·t⟩-consistent with Backward.
        double[][] tangents = [R(6), R(2), R(3)];
        double[] zTangent = new double[2];
        Invoke(calls, "Derivative", inputs[0], inputs[1], inputs[2], new double[2], tangents[0], tangents[1], tangents[2], zTangent);
        double viaBackward = Enumerable.Range(0, 3).Sum(p => tangents[p].Zip(adjoints[p].Zip(before[p], (a, b) => a - b), (t, g) => t * g).Sum());
        Check.Close(viaBackward, zTangent[0] * dz[0] + zTangent[1] * dz[1], 1e-12, "⟨dz, J·t⟩ = ⟨Jᵀ·dz, t⟩");
    }

    [Fact]
    public void Float_methods_get_a_float_api_that_matches_central_differences_of_the_double_reference()
    {
        const string source = """
            using System;
            using SymDiff;

            namespace Cases;

            public static partial class Single
            {
                [Differentiable]
                public static float Loss(float w, float[] v)
                {
                    float s = 0;
                    for (int i = 0; i < v.Length; i++)
                    {
                        float e = MathF.Sin(w * v[i]) - 0.5f;
                        if (e > 0) e = e * 2f + (float)Math.Tanh(w) * 0.25f;
                        s += e * e;
                    }

                    return s / v.Length;
                }

                public static double Reference(double w, double[] v)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++)
                    {
                        double e = Math.Sin(w * v[i]) - 0.5;
                        if (e > 0) e = e * 2 + Math.Tanh(w) * 0.25;
                        s += e * e;
                    }

                    return s / v.Length;
                }

                public static float Gradient(float w, float[] v, float[] dv, out float dw) => LossGradient(w, v, out dw, dv);
            }
            """;
        Type type = Harness.Load(source).GetType("Cases.Single")!;
        MethodInfo gradient = type.GetMethod("Gradient")!;
        Assert.Equal(typeof(float), type.GetMethod("LossGradient")!.ReturnType);
        var reference = type.GetMethod("Reference")!.CreateDelegate<Func<double, double[], double>>();
        float[] v = [0.3f, -1.2f, 0.8f];
        float w = 0.7f;
        object[] args = [w, v, new float[3], 0f];
        float value = (float)gradient.Invoke(null, args)!;
        float dw = (float)args[3];
        float[] dv = (float[])args[2];
        double[] vd = v.Select(x => (double)x).ToArray();
        Assert.Equal(reference(w, vd), value, 5);
        Assert.Equal(Check.Central(t => reference(t, vd), w), dw, 4);
        for (int i = 0; i < 3; i++)
        {
            int index = i;
            Assert.Equal(Check.Central(t => { double[] c = (double[])vd.Clone(); c[index] = t; return reference(w, c); }, vd[i]), dv[i], 4);
        }
    }

    [Fact]
    public void Instance_methods_read_fields_and_properties_as_constants_and_get_instance_derivatives()
    {
        const string source = """
            using System;
            using SymDiff;

            namespace Cases;

            public partial class Model
            {
                private readonly double[] weights = { 1.5, -2 };
                public double Scale { get; set; } = 0.5;

                [Differentiable]
                public double Score(double x, double[] v)
                {
                    double s = 0;
                    for (int i = 0; i < v.Length; i++) s += weights[i] * Math.Sin(v[i] * x);
                    return Scale * s * s + Shift(x);
                }

                [Differentiable]
                public double Shift(double x) => Scale * x * x;

                public double Gradient(double x, double[] v, double[] dv, out double dx) => ScoreGradient(x, v, out dx, dv);
            }

            public readonly partial struct Spring
            {
                private readonly double k;
                public Spring(double k) => this.k = k;

                [Differentiable]
                public double Energy(double x) => 0.5 * k * x * x;

                public double Force(double x) { EnergyGradient(x, out double dx); return -dx; }
            }
            """;
        Assembly assembly = Harness.Load(source);
        object model = Activator.CreateInstance(assembly.GetType("Cases.Model")!)!;
        MethodInfo score = model.GetType().GetMethod("Score")!, gradient = model.GetType().GetMethod("Gradient")!;
        Assert.False(model.GetType().GetMethod("ScoreGradient")!.IsStatic);
        double x = 0.4;
        double[] v = [0.9, -0.3];
        object[] args = [x, v, new double[2], 0.0];
        gradient.Invoke(model, args);
        Check.Within((double)args[3], Check.Central(t => (double)score.Invoke(model, [t, v])!, x), "∂Score/∂x");
        for (int i = 0; i < 2; i++)
        {
            int index = i;
            Check.Within(((double[])args[2])[i], Check.Central(t => { double[] c = (double[])v.Clone(); c[index] = t; return (double)score.Invoke(model, [x, c])!; }, v[i]), $"∂Score/∂v[{i}]");
        }

        object spring = Activator.CreateInstance(assembly.GetType("Cases.Spring")!, 3.0)!;
        Assert.Equal(-3.0 * 0.2, (double)spring.GetType().GetMethod("Force")!.Invoke(spring, [0.2])!, 12);
    }

    [Fact]
    public void The_tape_reuses_its_storage_so_steady_state_calls_allocate_nothing_and_leave_it_balanced()
    {
        string source = Sources.InClass(SeedFigureTests.NetworkWithLoops + """
            public static double Run(int times)
            {
                double[] W1 = { 0.1, 0.2, -0.1, -0.2, 0.1, 0.3 }, b1 = { 0.1, -0.1 }, W2 = { 0.2, -0.1, 0.1, 0.2 }, b2 = { 0.05, 0.1 }, x = { 4, 7, 0.85 }, y = { 0.9, 0.8 };
                double[] dW1 = new double[6], db1 = new double[2], dW2 = new double[4], db2 = new double[2];
                double loss = 0;
                for (int i = 0; i < times; i++) loss = NetLossGradient(W1, b1, W2, b2, x, y, dW1, db1, dW2, db2);
                return loss;
            }
            """);
        var run = Harness.Load(source).GetType("Cases.C")!.GetMethod("Run")!.CreateDelegate<Func<int, double>>();
        run(10);
        int depth = SymDiff.Generated.Tape.Current.Depth;

        // Run allocates its arrays once; a thousand more gradient calls must add nothing to that.
        long start = GC.GetAllocatedBytesForCurrentThread();
        run(1);
        long once = GC.GetAllocatedBytesForCurrentThread() - start;
        start = GC.GetAllocatedBytesForCurrentThread();
        double loss = run(1001);
        long many = GC.GetAllocatedBytesForCurrentThread() - start;
        Assert.Equal(0.5001125, loss, 12);
        Assert.Equal(once, many);
        Assert.Equal(depth, SymDiff.Generated.Tape.Current.Depth);
    }

    private static void Invoke(Type type, string name, params object[] args) => type.GetMethod(name)!.Invoke(null, args);
}
