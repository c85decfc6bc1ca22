using System;

namespace SymDiff;

/// <summary>
/// Asks the SymDiff source generator to write the derivatives of this static method:
/// <c>{Name}Gradient</c> (value and full gradient, reverse mode), <c>{Name}Backward</c>
/// (the pullback, for differentiable callers) and <c>{Name}Derivative</c> (forward mode).
/// The containing types must be <c>partial</c>.
/// </summary>
/// <example>
/// <code>
/// [Differentiable]
/// public static double Square(double x) => x * x;
/// // generated: SquareGradient(3, out double dx) == 9, dx == 6; SquareDerivative(3, 1) == 6
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>Differentiates with respect to every floating-point parameter not marked <see cref="NoGradientAttribute"/>.</summary>
    public DifferentiableAttribute()
    {
        Parameters = Array.Empty<string>();
    }

    /// <summary>Differentiates with respect to the named parameters only; name them with <c>nameof</c>.</summary>
    /// <param name="parameters">The parameters to differentiate with respect to.</param>
    public DifferentiableAttribute(params string[] parameters)
    {
        Parameters = parameters;
    }

    /// <summary>The parameters to differentiate with respect to; empty means every floating-point parameter.</summary>
    public string[] Parameters { get; }

    /// <summary>
    /// Also generates <c>Hessian</c> (the value, the gradient and the matrix of second derivatives)
    /// and <c>HessianVectorProduct</c> (H·t in one forward-over-reverse sweep). For methods that
    /// return a value.
    /// </summary>
    public bool Hessian { get; set; }

    /// <summary>
    /// Also generates <c>Jacobian</c> (the outputs and the matrix of their derivatives, one row per
    /// output element). For methods that write their results into <see cref="OutputAttribute">[Output]</see> parameters.
    /// </summary>
    public bool Jacobian { get; set; }

    /// <summary>
    /// Also generates <c>{Name}Trace</c>, which computes the value and the gradient as <c>{Name}Gradient</c>
    /// does and records both passes in a <see cref="GradientTrace"/>: each statement's value in the forward
    /// pass, and each chain-rule step of the backward pass (the adjoint it produced, the local derivative and
    /// the incoming adjoint). For learning and debugging; for methods that return a value.
    /// </summary>
    public bool Trace { get; set; }
}

/// <summary>Marks a parameter of a <see cref="DifferentiableAttribute">[Differentiable]</see> method as constant data: it gets no adjoint or tangent.</summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoGradientAttribute : Attribute
{
}

/// <summary>
/// Marks an array or <see cref="Span{T}"/> parameter of a <see cref="DifferentiableAttribute">[Differentiable]</see>
/// method as its result: the method (which returns <c>void</c>) writes into it. The generated
/// <c>Backward</c> takes the output's adjoint (<c>ReadOnlySpan&lt;double&gt; dz</c>) and accumulates
/// the inputs' adjoints; <c>Derivative</c> writes the output's tangent. SymDiff asks for the attribute
/// rather than treating every written span as an output, so that a helper writing scratch memory is
/// never mistaken for a result, and the output appears in the method's signature where a reader looks.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class OutputAttribute : Attribute
{
}

/// <summary>
/// Registers hand-written derivatives for a method, so that <see cref="DifferentiableAttribute">[Differentiable]</see>
/// code calling it uses them instead of looking inside: a library call SymDiff cannot see, a
/// numerically better formula, or a stop-gradient (a backward that adds nothing).
/// </summary>
/// <remarks>
/// The two methods have the shapes SymDiff would generate, and SymDiff checks them at compile time (SD0025).
/// For <c>static double F(double x, ReadOnlySpan&lt;double&gt; v)</c>:
/// <code>
/// static void FBackward(double x, ReadOnlySpan&lt;double&gt; v, double dF, ref double dx, Span&lt;double&gt; dv)   // adds dF · ∂F/∂x, dF · ∂F/∂v[i]
/// static double FDerivative(double x, ReadOnlySpan&lt;double&gt; v, double dx, ReadOnlySpan&lt;double&gt; dv)     // ∂F/∂x · dx + Σ ∂F/∂v[i] · dv[i]
/// </code>
/// Parameters marked <see cref="NoGradientAttribute">[NoGradient]</see> and integer parameters get no adjoint or tangent.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CustomDerivativeAttribute : Attribute
{
    /// <summary>Registers the derivatives of the method this attribute is on.</summary>
    /// <param name="backward">The name of the pullback method, in the same type.</param>
    /// <param name="forward">The name of the directional-derivative method, in the same type.</param>
    public CustomDerivativeAttribute(string backward, string forward)
    {
        Backward = backward;
        Forward = forward;
    }

    /// <summary>The name of the pullback method.</summary>
    public string Backward { get; }

    /// <summary>The name of the directional-derivative method.</summary>
    public string Forward { get; }

    /// <summary>
    /// The name of the second-order rule, which <see cref="DifferentiableAttribute.Hessian">Hessian = true</see>
    /// callers need: the tangent of the pullback along the arguments' tangents. For
    /// <c>static double F(double x, ReadOnlySpan&lt;double&gt; v)</c>:
    /// <code>
    /// static void FBackwardTangent(double x, ReadOnlySpan&lt;double&gt; v, double tx, ReadOnlySpan&lt;double&gt; tv, double dF, double hF,
    ///     ref double dx, Span&lt;double&gt; dv, ref double hx, Span&lt;double&gt; hv)
    /// // adds dF·∇F into (dx, dv) as FBackward does, and hF·∇F + dF·H·t into (hx, hv), with t = (tx, tv)
    /// </code>
    /// Without it, a Hessian = true method that calls F gets SD0028.
    /// </summary>
    public string? SecondOrder { get; set; }
}
