using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// The derivative of one primitive, forward and reverse side by side.
/// <c>Jvp(x, dx, y)</c> is the tangent of <c>y = f(x)</c> given the argument tangents;
/// <c>Vjp(x, y, g)</c> is each argument's share of the output adjoint <c>g</c>.
/// <c>y</c> is the primal result (a local when one holds it), so rules may reuse it.
/// </summary>
internal sealed record Rule(Func<Expr[], Expr[], Expr, Expr> Jvp, Func<Expr[], Expr, Expr, Expr[]> Vjp);

/// <summary>
/// One row per <c>System.Math</c> primitive, and per System.Numerics primitive (the norm, the dot
/// product, a 2×2 determinant, Lerp and a component of Normalize), which C# writes as arithmetic
/// (<see cref="Expanded"/>). Adding a primitive is one row here, one entry in the parser's name
/// table and one row in the rule tests.
/// Tie rule for the kinks: <c>Max(a, b)</c> sends the whole gradient to <c>a</c> when <c>a ≥ b</c>,
/// <c>Min(a, b)</c> to <c>a</c> when <c>a ≤ b</c> (the first argument wins a tie), and <c>Abs(x)</c>
/// has slope +1 at <c>x = 0</c>. So <c>Math.Max(0, z)</c> (ReLU) has slope 0 at <c>z = 0</c>.
/// </summary>
internal static class Rules
{
    private static readonly double Ln10 = Math.Log(10), Ln2 = Math.Log(2);

    private static Expr[] Zero(Expr[] x, Expr y, Expr g) => [N(0)];

    // aᵇ with a = 0 and b ≥ 0: the point where ln a is −∞ but aᵇ does not depend on b.
    private static Expr ZeroBase(Expr[] x) => new Binary(BinOp.And, Eq(x[0], N(0)), Ge(x[1], N(0)));

    /// <summary>
    /// Whether the function's reverse rule reads the call's result (tanh, exp, sqrt, …) in the
    /// share of an argument that <paramref name="varies"/> (xⁿ with n constant does not).
    /// </summary>
    public static bool UsesResult(Fn call, Func<Expr, bool> varies)
    {
        var marker = new Var("\u0001", Ty.Double);
        Expr[] shares = Table[call.Function].Vjp(call.Args.ToArray(), marker, N(1));
        return shares.Where((share, i) => i < call.Args.Count && varies(call.Args[i])).Any(share => Effects.VarsIn(share).Contains(marker.Name));
    }

