using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Emit;

/// <summary>
/// Gives a generated method its struct parameters back. Inside the method each floating field of
/// a struct parameter is a scalar (<c>pW</c> for <c>p.W</c>); its signature takes the struct, and
/// the adjoint or tangent as the same struct type (<c>out Params dp</c>), so the method reads the
/// fields into their scalars first and builds the adjoint struct from its scalars before it returns.
/// </summary>
internal sealed class StructFolding
{
    private static readonly Regex ParamDoc = new("^<param name=\"(?<name>[^\"]+)\">");

    private StructFolding(List<string> parameters, List<string> prologue, List<string> epilogue, List<string> docs)
    {
        Parameters = parameters;
        Prologue = prologue;
        Epilogue = epilogue;
        Docs = docs;
    }

    /// <summary>The last statement of a method that returns its struct result's tangent; null otherwise.</summary>
    public string? Final { get; private set; }

    /// <summary>The signature's parameters, each struct once.</summary>
    public List<string> Parameters { get; }

    /// <summary>Statements that read the struct fields into their scalars.</summary>
    public List<string> Prologue { get; }

    /// <summary>Statements that build the adjoint structs, before every return (and at the end of a void method).</summary>
    public List<string> Epilogue { get; }

    /// <summary>The documentation, with one <c>param</c> line per struct.</summary>
    public List<string> Docs { get; }

    /// <summary>
    /// Folds <paramref name="flat"/> parameters (<c>"out double dpW"</c>) and their documentation;
    /// a method without struct parameters keeps both as they are.
    /// </summary>
    public static StructFolding Fold(MethodModel m, IReadOnlyList<string> flat, IReadOnlyList<string> docs)
    {
        if (m.Structs.Count == 0 && m.Result is null && m.StructArrays.Count == 0)
        {
            return new StructFolding(flat.ToList(), new List<string>(), new List<string>(), docs.ToList());
        }

        var byName = new Dictionary<string, (ParamModel Field, Role Role)>();
        foreach (ParamModel p in m.Params.Where(p => p.Struct is not null))
        {
            byName[p.Name] = (p, Role.Primal);
            if (p.Differentiable)
            {
                byName[p.DerivativeName] = (p, Role.Adjoint);
                if (p.TangentName.Length > 0)
                {
                    byName[p.TangentName] = (p, Role.Tangent);
                    byName[p.ProductName] = (p, Role.Product);
                }
            }
        }

        var parameters = new List<string>();
        var prologue = new List<string>();
        var epilogue = new List<string>();
        var folded = new Dictionary<string, string>();
        string? final = null;
        foreach (string parameter in flat)
        {
            int space = parameter.LastIndexOf(' ');
            string name = parameter.Substring(space + 1);
            if (m.Result is { } result && (name == result.Output || name == result.Adjoint))
            {
                // The struct result's spans are locals; Backward takes its adjoint as the struct,
                // Derivative returns its tangent as the struct.
                string span = $"{(parameter.Contains("ReadOnlySpan") ? "global::System.ReadOnlySpan" : "global::System.Span")}<{m.Scalar}> {name}";
                if (name == result.Adjoint && parameter.Contains("ReadOnlySpan"))
                {
                    parameters.Add($"{result.TypeCode} {m.SeedName}");
                    prologue.Add($"{span} = stackalloc {m.Scalar}[] {{ {string.Join(", ", result.Fields.Select(f => Parsing.StructLayout.Access(m.SeedName, f)))} }};");
                }
                else
                {
                    prologue.Add($"{span} = stackalloc {m.Scalar}[{result.Fields.Count}];");
                }

                if (name == result.Adjoint && !parameter.Contains("ReadOnlySpan"))
                {
                    string build = result.Build;
                    for (int k = 0; k < result.Fields.Count; k++)
                    {
                        build = build.Replace("{" + result.Fields[k] + "}", $"{name}[{k}]");
                    }

                    final = $"return {build};";
                }

                continue;
            }

            if (StructArrayOf(m, name) is ({ } array, Role arrayRole))
            {
                // A span of the structs' fields inside, the array or span of structs outside.
                string flatType = parameter.Substring(0, space);
                string span = flatType.Contains("ReadOnlySpan") ? "global::System.ReadOnlySpan" : "global::System.Span";
                bool isPrimal = arrayRole == Role.Primal;
                string outer = NameOf(array, arrayRole);
                parameters.Add(isPrimal ? $"{array.TypeCode} {outer}" : $"{span}<{array.ElementTypeCode}> {outer}");
                string source = isPrimal && array.IsArray ? $"global::System.MemoryExtensions.AsSpan({outer})" : outer;
                if (isPrimal)
                {
                    int stride = array.Paths.Count;
                    string Field(int k) => stride == 1 ? "i" : k == 0 ? $"{stride} * i" : $"{stride} * i + {k}";
                    prologue.Add($"// {outer} as one span of its fields, element after element: {string.Join(", ", array.Paths.Select((path, k) => $"{Parsing.StructLayout.Access(outer + "[i]", path)} is {name}[{Field(k)}]"))}");
                }


                prologue.Add($"{flatType} {name} = global::System.Runtime.InteropServices.MemoryMarshal.Cast<{array.ElementTypeCode}, {m.Scalar}>({source});");
                continue;
            }

            if (!byName.TryGetValue(name, out var field))
            {
                parameters.Add(parameter);
                continue;
            }

            StructParam s = m.Structs.First(x => x.Name == field.Field.Struct);
            string key = s.Name + "/" + field.Role;
            if (folded.ContainsKey(key))
            {
                continue;
            }

            string modifier = parameter.StartsWith("out ", System.StringComparison.Ordinal) ? "out " : parameter.StartsWith("ref ", System.StringComparison.Ordinal) ? "ref " : string.Empty;
            string structName = NameOf(s, field.Role);
            folded[key] = modifier;
            parameters.Add($"{modifier}{s.TypeCode} {structName}");
            var fields = m.Params.Where(p => p.Struct == s.Name).ToList();
            foreach (ParamModel f in fields)
            {
                string scalar = NameOf(f, field.Role);
                prologue.Add(modifier == "out " ? $"{m.Scalar} {scalar};" : $"{m.Scalar} {scalar} = {Parsing.StructLayout.Access(structName, f.Member)};");
            }

            if (modifier.Length > 0)
            {
                string build = s.Build;
                foreach (ParamModel f in fields)
                {
                    build = build.Replace("{" + f.Member + "}", NameOf(f, field.Role));
                }

                epilogue.Add($"{structName} = {build};");
            }
        }

        return new StructFolding(parameters, prologue, epilogue, FoldDocs(m, docs, byName, folded)) { Final = final };
    }

