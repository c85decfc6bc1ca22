namespace SymDiff;

/// <summary>What a row of a <see cref="GradientTrace"/> records.</summary>
public enum TraceStepKind
{
    /// <summary>A parameter's value when the method was called (forward pass only).</summary>
    Input,

    /// <summary>A source statement ran and gave <see cref="TraceStep.Name"/> the value <see cref="TraceStep.Value"/>.</summary>
    Statement,

    /// <summary>A loop began an iteration; <see cref="TraceStep.Name"/> is its counter (or <c>iteration</c>) and <see cref="TraceStep.Value"/> its value.</summary>
    Iteration,

    /// <summary>An <c>if</c> was decided; <see cref="TraceStep.Value"/> is 1 when its condition held, 0 when it did not.</summary>
    Decision,

    /// <summary>
    /// A chain-rule step of the backward pass: the adjoint <see cref="TraceStep.Name"/> received
    /// <see cref="TraceStep.Factor"/> × <see cref="TraceStep.Incoming"/> and now holds <see cref="TraceStep.Value"/>.
    /// </summary>
    Adjoint,

    /// <summary>The forward pass saved a value on the tape before overwriting it.</summary>
    Saved,

    /// <summary>The backward pass restored a value from the tape.</summary>
    Restored,

    /// <summary>Steps of one source line left out beyond the trace's cap; <see cref="TraceStep.Omitted"/> says how many.</summary>
    Omitted,
}

/// <summary>
/// One row of a <see cref="GradientTrace"/>. A backward row reads
/// <c>Name (+)= Factor × Incoming = FactorValue × IncomingValue = Contribution</c>,
/// and <see cref="Value"/> is the adjoint after the step.
/// </summary>
/// <param name="Kind">What the row records.</param>
/// <param name="Line">The source line (1-based) of the statement, or 0 for rows that belong to no line.</param>
/// <param name="Source">The statement's source text, or a short description.</param>
/// <param name="Name">The value or adjoint the row is about (<c>error</c>, <c>dError</c>, <c>dW1[2]</c>).</param>
/// <param name="Value">Its value after the step.</param>
/// <param name="Factor">For an <see cref="TraceStepKind.Adjoint"/> row: the local derivative (chain-rule factor) as C# code.</param>
/// <param name="FactorValue">The local derivative's value, or NaN when it has none (a call's pullback).</param>
/// <param name="Incoming">The adjoint it multiplies: the adjoint of the statement's result.</param>
/// <param name="IncomingValue">The incoming adjoint's value.</param>
/// <param name="Accumulates">True when the step adds to an adjoint that already held contributions (<c>+=</c>).</param>
/// <param name="Omitted">For an <see cref="TraceStepKind.Omitted"/> row: how many steps it stands for.</param>
public sealed record TraceStep(
    TraceStepKind Kind,
    int Line,
    string Source,
    string Name,
    double Value,
    string? Factor = null,
    double FactorValue = double.NaN,
    string? Incoming = null,
    double IncomingValue = double.NaN,
    bool Accumulates = false,
    int Omitted = 0)
{
    /// <summary>For an <see cref="TraceStepKind.Adjoint"/> row: what the step added, <see cref="FactorValue"/> × <see cref="IncomingValue"/>.</summary>
    public double Contribution => FactorValue * IncomingValue;
}
