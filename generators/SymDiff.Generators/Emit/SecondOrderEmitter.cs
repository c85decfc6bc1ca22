using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using SymDiff.Generators.Symbolic;

namespace SymDiff.Generators.Emit;

/// <summary>
/// Writes the opt-in second-order methods: <c>HessianVectorProduct</c> (forward over the reverse
/// sweep), <c>Hessian</c> (one product per differentiated scalar, skipping the zero blocks) and,
/// for methods with outputs, <c>Jacobian</c> (one pullback per output element).
/// </summary>
internal static class SecondOrderEmitter
{
    private const string Helpers = "global::SymDiff.Generated.SecondOrder";

    public static void Hessian(CodeWriter w, MethodModel m, IReadOnlyList<Code> gradient, string attribute)
    {
        List<Code> product = SecondOrder.HessianVectorProduct(m, gradient, Taken(m, gradient));
        string primal = Docs.Cref(m);
        string scalar = m.Scalar;
        var differentiable = m.Params.Where(p => p.Differentiable).ToList();

        w.Line();
        IEnumerable<string> parameters = Primal(m)
            .Concat(differentiable.Select(p => Tangent(p, scalar)))
            .Concat(differentiable.Select(p => Written(p, p.ProductName, scalar, "out")));
        MethodEmitter.WriteMethod(w, m, Docs.HessianVectorProduct(m, primal), $"{scalar} {m.Name}HessianVectorProduct{m.TypeParameters}", parameters, product, inline: false);

        // Hessian: its locals are fresh against every parameter name.
        var names = new HashSet<string>(m.ReservedNames);
        names.UnionWith(m.Params.Select(p => p.DerivativeName));
        string hessian = Parsing.Names.Fresh("hessian", names), size = Parsing.Names.Fresh("size", names), value = Parsing.Names.Fresh("value", names);
        string row = Parsing.Names.Fresh("row", names), k = Parsing.Names.Fresh("k", names);
        w.Line();
        IEnumerable<string> hessianParameters = Primal(m)
            .Concat(differentiable.Select(p => Written(p, p.DerivativeName, scalar, "out")))
            .Append($"global::System.Span<{scalar}> {hessian}");
        StructFolding folding = StructFolding.Fold(m, hessianParameters.ToList(), Docs.Hessian(m, primal).Select(d => d.Replace("\"hessian\"", $"\"{hessian}\"")).ToList());
        Write(w, folding.Docs, attribute);
        w.Open($"{Modifiers(m)}{scalar} {m.Name}Hessian{m.TypeParameters}({string.Join(", ", folding.Parameters)}){m.Constraints}");

        // With struct parameters the gradient comes from Gradient as structs, and the sweeps,
        // which are private, take the fields as scalars.
        bool folds = Folds(m);
        List<string> primalArguments = Arguments(StructFolding.Fold(m, Primal(m).ToList(), []).Parameters).ToList();

        // Offsets of each parameter's block: scalars count 1, arrays their length.
        var offsets = new List<string>();
        string running = "0";
        foreach (ParamModel p in differentiable)
        {
            offsets.Add(running);
            running = Plus(running, Length(m, p));
        }

        w.Line($"int {size} = {running};");
        w.Line($"{Helpers}.RequireSquare({hessian}, {size}, nameof({hessian}));");
        w.Line($"{scalar} {value} = {m.Name}Gradient({string.Join(", ", Arguments(StructFolding.Fold(m, MethodEmitter.GradientParameters(m).ToList(), []).Parameters))});");
        w.Line("// Row k of the Hessian is (H·eₖ)ᵀ: one forward-over-reverse sweep per differentiated scalar.");
        for (int i = 0; i < differentiable.Count; i++)
        {
            ParamModel p = differentiable[i];
            if (SecondOrder.ZeroBlock(m, gradient, p))
            {
                w.Line($"// {p.Name} enters {m.Name} linearly and alone: its rows and columns are zero.");
                w.Line(p.IsArray
                    ? $"{hessian}.Slice({Times(offsets[i], size)}, {Times(Length(m, p), size)}).Clear();"
                    : $"{hessian}.Slice({Times(offsets[i], size)}, {size}).Clear();");
                continue;
            }

            // With several parameters, each one's rows come from a sweep seeded by it alone, so
            // what does not depend on it (the zero blocks) is not computed.
            string sweep = differentiable.Count > 1 || folds ? ColumnSweep(m, p) : $"{m.Name}HessianVectorProduct";
            Func<string, IEnumerable<string>, IEnumerable<string>> only = differentiable.Count > 1 || folds
                ? (tangent, products) => primalArguments.Append(tangent).Concat(products)
                : (tangent, products) => m.Params.Select(q => q.Name).Concat(differentiable.Select(q => q == p ? tangent : q.IsArray ? "default" : Zero)).Concat(products);
            if (!p.IsArray)
            {
                string rowStart = Times(offsets[i], size);
                w.Line($"{sweep}({string.Join(", ", only(One, RowSlices(m, differentiable, rowStart, hessian, "out")))});");
                continue;
            }

            string unit = Parsing.Names.Fresh("unit" + Parsing.Names.Capitalized(Named(m, p)), names);
            w.Line($"{scalar}[] {unit} = {Helpers}.Rent<{scalar}>({Length(m, p)});");
            w.Open($"for (int {k} = 0; {k} < {Length(m, p)}; {k}++)");
            w.Line($"{unit}[{k}] = {One};");
            w.Line($"int {row} = ({Plus(offsets[i], k)}) * {size};");
            w.Line($"{sweep}({string.Join(", ", only($"global::System.MemoryExtensions.AsSpan({unit}, 0, {Length(m, p)})", RowSlices(m, differentiable, row, hessian, "out")))});");
            w.Line($"{unit}[{k}] = {Zero};");
            w.Close();
            w.Line($"{Helpers}.Return({unit});");
        }

        w.Line($"{Helpers}.Symmetrize({hessian}, {size});");
        w.Line($"return {value};");
        w.Close();
        if (differentiable.Count > 1 || folds)
        {
            foreach (ParamModel p in differentiable.Where(p => !SecondOrder.ZeroBlock(m, gradient, p)))
            {
                WriteColumnSweep(w, m, gradient, p, attribute);
            }
        }
    }

