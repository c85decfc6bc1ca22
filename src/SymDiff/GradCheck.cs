using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;

namespace SymDiff;

/// <summary>A function of a parameter vector.</summary>
/// <param name="x">The parameters.</param>
/// <returns>The function's value.</returns>
public delegate double ScalarFunction(ReadOnlySpan<double> x);

/// <summary>A function of a parameter vector that also writes its analytic gradient.</summary>
/// <param name="x">The parameters.</param>
/// <param name="gradient">Receives ∂f/∂xᵢ; has <c>x.Length</c> elements.</param>
/// <returns>The function's value.</returns>
public delegate double GradientFunction(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>A function of a parameter vector that also writes its gradient and its Hessian (a generated <c>FHessian</c>).</summary>
/// <param name="x">The parameters.</param>
/// <param name="gradient">Receives ∂f/∂xᵢ; has <c>x.Length</c> elements.</param>
/// <param name="hessian">Receives ∂²f/∂xᵢ∂xⱼ row-major; has <c>x.Length²</c> elements.</param>
/// <returns>The function's value.</returns>
public delegate double HessianFunction(ReadOnlySpan<double> x, Span<double> gradient, Span<double> hessian);

/// <summary>
/// Gradient checking: compares analytic gradients with central differences
/// <c>(f(x + hεᵢ) − f(x − hεᵢ)) / 2h</c>.
/// </summary>
/// <remarks>
/// The defaults are those of <c>torch.autograd.gradcheck</c> for double precision: step
/// <c>h = 10⁻⁶</c> (scaled by <c>max(1, |xᵢ|)</c> so large coordinates are not lost in rounding),
/// and component <c>i</c> passes when <c>|analyticᵢ − numericalᵢ| ≤ atol + rtol · |numericalᵢ|</c>
/// with <c>atol = 10⁻⁵</c> and <c>rtol = 10⁻³</c>. Central differences err by about
/// <c>h²·|f‴|/6</c> (truncation) plus <c>ε·|f|/h ≈ 10⁻¹⁰·|f|</c> (rounding), far below these
/// tolerances for smooth functions at double precision, so a failure means a wrong derivative
/// — or a point on a kink such as <c>max(0, z)</c> at <c>z = 0</c>, where no derivative exists.
/// </remarks>
public static class GradCheck
{
    /// <summary>The default finite-difference step, before scaling by <c>max(1, |xᵢ|)</c>.</summary>
    public const double DefaultStep = 1e-6;

    /// <summary>The default absolute tolerance.</summary>
    public const double DefaultAbsoluteTolerance = 1e-5;

    /// <summary>The default relative tolerance.</summary>
    public const double DefaultRelativeTolerance = 1e-3;

    /// <summary>Writes the central-difference gradient of <paramref name="function"/> at <paramref name="point"/>.</summary>
    /// <param name="function">The function.</param>
    /// <param name="point">Where to differentiate.</param>
    /// <param name="gradient">Receives the numerical gradient; <c>point.Length</c> elements.</param>
    /// <param name="step">The step h before scaling.</param>
    public static void Numerical(ScalarFunction function, ReadOnlySpan<double> point, Span<double> gradient, double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (gradient.Length != point.Length)
        {
            throw new ArgumentException("The gradient must have one element per parameter.", nameof(gradient));
        }

        double[] x = point.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            double original = x[i];
            double h = step * Math.Max(1, Math.Abs(original));
            x[i] = original + h;
            double plus = function(x);
            x[i] = original - h;
            double minus = function(x);
            x[i] = original;
            gradient[i] = (plus - minus) / (2 * h);
        }
    }

    /// <summary>Checks the analytic gradient of a function against central differences.</summary>
    /// <param name="function">Returns the value and writes the analytic gradient.</param>
    /// <param name="point">Where to check.</param>
    /// <param name="names">Optional names of the parameters, for the report.</param>
    /// <param name="absoluteTolerance">atol.</param>
    /// <param name="relativeTolerance">rtol.</param>
    /// <param name="step">The finite-difference step before scaling.</param>
    /// <returns>A report naming the worst component.</returns>
    public static GradCheckReport Check(
        GradientFunction function,
        ReadOnlySpan<double> point,
        string[]? names = null,
        double absoluteTolerance = DefaultAbsoluteTolerance,
        double relativeTolerance = DefaultRelativeTolerance,
        double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        var analytic = new double[point.Length];
        double value = function(point, analytic);
        var numerical = new double[point.Length];
        var scratch = new double[point.Length];
        Numerical(x => function(x, scratch), point, numerical, step);

        (int worst, double worstRatio) = Worst(analytic, numerical, absoluteTolerance, relativeTolerance);
        return new GradCheckReport(value, analytic, numerical, worst, worstRatio, names, absoluteTolerance, relativeTolerance);
    }

    /// <summary>
    /// Checks the gradient of a model of your own over named arrays, in <see cref="float"/> or
    /// <see cref="double"/>: <paramref name="lossAndGradient"/> returns the loss and writes every
    /// parameter's <see cref="Nn.Parameter{T}.Gradient"/> (the same function <see cref="Nn.Trainer"/>
    /// trains with, on a fixed batch); each element of each parameter's
    /// <see cref="Nn.Parameter{T}.Value"/> is moved by ±h in turn and put back. The report names
    /// the worst component as <c>name[index]</c>.
    /// </summary>
    /// <remarks>
    /// Defaults by precision: double as <see cref="Check"/> (h = 10⁻⁶, atol 10⁻⁵, rtol 10⁻³);
    /// float h = 10⁻³ and atol = rtol = 2·10⁻³, as JAX's <c>check_grads</c> allows float32
    /// (float rounding makes a finer step useless: ε·|f|/h is already about 10⁻⁴·|f|).
    /// </remarks>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="parameters">The parameters whose gradients are checked.</param>
    /// <param name="lossAndGradient">Returns the loss and writes every parameter's gradient.</param>
    /// <param name="absoluteTolerance">atol, or null for the precision's default.</param>
    /// <param name="relativeTolerance">rtol, or null for the precision's default.</param>
    /// <param name="step">h before scaling by max(1, |x|), or null for the precision's default.</param>
    /// <returns>A report naming the worst component.</returns>
    public static GradCheckReport Check<T>(
        IReadOnlyList<Nn.Parameter<T>> parameters,
        Func<double> lossAndGradient,
        double? absoluteTolerance = null,
        double? relativeTolerance = null,
        double? step = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(lossAndGradient);
        bool single = typeof(T) == typeof(float);
        double atol = absoluteTolerance ?? (single ? 2e-3 : DefaultAbsoluteTolerance);
        double rtol = relativeTolerance ?? (single ? 2e-3 : DefaultRelativeTolerance);
        double h0 = step ?? (single ? 1e-3 : DefaultStep);
        int total = 0;
        foreach (Nn.Parameter<T> p in parameters)
        {
            total += p.Value.Length;
        }

        var analytic = new double[total];
        var numerical = new double[total];
        var names = new string[total];
        double value = lossAndGradient();
        int k = 0;
        foreach (Nn.Parameter<T> p in parameters)
        {
            for (int i = 0; i < p.Value.Length; i++, k++)
            {
                analytic[k] = double.CreateTruncating(p.Gradient[i]);
                names[k] = $"{p.Name}[{i.ToString(CultureInfo.InvariantCulture)}]";
            }
        }

        k = 0;
        foreach (Nn.Parameter<T> p in parameters)
        {
            for (int i = 0; i < p.Value.Length; i++, k++)
            {
                T original = p.Value[i];
                double x = double.CreateTruncating(original), h = h0 * Math.Max(1, Math.Abs(x));

                // The step actually taken, after rounding to T (in float, x + h is not exact).
                T up = T.CreateTruncating(x + h), down = T.CreateTruncating(x - h);
                p.Value[i] = up;
                double plus = lossAndGradient();
                p.Value[i] = down;
                double minus = lossAndGradient();
                p.Value[i] = original;
                numerical[k] = (plus - minus) / (double.CreateTruncating(up) - double.CreateTruncating(down));
            }
        }

        lossAndGradient(); // the gradients as they were: at the unmoved point
        (int worst, double worstRatio) = Worst(analytic, numerical, atol, rtol);
        return new GradCheckReport(value, analytic, numerical, worst, worstRatio, names, atol, rtol);
    }

    // The error a component may have: atol + rtol·|numerical|.
    internal static double Allowed(double numerical, double absoluteTolerance, double relativeTolerance) =>
        absoluteTolerance + (relativeTolerance * Math.Abs(numerical));

    // "|error| e against an allowed a (atol … + rtol …·|numerical|)" for one component: the figures a report prints.
    internal static string Comparison(double analytic, double numerical, double absoluteTolerance, double relativeTolerance) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "|error| {0:G3} against an allowed {1:G3} (atol {2:G3} + rtol {3:G3}·|numerical|)",
            Math.Abs(analytic - numerical),
            Allowed(numerical, absoluteTolerance, relativeTolerance),
            absoluteTolerance,
            relativeTolerance);

    // The component with the largest |analytic − numerical| / (atol + rtol·|numerical|), and that ratio (NaN counts as infinite).
    private static (int Index, double Ratio) Worst(double[] analytic, double[] numerical, double absoluteTolerance, double relativeTolerance)
    {
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < analytic.Length; i++)
        {
            double allowed = Allowed(numerical[i], absoluteTolerance, relativeTolerance);
            double error = Math.Abs(analytic[i] - numerical[i]);
            double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / allowed;
            if (worst < 0 || ratio > worstRatio)
            {
                (worst, worstRatio) = (i, ratio);
            }
        }

        return (worst, worstRatio);
    }

    /// <summary>
    /// Checks an analytic Hessian against central differences of the analytic gradient, column by
    /// column (<c>(∇f(x + hεⱼ) − ∇f(x − hεⱼ)) / 2h</c>), as <c>torch.autograd.gradgradcheck</c> does,
    /// and checks that it is symmetric.
    /// </summary>
    /// <param name="function">Returns the value and writes the gradient and the Hessian (a generated <c>FHessian</c>).</param>
    /// <param name="point">Where to check.</param>
    /// <param name="names">Optional names of the parameters, for the report.</param>
    /// <param name="absoluteTolerance">atol.</param>
    /// <param name="relativeTolerance">rtol.</param>
    /// <param name="step">The finite-difference step before scaling.</param>
    /// <returns>A report naming the worst entry.</returns>
    public static HessianCheckReport CheckHessian(
        HessianFunction function,
        ReadOnlySpan<double> point,
        string[]? names = null,
        double absoluteTolerance = DefaultAbsoluteTolerance,
        double relativeTolerance = DefaultRelativeTolerance,
        double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        int m = point.Length;
        var gradient = new double[m];
        var analytic = new double[m * m];
        double value = function(point, gradient, analytic);
        var numerical = new double[m * m];
        double[] x = point.ToArray(), plus = new double[m], minus = new double[m], scratch = new double[m * m];
        for (int j = 0; j < m; j++)
        {
            double original = x[j];
            double h = step * Math.Max(1, Math.Abs(original));
            x[j] = original + h;
            function(x, plus, scratch);
            x[j] = original - h;
            function(x, minus, scratch);
            x[j] = original;
            for (int i = 0; i < m; i++)
            {
                numerical[(i * m) + j] = (plus[i] - minus[i]) / (2 * h);
            }
        }

        (int worst, double worstRatio) = Worst(analytic, numerical, absoluteTolerance, relativeTolerance);
        bool symmetric = true;
        for (int k = 0; k < m * m; k++)
        {
            symmetric &= analytic[k] == analytic[((k % m) * m) + (k / m)];
        }

        return new HessianCheckReport(value, analytic, numerical, m, worst, worstRatio, symmetric, names, absoluteTolerance, relativeTolerance);
    }
}