    public static readonly IReadOnlyDictionary<MathFn, Rule> Table = new Dictionary<MathFn, Rule>
    {
        // y = sin x         dy = cos x · dx                 x̄ += ȳ · cos x
        [MathFn.Sin] = new((x, dx, y) => Mul(Cos(x[0]), dx[0]), (x, y, g) => [Mul(g, Cos(x[0]))]),
        // y = cos x         dy = −sin x · dx                x̄ −= ȳ · sin x
        [MathFn.Cos] = new((x, dx, y) => Neg(Mul(Sin(x[0]), dx[0])), (x, y, g) => [Neg(Mul(g, Sin(x[0])))]),
        // y = tan x         dy = (1 + y²) · dx              x̄ += ȳ · (1 + y²)
        [MathFn.Tan] = new((x, dx, y) => Mul(Add(N(1), Sq(y)), dx[0]), (x, y, g) => [Mul(g, Add(N(1), Sq(y)))]),
        // y = eˣ            dy = y · dx                     x̄ += ȳ · y
        [MathFn.Exp] = new((x, dx, y) => Mul(y, dx[0]), (x, y, g) => [Mul(g, y)]),
        // y = ln x          dy = dx / x                     x̄ += ȳ / x
        [MathFn.Log] = new((x, dx, y) => Div(dx[0], x[0]), (x, y, g) => [Div(g, x[0])]),
        // y = log₁₀ x       dy = dx / (x · ln 10)           x̄ += ȳ / (x · ln 10)
        [MathFn.Log10] = new((x, dx, y) => Div(dx[0], Mul(x[0], N(Ln10))), (x, y, g) => [Div(g, Mul(x[0], N(Ln10)))]),
        // y = √x            dy = dx / (2y)                  x̄ += ȳ / (2y)
        [MathFn.Sqrt] = new((x, dx, y) => Div(dx[0], Mul(N(2), y)), (x, y, g) => [Div(g, Mul(N(2), y))]),
        // y = aᵇ            dy = b·aᵇ⁻¹·da + y·ln a·db      ā += ȳ·b·aᵇ⁻¹,  b̄ += ȳ·y·ln a
        //   as PyTorch and JAX: ā's share is 0 when b = 0 (not 0·a⁻¹ = NaN at a = 0),
        //   b̄'s share is 0 when a = 0 and b ≥ 0 (not 0·ln 0 = NaN)
        [MathFn.Pow] = new(
            (x, dx, y) => Add(
                If(Eq(x[1], N(0)), N(0), Mul(x[1], Pow(x[0], Sub(x[1], N(1))), dx[0])),
                If(ZeroBase(x), N(0), Mul(y, Log(x[0]), dx[1]))),
            (x, y, g) => [
                If(Eq(x[1], N(0)), N(0), Mul(g, x[1], Pow(x[0], Sub(x[1], N(1))))),
                If(ZeroBase(x), N(0), Mul(g, y, Log(x[0])))]),
        // y = |x|           dy = (x ≥ 0 ? dx : −dx)         x̄ += (x ≥ 0 ? ȳ : −ȳ)
        [MathFn.Abs] = new((x, dx, y) => If(Ge(x[0], N(0)), dx[0], Neg(dx[0])), (x, y, g) => [If(Ge(x[0], N(0)), g, Neg(g))]),
        // y = tanh x        dy = (1 − y²) · dx              x̄ += ȳ · (1 − y²)
        [MathFn.Tanh] = new((x, dx, y) => Mul(Sub(N(1), Sq(y)), dx[0]), (x, y, g) => [Mul(g, Sub(N(1), Sq(y)))]),
        // y = sinh x        dy = cosh x · dx                x̄ += ȳ · cosh x
        [MathFn.Sinh] = new((x, dx, y) => Mul(Cosh(x[0]), dx[0]), (x, y, g) => [Mul(g, Cosh(x[0]))]),
        // y = cosh x        dy = sinh x · dx                x̄ += ȳ · sinh x
        [MathFn.Cosh] = new((x, dx, y) => Mul(Sinh(x[0]), dx[0]), (x, y, g) => [Mul(g, Sinh(x[0]))]),
        // y = asin x        dy = dx / √(1 − x²)             x̄ += ȳ / √(1 − x²)
        [MathFn.Asin] = new((x, dx, y) => Div(dx[0], Sqrt(Sub(N(1), Sq(x[0])))), (x, y, g) => [Div(g, Sqrt(Sub(N(1), Sq(x[0]))))]),
        // y = acos x        dy = −dx / √(1 − x²)            x̄ −= ȳ / √(1 − x²)
        [MathFn.Acos] = new((x, dx, y) => Neg(Div(dx[0], Sqrt(Sub(N(1), Sq(x[0]))))), (x, y, g) => [Neg(Div(g, Sqrt(Sub(N(1), Sq(x[0])))))]),
        // y = atan x        dy = dx / (1 + x²)              x̄ += ȳ / (1 + x²)
        [MathFn.Atan] = new((x, dx, y) => Div(dx[0], Add(N(1), Sq(x[0]))), (x, y, g) => [Div(g, Add(N(1), Sq(x[0])))]),
        // y = atan2(a, b)   dy = (b·da − a·db) / (a² + b²)  ā += ȳ·b / (a² + b²),  b̄ −= ȳ·a / (a² + b²)
        [MathFn.Atan2] = new(
            (x, dx, y) => Div(Sub(Mul(x[1], dx[0]), Mul(x[0], dx[1])), Add(Sq(x[0]), Sq(x[1]))),
            (x, y, g) => [Div(Mul(g, x[1]), Add(Sq(x[0]), Sq(x[1]))), Neg(Div(Mul(g, x[0]), Add(Sq(x[0]), Sq(x[1]))))]),
        // y = max(a, b)     dy = (a ≥ b ? da : db)          ā += (a ≥ b ? ȳ : 0),  b̄ += (a ≥ b ? 0 : ȳ)
        [MathFn.Max] = new((x, dx, y) => If(Ge(x[0], x[1]), dx[0], dx[1]), (x, y, g) => [If(Ge(x[0], x[1]), g, N(0)), If(Ge(x[0], x[1]), N(0), g)]),
        // y = min(a, b)     dy = (a ≤ b ? da : db)          ā += (a ≤ b ? ȳ : 0),  b̄ += (a ≤ b ? 0 : ȳ)
        [MathFn.Min] = new((x, dx, y) => If(Le(x[0], x[1]), dx[0], dx[1]), (x, y, g) => [If(Le(x[0], x[1]), g, N(0)), If(Le(x[0], x[1]), N(0), g)]),
        // y = clamp(x, lo, hi)   dy = (x < lo ? dlo : x > hi ? dhi : dx)   the gradient goes to whichever value y is; x wins ties
        [MathFn.Clamp] = new(
            (x, dx, y) => If(Lt(x[0], x[1]), dx[1], If(Gt(x[0], x[2]), dx[2], dx[0])),
            (x, y, g) => [If(Lt(x[0], x[1]), N(0), If(Gt(x[0], x[2]), N(0), g)), If(Lt(x[0], x[1]), g, N(0)), If(Lt(x[0], x[1]), N(0), If(Gt(x[0], x[2]), g, N(0)))]),
        // y = ⌊x⌋, ⌈x⌉, round x, trunc x     dy = 0 (away from the jumps)     x̄ += 0
        [MathFn.Floor] = new((x, dx, y) => N(0), Zero),
        [MathFn.Ceiling] = new((x, dx, y) => N(0), Zero),
        [MathFn.Round] = new((x, dx, y) => N(0), Zero),
        [MathFn.Truncate] = new((x, dx, y) => N(0), Zero),
        // y = log_b x = ln x / ln b   dy = dx / (x ln b) − y·db / (b ln b)    x̄ += ȳ / (x ln b),  b̄ −= ȳ·y / (b ln b)
        [MathFn.LogBase] = new(
            (x, dx, y) => Sub(Div(dx[0], Mul(x[0], Log(x[1]))), Div(Mul(y, dx[1]), Mul(x[1], Log(x[1])))),
            (x, y, g) => [Div(g, Mul(x[0], Log(x[1]))), Neg(Div(Mul(g, y), Mul(x[1], Log(x[1]))))]),
        // y = log₂ x        dy = dx / (x · ln 2)            x̄ += ȳ / (x · ln 2)
        [MathFn.Log2] = new((x, dx, y) => Div(dx[0], Mul(x[0], N(Ln2))), (x, y, g) => [Div(g, Mul(x[0], N(Ln2)))]),
        // y = ∛x            dy = dx / (3y²)                 x̄ += ȳ / (3y²)
        [MathFn.Cbrt] = new((x, dx, y) => Div(dx[0], Mul(N(3), Sq(y))), (x, y, g) => [Div(g, Mul(N(3), Sq(y)))]),
        // y = a·b + c (fused) dy = da·b + a·db + dc          ā += ȳ·b,  b̄ += a·ȳ,  c̄ += ȳ
        [MathFn.FusedMultiplyAdd] = new((x, dx, y) => Add(Add(Mul(dx[0], x[1]), Mul(x[0], dx[1])), dx[2]), (x, y, g) => [Mul(g, x[1]), Mul(x[0], g), g]),
        // y = ‖x‖ = √Σxᵢ²   dy = Σ xᵢ·dxᵢ / y                x̄ᵢ += ȳ · xᵢ / y
        //   (Vector2.Length(v), Vector3.Distance(a, b) of a − b). At y = 0 both are 0, as in PyTorch:
        //   the smallest subgradient, not the 0 / 0 = NaN of the square root's rule
        [MathFn.Norm] = new(
            (x, dx, y) => If(Eq(y, N(0)), N(0), Div(x.Zip(dx, Mul).Aggregate(Add), y)),
            (x, y, g) => x.Select(xi => If(Eq(y, N(0)), N(0), Div(Mul(g, xi), y))).ToArray()),

        // y = a·b = Σ aᵢbᵢ  dy = Σ (daᵢ·bᵢ + aᵢ·dbᵢ)         āᵢ += ȳ · bᵢ,  b̄ᵢ += ȳ · aᵢ
        //   (Dot(a, b), v.LengthSquared() as v·v, DistanceSquared(a, b) as (a − b)·(a − b);
        //   the arguments are a₁…aₙ then b₁…bₙ)
        [MathFn.Dot] = new(
            (x, dx, y) => Enumerable.Range(0, x.Length / 2).Select(i => Add(Mul(dx[i], x[i + (x.Length / 2)]), Mul(x[i], dx[i + (x.Length / 2)]))).Aggregate(Add),
            (x, y, g) => [.. x.Skip(x.Length / 2).Select(b => Mul(g, b)), .. x.Take(x.Length / 2).Select(a => Mul(a, g))]),
        // y = p·q − r·s     dy = dp·q + p·dq − dr·s − r·ds    p̄ += ȳ · q,  q̄ += p · ȳ,  r̄ −= ȳ · s,  s̄ −= r · ȳ
        //   (each component of Vector3.Cross(a, b): a_y·b_z − a_z·b_y, …)
        [MathFn.Det2] = new(
            (x, dx, y) => Sub(Add(Mul(dx[0], x[1]), Mul(x[0], dx[1])), Add(Mul(dx[2], x[3]), Mul(x[2], dx[3]))),
            (x, y, g) => [Mul(g, x[1]), Mul(x[0], g), Neg(Mul(g, x[3])), Neg(Mul(x[2], g))]),
        // y = a·(1 − t) + b·t   dy = da·(1 − t) + db·t + (b − a)·dt   ā += ȳ · (1 − t),  b̄ += ȳ · t,  t̄ += ȳ · (b − a)
        //   (each component of Vector2.Lerp(a, b, t), as System.Numerics computes it)
        [MathFn.Lerp] = new(
            (x, dx, y) => Add(Add(Mul(dx[0], Sub(N(1), x[2])), Mul(dx[1], x[2])), Mul(Sub(x[1], x[0]), dx[2])),
            (x, y, g) => [Mul(g, Sub(N(1), x[2])), Mul(g, x[2]), Mul(g, Sub(x[1], x[0]))]),
        // yₖ = xₖ / ‖x‖    dyₖ = (dxₖ − yₖ · Σⱼ xⱼ·dxⱼ / ‖x‖) / ‖x‖    x̄ⱼ += ȳₖ · (δⱼₖ − yₖ·xⱼ / ‖x‖) / ‖x‖
        //   (component k of Vector3.Normalize(x); the arguments are x₁…xₙ, k and ‖x‖, whose own
        //   shares are 0: ‖x‖ is the norm of the xⱼ, already counted in their rule)
        [MathFn.Normalize] = new(
            (x, dx, y) =>
            {
                (int n, int k, Expr norm) = NormalizeParts(x);
                return Div(Sub(dx[k], Mul(y, Div(Enumerable.Range(0, n).Select(j => Mul(x[j], dx[j])).Aggregate(Add), norm))), norm);
            },
            (x, y, g) =>
            {
                (int n, int k, Expr norm) = NormalizeParts(x);
                return [.. Enumerable.Range(0, n).Select(j => Div(Sub(j == k ? g : N(0), Mul(g, Mul(y, Div(x[j], norm)))), norm)), N(0), N(0)];
            }),
    };