    /// <summary>
    /// BackwardTangent: the tangent of Backward, which a Hessian = true caller's
    /// HessianVectorProduct calls to go through this method.
    /// </summary>
    public static void BackwardTangent(CodeWriter w, MethodModel m, IReadOnlyList<Code> backward, string attribute)
    {
        HashSet<string> taken = Taken(m, backward);
        taken.Add(m.SeedName);
        string seedTangent = Parsing.Names.Fresh(Parsing.Names.Prefixed("h", m.SeedName.Substring(1)), taken);
        List<Code> body = SecondOrder.BackwardTangent(m, backward, taken, seedTangent);
        string scalar = m.Scalar;
        var differentiable = m.Params.Where(p => p.Differentiable).ToList();
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// The tangent of <see cref=\"{m.Name}Backward\"/> along t, for the second order of methods that call {m.Name}: adds {m.SeedName}·∇{m.Name} into the adjoints and {seedTangent}·∇{m.Name} + {m.SeedName}·H·t into their tangents.");
        w.Line("/// </summary>");
        w.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        w.Line(attribute);
        IEnumerable<string> parameters = Primal(m)
            .Concat(differentiable.Select(p => Tangent(p, scalar)))
            .Append($"{scalar} {m.SeedName}").Append($"{scalar} {seedTangent}")
            .Concat(differentiable.Select(p => Written(p, p.DerivativeName, scalar, "ref")))
            .Concat(differentiable.Select(p => Written(p, p.ProductName, scalar, "ref")));
        w.Open($"{Modifiers(m)}void {m.Name}BackwardTangent{m.TypeParameters}({string.Join(", ", parameters)}){m.Constraints}");
        BodyWriter.Write(w, body);
        w.Close();
    }

    // The arguments that write one row of a Hessian or Jacobian (the one that starts at
    // 'rowStart' in 'matrix'): a slice per array parameter, an element passed by 'modifier'
    // ("out" or "ref") per scalar.
    private static IEnumerable<string> RowSlices(MethodModel m, List<ParamModel> differentiable, string rowStart, string matrix, string modifier)
    {
        var args = new List<string>();
        string offset = "0";
        foreach (ParamModel p in differentiable)
        {
            string at = Plus(rowStart, offset);
            args.Add(p.IsArray ? $"{matrix}.Slice({at}, {Length(m, p)})" : $"{modifier} {matrix}[{at}]");
            offset = Plus(offset, Length(m, p));
        }

        return args;
    }

