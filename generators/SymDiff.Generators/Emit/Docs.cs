using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Emit;

/// <summary>The XML documentation of the generated methods, with the derivative formulas where they exist.</summary>
internal static class Docs
{
    private const int MaxFormulaLength = 160;

    public static string Cref(MethodModel m) =>
        $"{m.Name}{m.TypeParameters.Replace('<', '{').Replace('>', '}')}({string.Join(", ", StructFolding.PrimalTypes(m).Select(t => t.Replace('<', '{').Replace('>', '}')))})";

    public static IEnumerable<string> Gradient(MethodModel m, string primal, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped)
    {
        yield return "<summary>";
        yield return $"Computes <see cref=\"{primal}\"/> and its gradient with respect to {WrtList(m)} by reverse-mode differentiation.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped, onGradient: true))
        {
            yield return line;
        }

        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        foreach (string line in GradientParams(m))
        {
            yield return line;
        }

        yield return $"<returns>The value of {m.Name}.</returns>";
        if (m.Params.Any(p => p.Differentiable && p.IsArray))
        {
            yield return "<exception cref=\"global::System.ArgumentException\">An array adjoint has the wrong length.</exception>";
        }
    }

    public static IEnumerable<string> Trace(MethodModel m, string primal, string trace)
    {
        yield return "<summary>";
        yield return $"Computes <see cref=\"{primal}\"/> and its gradient with respect to {WrtList(m)}, as {m.Name}Gradient does, and records both passes in <paramref name=\"{trace}\"/>:";
        yield return "each statement of the forward pass with the value it computed, then each chain-rule step of the backward pass with the adjoint it produced, the local derivative and the incoming adjoint.";
        yield return "</summary>";
        yield return "<remarks>";
        yield return "For learning and debugging: it records every step, so it is far slower than the gradient. Render the trace with ToText, ToMarkdown or ToHtml.";
        yield return "</remarks>";
        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        yield return $"<param name=\"{trace}\">Receives the trace; what it held before is cleared.</param>";
        yield return $"<returns>The value of {m.Name}.</returns>";
    }

