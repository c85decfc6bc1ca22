using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace SymDiff;

/// <summary>Writes a <see cref="GradientTrace"/> as console text, Markdown or an HTML page; each row is described once, by <see cref="Describe"/>.</summary>
internal static class TraceRenderer
{
    private const int SourceWidth = 46;

    public static string Text(GradientTrace trace)
    {
        var text = new StringBuilder();
        text.AppendLine(Title(trace));
        text.AppendLine();
        TextTable(text, "Forward pass: each statement and the value it computed", trace.Forward);
        text.AppendLine();
        TextTable(text, "Backward pass: adjoint = local derivative × incoming adjoint", trace.Backward);
        text.AppendLine();
        text.AppendLine("Gradient");
        foreach ((string name, double value) in trace.Gradient)
        {
            text.AppendLine($"  ∂{ResultName(trace)}/∂{name} = {Number(value)}");
        }

        return text.ToString();
    }

    public static string Markdown(GradientTrace trace)
    {
        var md = new StringBuilder();
        md.AppendLine($"### {Title(trace)}").AppendLine();
        MarkdownTable(md, "Forward pass", "value", trace.Forward);
        MarkdownTable(md, "Backward pass", "adjoint = local derivative × incoming adjoint", trace.Backward);
        md.AppendLine("**Gradient**").AppendLine();
        md.AppendLine("| parameter | derivative |").AppendLine("| --- | ---: |");
        foreach ((string name, double value) in trace.Gradient)
        {
            md.AppendLine($"| `{name}` | {Number(value)} |");
        }

        return md.ToString();
    }

    public static string Html(GradientTrace trace)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>")
            .AppendLine("<html lang=\"en\">")
            .AppendLine("<head>")
            .AppendLine("<meta charset=\"utf-8\">")
            .AppendLine($"<title>{E(Title(trace))}</title>")
            .AppendLine("<style>")
            .AppendLine("body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; background: #fbfbfc; }")
            .AppendLine("h1 { font-size: 1.3rem; margin-bottom: 0.2rem; } p.sub { color: #57606a; margin-top: 0; }")
            .AppendLine(".passes { display: grid; grid-template-columns: 1fr 1.35fr; gap: 1.5rem; align-items: start; }")
            .AppendLine("h2 { font-size: 1.05rem; margin: 0.5rem 0; }")
            .AppendLine("table { border-collapse: collapse; width: 100%; font-size: 0.86rem; background: white; }")
            .AppendLine("th, td { border-bottom: 1px solid #e4e7eb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }")
            .AppendLine("th { background: #eef1f4; } td.line { color: #57606a; text-align: right; width: 2.5rem; }")
            .AppendLine("code { font-family: ui-monospace, Consolas, monospace; white-space: pre-wrap; }")
            .AppendLine("tr.Iteration td, tr.Decision td { background: #f3f6fb; color: #3b4a63; }")
            .AppendLine("tr.Saved td, tr.Restored td { color: #7a5b00; background: #fffbea; }")
            .AppendLine("tr.Omitted td { color: #57606a; font-style: italic; }")
            .AppendLine("tr.Input td { background: #f5fbf5; }")
            .AppendLine("tr.same td { border-top: none; } tr:has(+ tr.same) td { border-bottom: none; }")
            .AppendLine("td.num { text-align: right; font-variant-numeric: tabular-nums; }")
            .AppendLine("</style>")
            .AppendLine("</head>")
            .AppendLine("<body>")
            .AppendLine($"<h1>{E(Title(trace))}</h1>")
            .AppendLine("<p class=\"sub\">Forward pass: what each statement computed. Backward pass: each chain-rule step, adjoint = local derivative × incoming adjoint, in the order the generated gradient takes them.</p>")
            .AppendLine("<div class=\"passes\">");
        HtmlTable(html, "Forward pass", "value", trace.Forward);
        HtmlTable(html, "Backward pass", "chain-rule step", trace.Backward);
        html.AppendLine("</div>")
            .AppendLine("<h2>Gradient</h2>")
            .AppendLine("<table style=\"width: auto\"><tr><th>parameter</th><th>derivative</th></tr>");
        foreach ((string name, double value) in trace.Gradient)
        {
            html.AppendLine($"<tr><td><code>∂{E(ResultName(trace))}/∂{E(name)}</code></td><td class=\"num\">{E(Number(value))}</td></tr>");
        }