    // How many differentiated scalars a parameter holds, as C#: its length, or 1.
    // The floating-point 1 and 0 of the method's type (T.One in a generic method).
    private static string One => ExprWriter.Number(1, forceReal: false).Text;

    private static string Zero => ExprWriter.Number(0, forceReal: false).Text;

    private static string Length(MethodModel m, ParamModel p) =>
        m.StructArrayOf(p) is { } array ? $"{array.Paths.Count} * {array.Name}.Length" : p.IsArray ? $"{p.Name}.Length" : "1";

    // A parameter's name in generated identifiers: an array of structs', not its span of fields'.
    private static string Named(MethodModel m, ParamModel p) => m.StructArrayOf(p)?.Name ?? p.Name;

    // A tangent parameter: a read-only span for an array, a value for a scalar.
    private static string Tangent(ParamModel p, string scalar) =>
        p.IsArray ? $"global::System.ReadOnlySpan<{scalar}> {p.TangentName}" : $"{scalar} {p.TangentName}";

    // A parameter the method writes: a span for an array, 'modifier' ("out" or "ref") for a scalar.
    private static string Written(ParamModel p, string name, string scalar, string modifier) =>
        p.IsArray ? $"global::System.Span<{scalar}> {name}" : $"{modifier} {scalar} {name}";

    // Every name a second-order body must not reuse: the method's reserved names, the names the
    // first-order code it starts from uses, and every parameter's adjoint, tangent and product.
    private static HashSet<string> Taken(MethodModel m, IEnumerable<Code> code)
    {
        var taken = new HashSet<string>(m.ReservedNames);
        taken.UnionWith(Names(code));
        taken.UnionWith(m.Params.SelectMany(p => new[] { p.DerivativeName, p.TangentName, p.ProductName }));
        return taken;
    }

    /// <summary>The name of the private sweep that computes the Hessian's rows of one parameter.</summary>
    public static string ColumnSweep(MethodModel m, ParamModel p) =>
        $"{m.Name}HessianRowsOf{Parsing.Names.Capitalized(Named(m, p))}";

    // HessianVectorProduct with only p's tangent: what does not depend on p is left out.
    private static void WriteColumnSweep(CodeWriter w, MethodModel m, IReadOnlyList<Code> gradient, ParamModel p, string attribute)
    {
        List<Code> body = SecondOrder.HessianVectorProduct(m, gradient, Taken(m, gradient), p.Name);
        string scalar = m.Scalar;
        var differentiable = m.Params.Where(q => q.Differentiable).ToList();
        w.Line();
        string shown = m.StructArrayOf(p)?.Name ?? Parsing.Names.Plain(p.Display);
        w.Line($"/// <summary>{m.Name}HessianVectorProduct with a tangent in {shown} only: a sweep of {m.Name}Hessian, without the work that does not depend on {shown}.</summary>");
        w.Line(attribute);
        // The primal parameters as the method takes them (structs, arrays of structs), the tangent
        // and the rows as the flat model has them.
        StructFolding primal = StructFolding.Fold(m, Primal(m).ToList(), []);
        IEnumerable<string> parameters = primal.Parameters
            .Append(Tangent(p, scalar))
            .Concat(differentiable.Select(q => Written(q, q.ProductName, scalar, "out")));
        w.Open($"private {(m.IsStatic ? "static " : string.Empty)}void {ColumnSweep(m, p)}{m.TypeParameters}({string.Join(", ", parameters)}){m.Constraints}");
        foreach (string line in primal.Prologue)
        {
            w.Line(line);
        }

        BodyWriter.Write(w, body);
        w.Close();
    }