    // What a flat parameter is to the struct (or array of structs) it comes from.
    private enum Role
    {
        Primal,
        Adjoint,
        Tangent,
        Product,
    }

    private static string NameOf(ParamModel p, Role role) =>
        role switch { Role.Primal => p.Name, Role.Adjoint => p.DerivativeName, Role.Tangent => p.TangentName, _ => p.ProductName };

    private static string NameOf(StructParam s, Role role) =>
        role switch { Role.Primal => s.Name, Role.Adjoint => s.DerivativeName, Role.Tangent => s.TangentName, _ => s.ProductName };

    private static string NameOf(StructArrayParam a, Role role) =>
        role switch { Role.Primal => a.Name, Role.Adjoint => a.DerivativeName, Role.Tangent => a.TangentName, _ => a.ProductName };

    // The array of structs whose span of fields (or its adjoint, tangent or product) is the flat parameter 'name'.
    private static (StructArrayParam? Array, Role Role) StructArrayOf(MethodModel m, string name)
    {
        foreach (StructArrayParam array in m.StructArrays)
        {
            if (array.Fields == name)
            {
                return (array, Role.Primal);
            }

            if (m.Params.FirstOrDefault(p => p.Name == array.Fields) is { } flat)
            {
                foreach (Role role in new[] { Role.Adjoint, Role.Tangent, Role.Product })
                {
                    if (NameOf(flat, role) == name && name.Length > 0)
                    {
                        return (array, role);
                    }
                }
            }
        }

        return (null, Role.Primal);
    }

