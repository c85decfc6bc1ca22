using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// The body of <c>FTrace</c> (<c>[Differentiable(Trace = true)]</c>): the gradient sweeps, built by the
/// same code as <c>Gradient</c>, with a line after each step that records it in a
/// <c>SymDiff.GradientTrace</c>. Each forward statement records the value it computed; each
/// backward update records, per incoming adjoint, the local derivative it was multiplied by: an
/// update is linear in the adjoints it reads, so its factor for one of them is the update with that
/// adjoint set to 1 and the others to 0. The optimizations that rename, merge or move statements
/// (propagation, loop fusion, accumulators in registers, shared factors) are left out, so that every
/// recorded step is a source statement's; the numbers are the same as <c>Gradient</c>'s.
/// </summary>
internal sealed partial class Reverse
{
    // FTrace's GradientTrace parameter while FTrace is built; null for every other method.
    private string? trace;

    // Adjoints that are not some value's adjoint: a call argument's temporary, a copy of an
    // adjoint that its own statement reads, the seed.
    private readonly HashSet<string> otherAdjoints = new();

    /// <summary>The body of FTrace for a tape-free method.</summary>
    public static List<Code> BuildTrace(MethodModel model, IReadOnlyList<Stmt> body, string traceName)
    {
        var taken = new HashSet<string>(model.ReservedNames) { model.SeedName, traceName };
        var activity = new Activity(model, body);
        var reverse = new Reverse(model, gradient: true, activity, taken) { trace = traceName };
        reverse.otherAdjoints.Add(model.SeedName);
        return reverse.Run(body);
    }

    /// <summary>The body of FTrace for a method with a tape.</summary>
    public static List<Code> BuildTapedTrace(MethodModel model, LoweredBody lowered, HashSet<string> taken, string traceName)
    {
        taken.Add(traceName);
        taken.Add(model.SeedName);
        var activity = new Activity(model, lowered.Body);
        var reverse = new Reverse(model, gradient: true, activity, taken)
        {
            trace = traceName,
            tape = Names.Fresh("tape", taken),
            types = lowered.Types,
            localArrays = new HashSet<string>(lowered.Body.OfType<NewArray>().Select(a => a.Name)),
        };
        reverse.otherAdjoints.Add(model.SeedName);
        return reverse.RunTaped(lowered.Body);
    }

    private bool Tracing => trace is not null;

    // Gradient seeds its sweep with 1; FTrace with a local dF = 1, so that the first step has an incoming adjoint to show.
    private Expr ResultSeed => gradient && !Tracing ? Num.One : new Var(model.SeedName, Ty.Double);

    private bool IsAdjoint(string name) => otherAdjoints.Contains(name) || adjointOf.ContainsValue(name);

    private Code Record(string call) => new Raw($"{trace}.{call};");

    /// <summary>FTrace's first lines: the call's floating-point inputs, constant data too (the network's x and y).</summary>
    private IEnumerable<Code> TraceInputs()
    {
        string method = string.Join(".", model.Types.Select(t => t.Name).Append(model.Name));
        yield return Record($"Begin({Quote(method)}, {Quote(model.FileName)})");
        foreach (ParamModel p in model.Params.Where(p => p.Kind != ParamKind.Int && !p.IsOutput))
        {
            yield return Record($"Input({Quote(p.Display)}, {AsReadOnly(p)}{p.Name})");
        }
    }

    // FTrace's last lines before it returns: the gradient.
    private IEnumerable<Code> TraceGradient() => model.Params.Where(p => p.Differentiable)
        .Select(p => Record($"Derivative({Quote(p.Display)}, {AsReadOnly(p)}{p.DerivativeName})"));

    // Arrays and spans are recorded as read-only spans, the one overload that takes them all.
    private string AsReadOnly(ParamModel p) => p.IsArray ? $"(global::System.ReadOnlySpan<{model.Scalar}>)" : string.Empty;

