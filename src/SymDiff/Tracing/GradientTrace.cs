using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Numerics;

namespace SymDiff;

/// <summary>
/// The chain rule of one call, step by step with numbers: what each source statement computed in
/// the forward pass, then each step of the backward pass with the adjoint it produced, the local
/// derivative (chain-rule factor) and the incoming adjoint. Filled by the <c>{Name}Trace</c> method
/// that <c>[Differentiable(Trace = true)]</c> generates; render it with <see cref="ToText"/>,
/// <see cref="ToMarkdown"/> or <see cref="ToHtml"/>.
/// </summary>
/// <example>
/// <code>
/// var trace = new GradientTrace();
/// double loss = Model.LossTrace(-3, 3, trace);
/// Console.WriteLine(trace.ToText());
/// </code>
/// </example>
public sealed class GradientTrace
{
    private readonly List<TraceStep> forward = new();
    private readonly List<TraceStep> backward = new();
    private readonly List<(string Name, double Value)> gradient = new();
    private readonly Dictionary<(bool Backward, int Line, string? Name), int> counts = new();
    private readonly Dictionary<(bool Backward, int Line, string? Name), int> omittedRow = new();
    private bool inBackward;

    /// <summary>Creates an empty trace.</summary>
    /// <param name="maxStepsPerLine">
    /// How many steps of one source line each pass records; later ones (the iterations of a long
    /// loop) are counted in one <see cref="TraceStepKind.Omitted"/> row. At least 1.
    /// </param>
    public GradientTrace(int maxStepsPerLine = 12)
    {
        if (maxStepsPerLine < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxStepsPerLine), maxStepsPerLine, "A trace records at least one step per line.");
        }

        MaxStepsPerLine = maxStepsPerLine;
    }

    /// <summary>How many steps of one source line each pass records.</summary>
    public int MaxStepsPerLine { get; }

    /// <summary>The traced method (<c>Model.Loss</c>), or null before a trace method ran.</summary>
    public string? Method { get; private set; }

    /// <summary>The file that declares the traced method.</summary>
    public string? File { get; private set; }

    /// <summary>The value the traced method returned.</summary>
    public double Value { get; private set; } = double.NaN;

    /// <summary>The forward pass: the inputs, then each executed statement in order.</summary>
    public IReadOnlyList<TraceStep> Forward => forward;

    /// <summary>The backward pass: each chain-rule step in the order the generated code took it.</summary>
    public IReadOnlyList<TraceStep> Backward => backward;

    /// <summary>The gradient: each differentiated parameter (each element of an array parameter) and its derivative.</summary>
    public IReadOnlyList<(string Name, double Value)> Gradient => gradient;

    /// <summary>The derivative of the result with respect to <paramref name="name"/> (<c>w</c>, or <c>W1[2]</c> for an element).</summary>
    /// <param name="name">A name as it appears in <see cref="Gradient"/>.</param>
    /// <returns>The derivative.</returns>
    /// <exception cref="KeyNotFoundException">The trace has no such name.</exception>
    public double GradientOf(string name)
    {
        foreach ((string n, double v) in gradient)
        {
            if (n == name)
            {
                return v;
            }
        }

        throw new KeyNotFoundException($"The trace of {Method ?? "nothing"} has no gradient entry '{name}'.");
    }

    /// <summary>The plain-text rendering: two tables for a console, forward then backward.</summary>
    /// <returns>The text.</returns>
    public string ToText() => TraceRenderer.Text(this);

    /// <summary>The Markdown rendering: two tables and the gradient.</summary>
    /// <returns>The Markdown.</returns>
    public string ToMarkdown() => TraceRenderer.Markdown(this);

    /// <summary>A self-contained HTML page (no scripts, no external resources) with the two passes side by side.</summary>
    /// <returns>The page.</returns>
    public string ToHtml() => TraceRenderer.Html(this);

    /// <inheritdoc/>
    public override string ToString() => ToText();

    // Called by generated code. Not part of the API a reader uses, so hidden from completion.

    /// <summary>Starts a new trace of <paramref name="method"/>, clearing the previous one. Called by generated code.</summary>
    /// <param name="method">The traced method.</param>
    /// <param name="file">Its file.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Begin(string method, string file)
    {
        forward.Clear();
        backward.Clear();
        gradient.Clear();
        counts.Clear();
        omittedRow.Clear();
        inBackward = false;
        Method = method;
        File = file;
        Value = double.NaN;
    }

    /// <summary>Records a scalar parameter. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Input<T>(string name, T value)
        where T : INumberBase<T> => Add(new TraceStep(TraceStepKind.Input, 0, name, name, ToDouble(value)));

    /// <summary>Records each element of an array parameter. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Input<T>(string name, ReadOnlySpan<T> values)
        where T : INumberBase<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            Add(new TraceStep(TraceStepKind.Input, 0, name, $"{name}[{i}]", ToDouble(values[i])));
        }
    }

    /// <summary>Records a statement of the forward pass. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Statement<T>(int line, string source, string name, T value)
        where T : INumberBase<T> => Add(new TraceStep(TraceStepKind.Statement, line, source, name, ToDouble(value)));

    /// <summary>Records the start of a loop iteration. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Iteration<T>(int line, string source, string counter, T value)
        where T : INumberBase<T> => Add(new TraceStep(TraceStepKind.Iteration, line, source, counter, ToDouble(value)));

    /// <summary>Records an <c>if</c>'s decision. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Decision(int line, string source, bool taken) =>
        Add(new TraceStep(TraceStepKind.Decision, line, source, "condition", taken ? 1 : 0));

    /// <summary>Records the method's result and starts the backward pass. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Result<T>(int line, string source, string name, T value)
        where T : INumberBase<T>
    {
        Value = ToDouble(value);
        Add(new TraceStep(TraceStepKind.Statement, line, source, name, Value));
        inBackward = true;
    }

    /// <summary>Records a chain-rule step: <paramref name="adjoint"/> received <paramref name="factor"/> × <paramref name="incoming"/>. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Step<T>(int line, string source, string adjoint, T adjointValue, string factor, T factorValue, string incoming, T incomingValue, bool accumulates)
        where T : INumberBase<T>
    {
        inBackward = true;
        Add(new TraceStep(TraceStepKind.Adjoint, line, source, adjoint, ToDouble(adjointValue), factor, ToDouble(factorValue), incoming, ToDouble(incomingValue), accumulates));
    }

    /// <summary>Records a step through a called method's pullback, whose factor is the callee's own derivative. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void CallStep<T>(int line, string source, string adjoint, T adjointValue, string callee, string incoming, T incomingValue)
        where T : INumberBase<T>
    {
        inBackward = true;
        Add(new TraceStep(TraceStepKind.Adjoint, line, source, adjoint, ToDouble(adjointValue), $"∂{callee}", double.NaN, incoming, ToDouble(incomingValue), Accumulates: true));
    }

    /// <summary>Records a value saved on the tape. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Saved<T>(string name, T value)
        where T : INumberBase<T> => Add(new TraceStep(TraceStepKind.Saved, 0, $"tape ← {name}", name, ToDouble(value)));

    /// <summary>Records a decision saved on the tape. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Saved(string name, bool value) => Add(new TraceStep(TraceStepKind.Saved, 0, $"tape ← {name}", name, value ? 1 : 0));

    /// <summary>Records a value restored from the tape. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Restored<T>(string name, T value)
        where T : INumberBase<T> => Add(new TraceStep(TraceStepKind.Restored, 0, $"{name} ← tape", name, ToDouble(value)));

    /// <summary>Records a decision restored from the tape. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Restored(string name, bool value) => Add(new TraceStep(TraceStepKind.Restored, 0, $"{name} ← tape", name, value ? 1 : 0));

    /// <summary>Records a scalar parameter's derivative. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Derivative<T>(string name, T value)
        where T : INumberBase<T> => gradient.Add((name, ToDouble(value)));

    /// <summary>Records the derivatives of an array parameter's elements. Called by generated code.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public void Derivative<T>(string name, ReadOnlySpan<T> values)
        where T : INumberBase<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            gradient.Add(($"{name}[{i}]", ToDouble(values[i])));
        }
    }

    // A float shows as the decimal it reads as (0.1f is 0.1, not 0.100000001490116).
    private static double ToDouble<T>(T value)
        where T : INumberBase<T> => typeof(T) == typeof(float)
            ? double.Parse(float.CreateSaturating(value).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : double.CreateSaturating(value);

    // Each pass keeps the first MaxStepsPerLine steps of a source line (of an input array, of the
    // tape entries of a name); the rest are counted in one row that stands where the first of
    // them would have been.
    private void Add(TraceStep step)
    {
        List<TraceStep> rows = inBackward ? backward : forward;
        var key = (inBackward, step.Line, step.Line == 0 ? step.Source : null);
        int seen = counts.TryGetValue(key, out int n) ? n : 0;
        counts[key] = seen + 1;
        if (seen < MaxStepsPerLine)
        {
            rows.Add(step);
            return;
        }

        if (omittedRow.TryGetValue(key, out int row))
        {
            rows[row] = rows[row] with { Omitted = rows[row].Omitted + 1 };
        }
        else
        {
            omittedRow[key] = rows.Count;
            rows.Add(new TraceStep(TraceStepKind.Omitted, step.Line, step.Source, string.Empty, double.NaN, Omitted: 1));
        }
    }
}