    public static void Jacobian(CodeWriter w, MethodModel m, string attribute)
    {
        string scalar = m.Scalar;
        var names = new HashSet<string>(m.ReservedNames);
        names.UnionWith(m.Params.Select(p => p.DerivativeName));
        names.UnionWith(m.Structs.Select(s => s.DerivativeName));
        names.UnionWith(m.StructArrays.Select(a => a.DerivativeName));
        string jacobian = Parsing.Names.Fresh("jacobian", names), columns = Parsing.Names.Fresh("columns", names), row = Parsing.Names.Fresh("row", names), k = Parsing.Names.Fresh("k", names);
        var differentiable = m.Params.Where(p => p.Differentiable).ToList();
        var outputs = m.Outputs.Where(o => o.Name != m.Result?.Output).ToList();
        w.Line();
        StructFolding folding = StructFolding.Fold(m, Primal(m).Append($"global::System.Span<{scalar}> {jacobian}").ToList(), Docs.Jacobian(m, Docs.Cref(m)).Select(d => d.Replace("\"jacobian\"", $"\"{jacobian}\"")).ToList());
        Write(w, folding.Docs, attribute);
        w.Open($"{Modifiers(m)}{m.Result?.TypeCode ?? "void"} {m.Name}Jacobian{m.TypeParameters}({string.Join(", ", folding.Parameters)}){m.Constraints}");
        var offsets = new Dictionary<ParamModel, string>();
        string count = "0";
        foreach (ParamModel p in differentiable)
        {
            offsets[p] = count;
            count = Plus(count, Length(m, p));
        }

        string rows = m.Result is { } result ? result.Fields.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : outputs.Aggregate("0", (sum, o) => Plus(sum, Length(m, o)));

        List<string> primalArguments = Arguments(StructFolding.Fold(m, Primal(m).ToList(), []).Parameters).ToList();
        w.Line($"int {columns} = {count};");
        w.Line($"global::SymDiff.Generated.Adjoint.RequireLength({jacobian}, ({rows}) * {columns}, nameof({jacobian}));");
        w.Line($"{jacobian}.Clear();");
        string value = Parsing.Names.Fresh("value", names);
        w.Line($"{(m.Result is null ? string.Empty : $"{m.Result.TypeCode} {value} = ")}{m.Name}({string.Join(", ", primalArguments)});");
        var seeds = outputs.Select(o => Parsing.Names.Fresh("seed" + Parsing.Names.Capitalized(o.Name), names)).ToList();
        for (int i = 0; i < outputs.Count; i++)
        {
            w.Line($"{scalar}[] {seeds[i]} = {Helpers}.Rent<{scalar}>({Length(m, outputs[i])});");
        }

        // One pullback: Backward into the row that starts at 'rowStart', with the result's seed
        // (a struct) or the output seeds' spans; a struct's adjoint goes through a local (declared
        // once in its scope: 'declared' is cleared by a loop body).
        var declared = new HashSet<string>();
        List<string> backward = StructFolding.Fold(m, MethodEmitter.BackwardParameters(m).ToList(), []).Parameters;
        void Pullback(string rowStart, string? resultSeed)
        {
            var after = new List<string>();
            var args = new List<string>();
            foreach (string parameter in backward)
            {
                string name = parameter.Substring(parameter.LastIndexOf(' ') + 1);
                StructArrayParam? array = m.StructArrays.FirstOrDefault(a => a.DerivativeName == name);
                int output = outputs.FindIndex(o => o.DerivativeName == name || (array is not null && o.Name == array.Fields));
                ParamModel? flat = differentiable.FirstOrDefault(p => p.DerivativeName == name);
                StructParam? s = m.Structs.FirstOrDefault(x => x.DerivativeName == name && differentiable.Any(p => p.Struct == x.Name));
                if (name == m.SeedName && resultSeed is not null)
                {
                    args.Add(resultSeed);
                }
                else if (output >= 0)
                {
                    string seed = $"global::System.MemoryExtensions.AsSpan({seeds[output]}, 0, {Length(m, outputs[output])})";
                    args.Add(array is null ? seed : $"global::System.Runtime.InteropServices.MemoryMarshal.Cast<{scalar}, {array.ElementTypeCode}>({seed})");
                }
                else if (s is not null)
                {
                    // The struct's adjoint is a local whose fields are copied into the row.
                    w.Line(declared.Add(s.DerivativeName) ? $"{s.TypeCode} {s.DerivativeName} = default;" : $"{s.DerivativeName} = default;");
                    args.Add($"ref {s.DerivativeName}");
                    after.AddRange(differentiable.Where(p => p.Struct == s.Name).Select(p => $"{jacobian}[{Plus(rowStart, offsets[p])}] = {Parsing.StructLayout.Access(s.DerivativeName, p.Member)};"));
                }
                else if (array is not null)
                {
                    ParamModel fields = differentiable.First(p => p.Name == array.Fields);
                    args.Add($"global::System.Runtime.InteropServices.MemoryMarshal.Cast<{scalar}, {array.ElementTypeCode}>({jacobian}.Slice({Plus(rowStart, offsets[fields])}, {Length(m, fields)}))");
                }
                else if (flat is not null)
                {
                    args.Add(flat.IsArray ? $"{jacobian}.Slice({Plus(rowStart, offsets[flat])}, {Length(m, flat)})" : $"ref {jacobian}[{Plus(rowStart, offsets[flat])}]");
                }
                else
                {
                    args.Add(name);
                }
            }

            w.Line($"{m.Name}Backward({string.Join(", ", args)});");
            foreach (string line in after)
            {
                w.Line(line);
            }
        }

        if (m.Result is { } structResult)
        {
            w.Line("// Row r of the Jacobian is the pullback of the result's field r.");
            for (int r = 0; r < structResult.Fields.Count; r++)
            {
                string unit = structResult.Build;
                for (int f = 0; f < structResult.Fields.Count; f++)
                {
                    unit = unit.Replace("{" + structResult.Fields[f] + "}", f == r ? One : Zero);
                }

                w.Line($"// {structResult.Fields[r]}");
                Pullback(Times(r.ToString(System.Globalization.CultureInfo.InvariantCulture), columns), unit);
            }
        }

        if (outputs.Count > 0)
        {
            w.Line("// Row r of the Jacobian is the pullback of output element r.");
        }

        string before = "0";
        for (int i = 0; i < outputs.Count; i++)
        {
            ParamModel o = outputs[i];
            w.Open($"for (int {k} = 0; {k} < {Length(m, o)}; {k}++)");
            w.Line($"{seeds[i]}[{k}] = {One};");
            w.Line($"int {row} = ({Plus(before, k)}) * {columns};");
            declared.Clear();
            Pullback(row, null);
            w.Line($"{seeds[i]}[{k}] = {Zero};");
            w.Close();
            before = Plus(before, Length(m, o));
        }

        foreach (string seed in seeds)
        {
            w.Line($"{Helpers}.Return({seed});");
        }

        if (m.Result is not null)
        {
            w.Line($"return {value};");
        }

        w.Close();
    }