    /// <summary>
    /// The record of a forward statement that gave <paramref name="name"/> (an element: <paramref name="index"/>)
    /// a number; a bool, string or enum local (<paramref name="typeCode"/>) is not a number the trace records.
    /// </summary>
    private IEnumerable<Code> TraceStatement(Stmt s, string name, Ty type, string? typeCode, Expr? index = null)
    {
        if (!Tracing || !IsNumber(type, typeCode) || s.Source == Lower.Hoisted)
        {
            yield break;
        }

        string label = index is null ? Quote(name) : Interpolated(name, index);
        string value = index is null ? name : $"{name}[{Emit.ExprWriter.Write(index)}]";
        yield return Record($"Statement({s.Line.ToString(CultureInfo.InvariantCulture)}, {Quote(s.Source)}, {label}, {value})");
    }

    // A value the trace records as a number: floating, or an integer of a numeric type (not an enum, a string or a bool).
    private static bool IsNumber(Ty type, string? typeCode) =>
        type == Ty.Double || (type == Ty.Int && typeCode is null or "int" or "long" or "short" or "byte" or "sbyte" or "ushort" or "uint" or "ulong" or "char" or "nint" or "nuint");

    /// <summary>The record of the method's result, between the two passes.</summary>
    private Code TraceResult(Stmt s, string value) =>
        Record($"Result({s.Line.ToString(CultureInfo.InvariantCulture)}, {Quote(s.Source)}, {Quote(model.Name)}, {value})");

    /// <summary>The record of an iteration of the counted loop at <paramref name="line"/>.</summary>
    private Code TraceIteration(int line, string header, string counter) =>
        Record($"Iteration({line.ToString(CultureInfo.InvariantCulture)}, {Quote($"for ({header})")}, {Quote(counter)}, {counter})");

    /// <summary>The record of an <c>if</c>'s decision.</summary>
    private Code TraceDecision(If i, string decision) =>
        Record($"Decision({i.Line.ToString(CultureInfo.InvariantCulture)}, {Quote(i.Source)}, {decision})");

    /// <summary>The records of the adjoint updates of one source statement.</summary>
    private IEnumerable<Code> TraceSteps(Stmt s, IEnumerable<Code> updates)
    {
        string line = s.Line.ToString(CultureInfo.InvariantCulture);
        foreach (Code update in updates)
        {
            (string label, string after, Expr value, bool accumulates) = update switch
            {
                Let l => (Quote(l.Name), l.Name, l.Value, false),
                Set set => (Quote(set.Name), set.Name, set.Value, false),
                AddTo a => (Quote(a.Name), a.Name, a.Subtract ? E.Neg(a.Value) : a.Value, true),
                AddToElement a => (Interpolated(a.Span, a.Index), $"{a.Span}[{Emit.ExprWriter.Write(a.Index)}]", a.Value, true),
                _ => (string.Empty, string.Empty, Num.Zero, false),
            };
            if (update is BackwardCall call)
            {
                // Scalar adjoints only: an array's adjoint, or a range of one (dA.Slice(1, n)), is not one number.
                foreach (string adjoint in call.Adjoints.OfType<string>().Where(a => Effects.Target(a) == a && model.Params.All(p => p.DerivativeName != a || !p.IsArray)))
                {
                    yield return Record($"CallStep({line}, {Quote(s.Source)}, {Quote(adjoint)}, {adjoint}, {Quote(call.Callee.Name)}, {Quote(Shown(call.Seed))}, {Emit.ExprWriter.Write(call.Seed)})");
                }

                continue;
            }

            if (label.Length == 0 || E.IsZero(value))
            {
                continue;
            }

            List<Expr> incoming = Incoming(value).Distinct().ToList();
            if (incoming.Count == 0)
            {
                incoming.Add(Num.One);
            }

            foreach (Expr g in incoming)
            {
                Expr factor = Simplify.Run(Replace(value, e => incoming.Contains(e) ? (e == g ? Num.One : Num.Zero) : null));
                yield return Record($"Step({line}, {Quote(s.Source)}, {label}, {after}, {Quote(Shown(factor))}, {Value(factor)}, {Quote(Shown(g))}, {Value(g)}, {(accumulates ? "true" : "false")})");
            }
        }
    }