    // The dimension, the component and the norm of a Normalize primitive's arguments.
    private static (int N, int K, Expr Norm) NormalizeParts(IReadOnlyList<Expr> x) => (x.Count - 2, (int)((Num)x[x.Count - 2]).Value, x[x.Count - 1]);

    /// <summary>
    /// The formula of a primitive that C# writes as arithmetic (‖x‖ as √(x·x + …), a·b as a sum of
    /// products), simplified; null for a function C# has.
    /// </summary>
    public static Expr? Expanded(Fn call)
    {
        // The arguments are read in place: the emitter asks this of every call it writes.
        EquatableArray<Expr> x = call.Args;
        Expr? formula = call.Function switch
        {
            MathFn.Norm => Sqrt(x.Select(a => Mul(a, a)).Aggregate(Add)),
            MathFn.Dot => SumOfProducts(x),
            MathFn.Det2 => Sub(Mul(x[0], x[1]), Mul(x[2], x[3])),
            MathFn.Lerp => Add(Mul(x[0], Sub(N(1), x[2])), Mul(x[1], x[2])),
            MathFn.Normalize => Div(x[NormalizeParts(x).K], x[x.Count - 1]),
            _ => null,
        };
        return formula is null ? null : Simplify.Run(formula);
    }

    // a₁b₁ + … + aₙbₙ of the arguments a₁…aₙ, b₁…bₙ.
    private static Expr SumOfProducts(IReadOnlyList<Expr> x) =>
        Enumerable.Range(0, x.Count / 2).Select(i => Mul(x[i], x[i + (x.Count / 2)])).Aggregate(Add);