    private static List<string> FoldDocs(MethodModel m, IReadOnlyList<string> docs, Dictionary<string, (ParamModel Field, Role Role)> byName, Dictionary<string, string> folded)
    {
        var result = new List<string>();
        var written = new HashSet<string>();
        foreach (string line in docs)
        {
            Match match = ParamDoc.Match(line);
            if (match.Success && StructArrayOf(m, match.Groups["name"].Value) is ({ } array, _))
            {
                // The span of fields is documented as the array of structs it reads.
                ParamModel flat = m.Params.First(p => p.Name == array.Fields);
                string renamed = line;
                foreach (Role role in new[] { Role.Adjoint, Role.Tangent, Role.Product, Role.Primal })
                {
                    if (NameOf(flat, role).Length > 0)
                    {
                        renamed = Regex.Replace(renamed, $@"\b{Regex.Escape(NameOf(flat, role))}\b", NameOf(array, role));
                    }
                }

                result.Add(renamed);
                continue;
            }

            if (m.Result is { } structResult && match.Success && (match.Groups["name"].Value == structResult.Output || match.Groups["name"].Value == structResult.Adjoint))
            {
                // Backward's seed is the result's adjoint; Derivative's tangent is its return value.
                result.Add(line.Contains("The adjoint of the output")
                    ? $"<param name=\"{m.SeedName}\">The adjoint of the result, field by field: how much the final objective changes per unit of each of {m.Name}'s fields {string.Join(", ", structResult.Fields)}.</param>"
                    : line.Contains("Overwritten with the tangent") ? $"<returns>The tangent of the result along the tangents, field by field ({string.Join(", ", structResult.Fields)}); other fields are left at their defaults.</returns>" : string.Empty);
                result.RemoveAll(l => l.Length == 0);
                continue;
            }

            if (!match.Success || !byName.TryGetValue(match.Groups["name"].Value, out var field))
            {
                result.Add(line);
                continue;
            }

            StructParam s = m.Structs.First(x => x.Name == field.Field.Struct);
            string key = s.Name + "/" + field.Role;
            if (!written.Add(key))
            {
                continue;
            }

            string plain = Parsing.Names.Plain(s.Name);
            string fields = string.Join(", ", m.Params.Where(p => p.Struct == s.Name).Select(p => p.Member));
            string first = m.Params.First(p => p.Struct == s.Name).Member;
            folded.TryGetValue(key, out string? modifier);
            string text = field.Role switch
            {
                Role.Primal => $"{(m.Params.Any(p => p.Struct == s.Name && p.Differentiable) ? "Argument" : "Constant argument")} of {m.Name}; its fields {fields} are differentiated as scalars.",
                Role.Tangent => $"The direction t's part for {plain}, field by field.",
                Role.Product => $"Receives the {plain} part of H·t, field by field; other fields are left at their defaults.",
                _ => modifier == "out "
                    ? $"Receives ∂{m.Name}/∂{plain} field by field ({Parsing.StructLayout.Access(s.DerivativeName, first)} = ∂{m.Name}/∂{Parsing.StructLayout.Access(plain, first)}, …); other fields are left at their defaults."
                    : modifier == "ref "
                        ? $"Accumulates {m.SeedName} · ∂{m.Name}/∂{plain} field by field ({Parsing.StructLayout.Access(s.DerivativeName, first)} += {m.SeedName} · ∂{m.Name}/∂{Parsing.StructLayout.Access(plain, first)}, …); other fields are left at their defaults."
                        : $"The tangent of {plain}, field by field.",
            };
            result.Add($"<param name=\"{(field.Role == Role.Primal ? plain : NameOf(s, field.Role))}\">{text}</param>");
        }

        return result;
    }

    /// <summary>The method's parameter types as a <c>cref</c> lists them, each struct once.</summary>
    public static IEnumerable<string> PrimalTypes(MethodModel m)
    {
        var seen = new HashSet<string>();
        foreach (ParamModel p in m.Params.Where(p => p.Name != m.Result?.Output))
        {
            if (m.StructArrayOf(p) is { } array)
            {
                yield return array.TypeCode;
            }
            else if (p.Struct is null)
            {
                yield return p.TypeCode;
            }
            else if (seen.Add(p.Struct))
            {
                yield return m.Structs.First(s => s.Name == p.Struct).TypeCode;
            }
        }
    }
}