    /// <summary>
    /// The finished body of FTrace: a backward loop left with nothing but its iteration records (its
    /// restores were not needed) goes with its count, and so do locals nobody reads (an adjoint's
    /// copy that no step needed, the seed of a constant result) and the blocks they leave empty;
    /// the gradient is recorded just before the method returns.
    /// </summary>
    private List<Code> FinishTrace(List<Code> code)
    {
        bool Idle(IReadOnlyList<Code> body) => body.All(c => c is Comment || (c is Raw r && r.Text.StartsWith(trace + ".Iteration(", System.StringComparison.Ordinal)));
        List<Code> Strip(IEnumerable<Code> block) => block.Select(c => c switch
        {
            Loop l => l with { Body = Idle(l.Body) ? [] : Strip(l.Body) },
            Repeat r => r with { Body = Idle(r.Body) ? [] : Strip(r.Body) },
            Branch b => b with { Then = Strip(b.Then), Else = Strip(b.Else) },
            _ => c,
        }).ToList();
        List<Code> finished = Optimize.DropIdleBlocks(Strip(code), new HashSet<string>(model.Params.Select(p => p.DerivativeName)));
        finished.InsertRange(finished.FindLastIndex(c => c is ReturnValue), TraceGradient());
        return finished;
    }

    /// <summary>The tape's traffic in <paramref name="code"/>: a record after each value saved and restored.</summary>
    private List<Code> TraceTape(IEnumerable<Code> code)
    {
        var result = new List<Code>();
        foreach (Code c in code)
        {
            result.Add(c switch
            {
                Branch b => b with { Then = TraceTape(b.Then), Else = TraceTape(b.Else) },
                Repeat r => r with { Body = TraceTape(r.Body) },
                Loop l => l with { Body = TraceTape(l.Body) },
                _ => c,
            });
            switch (c is Taped t ? t.Action : c)
            {
                case Push p:
                    string name = c is Taped saved ? saved.Name : Emit.ExprWriter.Write(p.Value);
                    result.Add(Record($"Saved({Quote(name)}, {Emit.ExprWriter.Write(p.Value)})"));
                    break;
                case Pop { Index: { } index } p:
                    result.Add(Record($"Restored({Interpolated(p.Target, index)}, {p.Target}[{Emit.ExprWriter.Write(index)}])"));
                    break;
                case Pop p when p.Type == Ty.Bool || IsNumber(p.Type, p.TypeCode):
                    result.Add(Record($"Restored({Quote(p.Target)}, {p.Target})"));
                    break;
            }
        }

        return result;
    }

    // The adjoints an update reads: the factors of the chain rule multiply these.
    private IEnumerable<Expr> Incoming(Expr e) => e switch
    {
        Var v when IsAdjoint(v.Name) => [v],
        Elem el when IsAdjoint(el.Array) => [el],
        _ => E.Children(e).SelectMany(Incoming),
    };

    // A value a record shows; a conditional as ?: (a line of a trace is not worth a Branchless.Select), except in
    // generic code, whose numbers only the ordinary writer spells as T.
    private static string Value(Expr e) => Emit.ExprWriter.IsGeneric ? Emit.ExprWriter.Write(e) : Emit.ExprWriter.Formula(e);

    // An expression as a reader writes it: ?: rather than Branchless.Select, Math.Tanh rather than global::System.Math.Tanh.
    private static string Shown(Expr e) => Emit.ExprWriter.Formula(e).Replace("global::System.", string.Empty).Replace("global::SymDiff.", string.Empty);

    private static Expr Replace(Expr e, System.Func<Expr, Expr?> with) => with(e) ?? E.MapChildren(e, child => Replace(child, with));

    // "dW1[" + index + "]" as an interpolated string, or a plain one when the index is a literal.
    private static string Interpolated(string array, Expr index)
    {
        string written = Emit.ExprWriter.Write(index);
        return int.TryParse(written, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? Quote($"{array}[{written}]")
            : $"$\"{array}[{{({written})}}]\"";
    }

    /// <summary>A C# string literal of <paramref name="text"/>.</summary>
    private static string Quote(string text)
    {
        var literal = new System.Text.StringBuilder("\"");
        foreach (char c in text)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return literal.Append('"').ToString();
    }
}