    public static IEnumerable<string> Backward(MethodModel m, string primal, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped)
    {
        yield return "<summary>";
        yield return $"The pullback of <see cref=\"{primal}\"/>: adds {m.SeedName} · ∂{m.Name}/∂p into the adjoint of each differentiated parameter p.";
        yield return "A differentiable caller calls this to push its adjoint through the call; adjoints accumulate, so start them at zero.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped, onGradient: false))
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
        var terms = m.Params.Where(p => p.Differentiable).Select(p => m.StructArrayOf(p) is { } array
            ? $"Σᵢ ∂{m.Name}/∂{array.Name}[i] · {array.DerivativeName}[i], field by field"
            : p.IsArray ? $"Σᵢ ∂{m.Name}/∂{p.Name}[i] · {p.DerivativeName}[i]" : $"∂{m.Name}/∂{p.Display} · {Tangent(m, p)}");
        yield return "<summary>";
        yield return $"The directional derivative of <see cref=\"{primal}\"/> by forward-mode differentiation: {Escape(string.Join(" + ", terms))}.";
        yield return "</summary>";
        foreach (string line in Remarks(m, partials, taped: false, onGradient: false))
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

    public static IEnumerable<string> Hessian(MethodModel m, string primal)
    {
        yield return "<summary>";
        yield return $"Computes <see cref=\"{primal}\"/>, its gradient and its Hessian with respect to {WrtList(m)}: row k of the Hessian is H·eₖ, one forward-over-reverse sweep ({m.Name}HessianVectorProduct) per differentiated scalar.";
        yield return "</summary>";
        yield return "<remarks>";
        yield return $"The Hessian's rows and columns follow the differentiated scalars in parameter order, arrays flattened ({Escape(string.Join(", ", Scalars(m)))}), row-major. It is exactly symmetric: each pair H[i,j], H[j,i] is their mean.";
        yield return "</remarks>";
        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        foreach (string line in GradientParams(m))
        {
            yield return line;
        }

        yield return "<param name=\"hessian\">Overwritten with the Hessian, row-major; must have m·m elements for m differentiated scalars.</param>";
        yield return $"<returns>The value of {m.Name}.</returns>";
        yield return "<exception cref=\"global::System.ArgumentException\">A span has the wrong length.</exception>";
    }

    public static IEnumerable<string> HessianVectorProduct(MethodModel m, string primal)
    {
        yield return "<summary>";
        yield return $"Computes <see cref=\"{primal}\"/> and the Hessian-vector product H·t without forming H: forward mode over the reverse sweep of {m.Name}Gradient, in one pass.";
        yield return "</summary>";
        yield return "<remarks>";
        yield return "In the body, tName is the tangent of name along t and hName the tangent of the adjoint dName; the h of a parameter is its component of H·t.";
        yield return "</remarks>";
        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        foreach (ParamModel p in m.Params.Where(p => p.Differentiable))
        {
            yield return p.IsArray
                ? $"<param name=\"{p.TangentName}\">The direction t's part for {p.Name}: {p.Name}.Length elements, or empty for zero.</param>"
                : $"<param name=\"{p.TangentName}\">The direction t's part for {p.Name}.</param>";
        }

        foreach (ParamModel p in m.Params.Where(p => p.Differentiable))
        {
            yield return p.IsArray
                ? $"<param name=\"{p.ProductName}\">Overwritten with the {p.Name} part of H·t; must have {p.Name}.Length elements.</param>"
                : $"<param name=\"{p.ProductName}\">Receives the {p.Name} part of H·t.</param>";
        }

        yield return $"<returns>The value of {m.Name}.</returns>";
    }

    public static IEnumerable<string> Jacobian(MethodModel m, string primal)
    {
        yield return "<summary>";
        yield return m.Result is { } result
            ? $"Computes <see cref=\"{primal}\"/> and the Jacobian of its result's fields with respect to {WrtList(m)}: row r is the pullback of field r ({m.Name}Backward with that field's adjoint 1)."
            : $"Computes the outputs of <see cref=\"{primal}\"/> and their Jacobian with respect to {WrtList(m)}: row r is the pullback of output element r ({m.Name}Backward with that element's adjoint 1).";
        yield return "</summary>";
        yield return "<remarks>";
        string rows = m.Result is { } fields ? $"the result's fields ({string.Join(", ", fields.Fields)})" : $"the output elements in parameter order ({Escape(string.Join(", ", m.Outputs.Select(o => m.Shown(o) + "[…]")))})";
        yield return $"Rows: {rows}. Columns: the differentiated scalars in parameter order, arrays flattened ({Escape(string.Join(", ", Scalars(m)))}). Row-major.";
        yield return "</remarks>";
        foreach (string line in PrimalParams(m))
        {
            yield return line;
        }

        yield return m.Result is null
            ? "<param name=\"jacobian\">Overwritten with the Jacobian, row-major; must have (output elements)·(differentiated scalars) elements.</param>"
            : "<param name=\"jacobian\">Overwritten with the Jacobian, row-major; must have (result fields)·(differentiated scalars) elements.</param>";
        if (m.Result is not null)
        {
            yield return $"<returns>The value of {m.Name}.</returns>";
        }

        yield return "<exception cref=\"global::System.ArgumentException\">The Jacobian span has the wrong length.</exception>";
    }

    // The adjoints Gradient and Hessian overwrite.
    private static IEnumerable<string> GradientParams(MethodModel m) => m.Params.Where(p => p.Differentiable).Select(p => p.IsArray
        ? $"<param name=\"{p.DerivativeName}\">Overwritten with ∂{m.Name}/∂{p.Name}[i]; must have {p.Name}.Length elements.</param>"
        : $"<param name=\"{p.DerivativeName}\">Receives ∂{m.Name}/∂{p.Name}.</param>");

    private static IEnumerable<string> Scalars(MethodModel m) =>
        m.Params.Where(p => p.Differentiable).Select(p => m.StructArrayOf(p) is { } array
            ? $"{Parsing.StructLayout.Access(array.Name + "[0]", array.Paths[0])}, …, {Parsing.StructLayout.Access(array.Name + "[n−1]", array.Paths[array.Paths.Count - 1])}"
            : p.IsArray ? $"{p.Name}[0], …, {p.Name}[n−1]" : p.Display);

    private static IEnumerable<string> PrimalParams(MethodModel m) =>
        m.Params.Select(p => $"<param name=\"{Parsing.Names.Plain(p.Name)}\">{(p.Differentiable ? "Argument" : "Constant argument")} of {m.Name}.</param>");

    // taped: the method's reverse mode replays the body from the tape, which the remarks say.
    // The formulas are written once, on Gradient; Backward and Derivative point there.
    private static IEnumerable<string> Remarks(MethodModel m, IReadOnlyList<(string Parameter, Expr Partial)>? partials, bool taped, bool onGradient)
    {
        yield return "<remarks>";
        bool formulas = partials is not null && partials.Count > 0 && partials.All(p => Math(p.Partial).Length <= MaxFormulaLength);
        if (formulas && !onGradient && !m.ReturnsVoid)
        {
            yield return $"The partial derivatives are written out in the remarks of <c>{m.Name}Gradient</c>.";
        }
        else if (formulas)
        {
            yield return "<code>";
            foreach ((string parameter, Expr partial) in partials!)
            {
                yield return Escape($"∂{m.Name}/∂{m.Params.FirstOrDefault(p => p.Name == parameter)?.Display ?? parameter} = {Math(partial)}");
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
        var names = m.Params.Where(p => p.Differentiable).Select(m.Shown).ToList();
        return names.Count == 0 ? "nothing" : string.Join(", ", names);
    }

    // Formulas name functions without their class: Sin, not Math.Sin, MathF.Sin or T.Sin.
    private static string Math(Expr e)
    {
        string text = ExprWriter.Formula(e).Replace(" * ", "·").Replace("global::System.", string.Empty).Replace("MathF.", string.Empty).Replace("Math.", string.Empty);
        return ExprWriter.IsGeneric ? text.Replace(ExprWriter.Scalar + ".", string.Empty) : text;
    }

    // The tangent of a parameter as the signature names it: dx, or dp.W for a struct's field.
    private static string Tangent(MethodModel m, ParamModel p) =>
        p.Struct is null ? p.DerivativeName : Parsing.StructLayout.Access(m.Structs.First(s => s.Name == p.Struct).DerivativeName, p.Member);

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
