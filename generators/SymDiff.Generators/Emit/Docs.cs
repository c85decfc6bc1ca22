using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Emit;

/// <summary>The XML documentation of the generated methods, with the derivative formulas where they exist.</summary>
internal static class Docs
{
    private const int MaxFormulaLength = 160;

    public static string Cref(MethodModel m) =>
        $"{m.Name}({string.Join(", ", m.Params.Select(p => p.TypeCode.Replace('<', '{').Replace('>', '}')))})";

    public static IEnumerable<string> Gradient(MethodModel m, string primal, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped)
    {
        yield return "<summary>";
        yield return $"Computes <see cref=\"{primal}\"/> and its gradient with respect to {WrtList(m)} by reverse-mode differentiation.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped))
        {
            yield return line;
        }

        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        foreach (ParamModel p in m.Params.Where(p => p.Differentiable))
        {
            yield return p.IsArray
                ? $"<param name=\"{p.DerivativeName}\">Overwritten with ∂{m.Name}/∂{p.Name}[i]; must have {p.Name}.Length elements.</param>"
                : $"<param name=\"{p.DerivativeName}\">Receives ∂{m.Name}/∂{p.Name}.</param>";
        }

        yield return $"<returns>The value of {m.Name}.</returns>";
        if (m.Params.Any(p => p.Differentiable && p.IsArray))
        {
            yield return "<exception cref=\"global::System.ArgumentException\">An array adjoint has the wrong length.</exception>";
        }
    }

    public static IEnumerable<string> Backward(MethodModel m, string primal, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped)
    {
        yield return "<summary>";
        yield return $"The pullback of <see cref=\"{primal}\"/>: adds {m.SeedName} · ∂{m.Name}/∂p into the adjoint of each differentiated parameter p.";
        yield return "A differentiable caller calls this to push its adjoint through the call; adjoints accumulate, so start them at zero.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped))
        {
            yield return line;
        }

        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        if (m.ReturnsVoid)
        {
            foreach (ParamModel o in m.Outputs)
            {
                yield return $"<param name=\"{o.DerivativeName}\">The adjoint of the output {o.Name}: how much the final objective changes per unit of each {o.Name}[i]; {o.Name}.Length elements.</param>";
            }
        }
        else
        {
            yield return $"<param name=\"{m.SeedName}\">The adjoint of the result: how much the final objective changes per unit of {m.Name}.</param>";
        }

        foreach (ParamModel p in m.Params.Where(p => p.Differentiable))
        {
            yield return p.IsArray
                ? $"<param name=\"{p.DerivativeName}\">Accumulates {m.SeedName} · ∂{m.Name}/∂{p.Name}[i]; {p.Name}.Length elements, or empty when not needed.</param>"
                : $"<param name=\"{p.DerivativeName}\">Accumulates {m.SeedName} · ∂{m.Name}/∂{p.Name}.</param>";
        }
    }

    public static IEnumerable<string> Derivative(MethodModel m, string primal, IReadOnlyList<(string Parameter, Expr Partial)>? partials)
    {
        var terms = m.Params.Where(p => p.Differentiable).Select(p => p.IsArray ? $"Σᵢ ∂{m.Name}/∂{p.Name}[i] · {p.DerivativeName}[i]" : $"∂{m.Name}/∂{p.Name} · {p.DerivativeName}");
        yield return "<summary>";
        yield return $"The directional derivative of <see cref=\"{primal}\"/> by forward-mode differentiation: {Escape(string.Join(" + ", terms))}.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped: false))
        {
            yield return line;
        }

        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        foreach (ParamModel p in m.Params.Where(p => p.Differentiable))
        {
            yield return p.IsArray
                ? $"<param name=\"{p.DerivativeName}\">The tangent of {p.Name}: {p.Name}.Length elements, or empty for zero.</param>"
                : $"<param name=\"{p.DerivativeName}\">The tangent of {p.Name}.</param>";
        }

        foreach (ParamModel o in m.Outputs)
        {
            yield return $"<param name=\"{o.DerivativeName}\">Overwritten with the tangent of the output {o.Name}; {o.Name}.Length elements.</param>";
        }

        if (!m.ReturnsVoid)
        {
            yield return $"<returns>The change of {m.Name} along the tangents.</returns>";
        }
    }

    private static IEnumerable<string> PrimalParams(MethodModel m) =>
        m.Params.Select(p => $"<param name=\"{Parsing.Names.Plain(p.Name)}\">{(p.Differentiable ? "Argument" : "Constant argument")} of {m.Name}.</param>");

    // taped: the method's reverse mode replays the body from the tape, which the remarks say.
    private static IEnumerable<string> Remarks(MethodModel m, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped)
    {
        yield return "<remarks>";
        if (partials is not null && partials.Count > 0 && partials.All(p => Math(p.Partial).Length <= MaxFormulaLength))
        {
            yield return "<code>";
            foreach ((string parameter, Expr partial) in partials)
            {
                yield return Escape($"∂{m.Name}/∂{parameter} = {Math(partial)}");
            }

            yield return "</code>";
        }
        else
        {
            yield return $"The derivative follows the body of {m.Name} statement by statement; each step below names the source line it differentiates.";
            if (taped)
            {
                yield return "The backward sweep replays the body in reverse: values the forward sweep overwrote, branch decisions and loop counts come back from this thread's tape (SymDiff.Generated.Tape), which is reused from call to call.";
            }
        }

        yield return "</remarks>";
    }

    private static string WrtList(MethodModel m)
    {
        var names = m.Params.Where(p => p.Differentiable).Select(p => p.Name).ToList();
        return names.Count == 0 ? "nothing" : string.Join(", ", names);
    }

    private static string Math(Expr e) => ExprWriter.Formula(e).Replace(" * ", "·").Replace("global::System.", string.Empty).Replace("MathF.", string.Empty).Replace("Math.", string.Empty);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