    /// <summary>The C# name of a primitive, as the emitter writes it.</summary>
    public static string CSharpName(MathFn function) => function == MathFn.LogBase ? "Log" : function.ToString();

    /// <summary>Evaluates a primitive on constants, for constant folding.</summary>
    public static double Evaluate(MathFn function, double[] a) => function switch
    {
        MathFn.Sin => Math.Sin(a[0]),
        MathFn.Cos => Math.Cos(a[0]),
        MathFn.Tan => Math.Tan(a[0]),
        MathFn.Exp => Math.Exp(a[0]),
        MathFn.Log => Math.Log(a[0]),
        MathFn.Log10 => Math.Log10(a[0]),
        MathFn.Sqrt => Math.Sqrt(a[0]),
        MathFn.Pow => Math.Pow(a[0], a[1]),
        MathFn.Abs => Math.Abs(a[0]),
        MathFn.Tanh => Math.Tanh(a[0]),
        MathFn.Sinh => Math.Sinh(a[0]),
        MathFn.Cosh => Math.Cosh(a[0]),
        MathFn.Asin => Math.Asin(a[0]),
        MathFn.Acos => Math.Acos(a[0]),
        MathFn.Atan => Math.Atan(a[0]),
        MathFn.Atan2 => Math.Atan2(a[0], a[1]),
        MathFn.Max => Math.Max(a[0], a[1]),
        MathFn.Min => Math.Min(a[0], a[1]),
        MathFn.Clamp when a[1] <= a[2] => Math.Max(a[1], Math.Min(a[2], a[0])),
        MathFn.Floor => Math.Floor(a[0]),
        MathFn.Ceiling => Math.Ceiling(a[0]),
        MathFn.Round => Math.Round(a[0]),
        MathFn.Truncate => a[0] < 0 ? Math.Ceiling(a[0]) : Math.Floor(a[0]),
        MathFn.LogBase => Math.Log(a[0], a[1]),
        MathFn.Log2 => Math.Log(a[0]) / Ln2,
        MathFn.Norm => Math.Sqrt(a.Sum(x => x * x)),
        MathFn.Dot => Enumerable.Range(0, a.Length / 2).Sum(i => a[i] * a[i + (a.Length / 2)]),
        MathFn.Det2 => (a[0] * a[1]) - (a[2] * a[3]),
        MathFn.Lerp => (a[0] * (1 - a[2])) + (a[1] * a[2]),
        MathFn.Normalize => a[(int)a[a.Length - 2]] / a[a.Length - 1],
        _ => double.NaN,
    };
}