/// <summary>The outcome of <see cref="GradCheck.CheckHessian"/>.</summary>
/// <param name="Value">The function's value at the point.</param>
/// <param name="Analytic">The analytic Hessian, row-major.</param>
/// <param name="Numerical">Central differences of the analytic gradient, row-major.</param>
/// <param name="Size">The number of parameters (rows).</param>
/// <param name="WorstIndex">The row-major index of the entry with the largest error relative to its tolerance (−1 for no parameters).</param>
/// <param name="WorstRatio">That entry's <c>|analytic − numerical| / (atol + rtol·|numerical|)</c>; at most 1 passes.</param>
/// <param name="Symmetric">True when every H[i,j] equals H[j,i] exactly.</param>
/// <param name="Names">Parameter names, if given.</param>
/// <param name="AbsoluteTolerance">atol used.</param>
/// <param name="RelativeTolerance">rtol used.</param>
public sealed record HessianCheckReport(
    double Value,
    double[] Analytic,
    double[] Numerical,
    int Size,
    int WorstIndex,
    double WorstRatio,
    bool Symmetric,
    string[]? Names,
    double AbsoluteTolerance,
    double RelativeTolerance)
{
    /// <summary>True when every entry is within tolerance and the Hessian is symmetric.</summary>
    public bool Passed => WorstRatio <= 1 && Symmetric;

    /// <summary>The worst entry, as <c>H[w,b]</c> (or <c>H[0,1]</c> without names).</summary>
    public string WorstName => WorstIndex < 0 ? "(none)" : $"H[{Name(WorstIndex / Size)},{Name(WorstIndex % Size)}]";

    private string Name(int i) => Names is not null && i < Names.Length ? Names[i] : i.ToString(CultureInfo.InvariantCulture);

    /// <summary>A one-line summary naming the worst entry.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        if (WorstIndex < 0)
        {
            return "Hessian check: no parameters to check.";
        }

        return string.Format(
            CultureInfo.InvariantCulture,
            "Hessian check {0}: worst entry {1}: analytic {2:G10}, from differences of the gradient {3:G10}, {4}{5}",
            Passed ? "passed" : "FAILED",
            WorstName,
            Analytic[WorstIndex],
            Numerical[WorstIndex],
            GradCheck.Comparison(Analytic[WorstIndex], Numerical[WorstIndex], AbsoluteTolerance, RelativeTolerance),
            Symmetric ? "; symmetric" : "; NOT symmetric");
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with the summary when the check failed.</summary>
    /// <returns>This report.</returns>
    public HessianCheckReport ThrowIfFailed() => Passed ? this : throw new InvalidOperationException(ToString());
}