        html.AppendLine("</table>").AppendLine("</body>").AppendLine("</html>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>What a row says, in words and numbers: <c>dError = 2 * error × dSum = 24 × 0.2 = 4.8</c>.</summary>
    public static string Describe(TraceStep step) => step.Kind switch
    {
        TraceStepKind.Input or TraceStepKind.Statement => $"{step.Name} = {Number(step.Value)}",
        TraceStepKind.Iteration => $"{step.Name} = {Number(step.Value)}",
        TraceStepKind.Decision => step.Value != 0 ? "condition holds" : "condition fails",
        TraceStepKind.Saved => $"tape ← {step.Name} = {Number(step.Value)}",
        TraceStepKind.Restored => $"{step.Name} = {Number(step.Value)} ← tape",
        TraceStepKind.Omitted => $"… {step.Omitted} more step{(step.Omitted == 1 ? string.Empty : "s")} of this line",
        TraceStepKind.Adjoint when double.IsNaN(step.FactorValue) =>
            $"{step.Name} += {step.Factor} × {step.Incoming} (through the callee's pullback, {step.Incoming} = {Number(step.IncomingValue)}) → {step.Name} = {Number(step.Value)}",
        TraceStepKind.Adjoint =>
            $"{step.Name} {(step.Accumulates ? "+=" : "=")} {Grouped(step.Factor!)} × {step.Incoming} = {Number(step.FactorValue)} × {Operand(step.IncomingValue)} = {Number(step.Contribution)}"
            + (step.Accumulates ? $" → {step.Name} = {Number(step.Value)}" : string.Empty),
        _ => step.Name,
    };

    /// <summary>A number as people write it: 4.8, −20, 1.0e+300; at most ten significant digits.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        double size = Math.Abs(value);
        return size != 0 && (size >= 1e9 || size < 1e-6)
            ? value.ToString("0.0########e+0", CultureInfo.InvariantCulture)
            : Math.Round(value, 12).ToString("0.##########", CultureInfo.InvariantCulture);
    }

    // A factor on the left of ×: in parentheses when it is a sum, a quotient or a conditional (z > 0 ? 1 : 0).
    private static string Grouped(string factor) =>
        factor.Contains(" + ") || factor.Contains(" - ") || factor.Contains(" / ") || factor.Contains(" ? ") ? $"({factor})" : factor;

    // A number on the right of ×: in parentheses when negative (2 × (−1.2), not 2 × -1.2).
    private static string Operand(double value) => value < 0 ? $"({Number(value)})" : Number(value);

    private static string Title(GradientTrace trace) =>
        trace.Method is null ? "Empty chain-rule trace" : $"Chain-rule trace of {trace.Method} ({trace.File}): value {Number(trace.Value)}";

    private static string ResultName(GradientTrace trace) => trace.Method is null ? "f" : trace.Method.Substring(trace.Method.LastIndexOf('.') + 1);

    private static string SourceOf(TraceStep step) => step.Kind switch
    {
        TraceStepKind.Input => "parameter",
        TraceStepKind.Saved or TraceStepKind.Restored => "tape",
        _ => step.Source,
    };

    // Several steps of one statement (the adjoints of each of its inputs) show it once, on the first.
    private static bool SameStatement(IReadOnlyList<TraceStep> steps, int i) =>
        i > 0 && steps[i].Line != 0 && steps[i].Kind == steps[i - 1].Kind && steps[i].Line == steps[i - 1].Line && steps[i].Source == steps[i - 1].Source;

    private static string LineOf(TraceStep step) => step.Line == 0 ? string.Empty : step.Line.ToString(CultureInfo.InvariantCulture);

    private static void TextTable(StringBuilder text, string heading, IReadOnlyList<TraceStep> steps)
    {
        text.AppendLine(heading);
        text.AppendLine($"  {"line",4}  {"statement".PadRight(SourceWidth)}  step");
        for (int i = 0; i < steps.Count; i++)
        {
            TraceStep step = steps[i];
            string source = SameStatement(steps, i) ? string.Empty : SourceOf(step);
            if (source.Length > SourceWidth)
            {
                source = source.Substring(0, SourceWidth - 1) + "…";
            }

            text.AppendLine($"  {(SameStatement(steps, i) ? string.Empty : LineOf(step)),4}  {source.PadRight(SourceWidth)}  {Describe(step)}");
        }
    }

    private static void MarkdownTable(StringBuilder md, string heading, string column, IReadOnlyList<TraceStep> steps)
    {
        md.AppendLine($"**{heading}**").AppendLine();
        md.AppendLine($"| line | statement | {column} |").AppendLine("| ---: | --- | --- |");
        for (int i = 0; i < steps.Count; i++)
        {
            TraceStep step = steps[i];
            string statement = SameStatement(steps, i) ? string.Empty : $"`{SourceOf(step).Replace("|", "\\|")}`";
            md.AppendLine($"| {(SameStatement(steps, i) ? string.Empty : LineOf(step))} | {statement} | {Describe(step).Replace("|", "\\|")} |");
        }

        md.AppendLine();
    }

    private static void HtmlTable(StringBuilder html, string heading, string column, IReadOnlyList<TraceStep> steps)
    {
        html.AppendLine("<section>")
            .AppendLine($"<h2>{E(heading)}</h2>")
            .AppendLine($"<table><tr><th>line</th><th>statement</th><th>{E(column)}</th></tr>");
        for (int i = 0; i < steps.Count; i++)
        {
            TraceStep step = steps[i];
            bool same = SameStatement(steps, i);
            string line = same ? string.Empty : LineOf(step), statement = same ? string.Empty : $"<code>{E(SourceOf(step))}</code>";
            html.AppendLine($"<tr class=\"{step.Kind}{(same ? " same" : string.Empty)}\"><td class=\"line\">{line}</td><td>{statement}</td><td><code>{E(Describe(step))}</code></td></tr>");
        }

        html.AppendLine("</table>").AppendLine("</section>");
    }
}