    // Whether the generated signatures take structs where the flat model has their fields.
    private static bool Folds(MethodModel m) => m.Structs.Count > 0 || m.StructArrays.Count > 0 || m.Result is not null;

    // The arguments that pass a signature's parameters on: "out double dx" is "out dx".
    private static IEnumerable<string> Arguments(IEnumerable<string> parameters) => parameters.Select(p =>
    {
        string name = p.Substring(p.LastIndexOf(' ') + 1);
        return p.StartsWith("out ", StringComparison.Ordinal) ? "out " + name : p.StartsWith("ref ", StringComparison.Ordinal) ? "ref " + name : name;
    });

    private static IEnumerable<string> Names(IEnumerable<Code> code) => code.SelectMany(c => c switch
    {
        Loop l => Names(l.Body).Concat(Effects.Reads(c)),
        Branch b => Names(b.Then).Concat(Names(b.Else)).Concat(Effects.Reads(c)),
        Repeat r => Names(r.Body).Concat(Effects.Reads(c)),
        Raw r => Effects.Identifiers(r.Text),
        _ => Effects.Reads(c).Concat(Effects.Writes(c)),
    });

    // a + b, with the integer literals folded: "1 + 1" is "2", "x.Length + 1 + 1" is "x.Length + 2".
    private static string Plus(string a, string b)
    {
        int split = a.LastIndexOf(" + ", System.StringComparison.Ordinal);
        string head = split < 0 ? string.Empty : a.Substring(0, split);
        string last = split < 0 ? a : a.Substring(split + 3);
        if (int.TryParse(last, out int x) && int.TryParse(b, out int y))
        {
            string sum = (x + y).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return head.Length == 0 ? sum : x + y == 0 ? head : $"{head} + {sum}";
        }

        return a == "0" ? b : b == "0" ? a : $"{a} + {b}";
    }

    private static string Times(string a, string b) => a == "0" ? "0" : a == "1" ? b : $"({a}) * {b}";

    private static string Modifiers(MethodModel m) => $"{m.Accessibility} {(m.IsStatic ? "static " : string.Empty)}";

    private static IEnumerable<string> Primal(MethodModel m) => m.Params.Select(p => $"{p.TypeCode} {p.Name}");

    private static void Write(CodeWriter w, IEnumerable<string> docs, string attribute)
    {
        foreach (string doc in docs)
        {
            w.Line("/// " + doc);
        }

        w.Line(attribute);
    }
}