/// <summary>The outcome of <see cref="GradCheck.Check"/>.</summary>
/// <param name="Value">The function's value at the point.</param>
/// <param name="Analytic">The analytic gradient.</param>
/// <param name="Numerical">The central-difference gradient.</param>
/// <param name="WorstIndex">The component with the largest error relative to its tolerance (−1 for no parameters).</param>
/// <param name="WorstRatio">That component's <c>|analytic − numerical| / (atol + rtol·|numerical|)</c>; at most 1 passes.</param>
/// <param name="Names">Parameter names, if given.</param>
/// <param name="AbsoluteTolerance">atol used.</param>
/// <param name="RelativeTolerance">rtol used.</param>
public sealed record GradCheckReport(
    double Value,
    double[] Analytic,
    double[] Numerical,
    int WorstIndex,
    double WorstRatio,
    string[]? Names,
    double AbsoluteTolerance,
    double RelativeTolerance)
{
    /// <summary>True when every component is within tolerance.</summary>
    public bool Passed => WorstRatio <= 1;

    /// <summary>The worst component's name (or <c>x[i]</c>).</summary>
    public string WorstName => WorstIndex < 0 ? "(none)"
        : Names is not null && WorstIndex < Names.Length ? Names[WorstIndex] : $"x[{WorstIndex}]";

    /// <summary>A one-line summary naming the worst component.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        if (WorstIndex < 0)
        {
            return "GradCheck: no parameters to check.";
        }

        return string.Format(
            CultureInfo.InvariantCulture,
            "GradCheck {0}: worst component {1}: analytic {2:G10}, numerical {3:G10}, {4}",
            Passed ? "passed" : "FAILED",
            WorstName,
            Analytic[WorstIndex],
            Numerical[WorstIndex],
            GradCheck.Comparison(Analytic[WorstIndex], Numerical[WorstIndex], AbsoluteTolerance, RelativeTolerance));
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> with the summary when the check failed.</summary>
    /// <returns>This report.</returns>
    public GradCheckReport ThrowIfFailed() => Passed ? this : throw new InvalidOperationException(ToString());
}
