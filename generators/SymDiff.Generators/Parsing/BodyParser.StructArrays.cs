using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Arrays and spans of structs. A parameter Point[] pts whose Point holds only floating fields is,
// inside the generated methods, one span of those fields, element after element: pts[i] is the
// struct whose k-th field is ptsFields[stride * i + k]. So pts[i].X, var p = pts[i], foreach
// (var p in pts) and pts[i].DistanceTo(q) are struct values like any other, and an [Output]
// Span<Point> is written field by field. pts.Length still counts the structs. A callee's parameter
// bound to a range of one (pts[1..], pts.AsSpan(i, n)) is a view of the caller's elements.
internal sealed partial class BodyParser
{
    // The arrays of structs, with their layout, the name of their span of fields and the elements
    // they are: all of a parameter, or a range of one (in elements) for a callee's parameter.
    private readonly Dictionary<ISymbol, (StructLayout Layout, string Fields, View Elements)> structArrays = new(SymbolEqualityComparer.Default);

    /// <summary>Registers an array or span of structs whose fields are the span <paramref name="fields"/> inside the generated methods.</summary>
    public void AddStructArray(IParameterSymbol parameter, StructLayout layout, string fields)
    {
        structArrays[parameter] = (layout, fields, View.Whole(Names.Escape(parameter.Name), isParameter: true));
        UsedNames.Add(fields);
        if (Signature.HasAttribute(parameter, Signature.OutputAttribute))
        {
            writableArrays.Add(fields);
        }
    }

    // An array of structs, or all of it as a span (pts.AsSpan()): the parameter; null otherwise.
    private IParameterSymbol? WholeStructArray(IOperation op) => StripImplicit(op) switch
    {
        IParameterReferenceOperation p when structArrays.ContainsKey(p.Parameter) => p.Parameter,
        IInvocationOperation { TargetMethod.Name: "AsSpan", Instance: null, Arguments.Length: 1 } asSpan => WholeStructArray(asSpan.Arguments[0].Value),
        _ => null,
    };

    // pts[1..], pts.AsSpan(i, n), span.Slice(i) of an array of structs.
    private bool IsStructArrayRange(IOperation op) => IsRange(op) && StructArrayRoot(op) is not null;

    // What a range cuts from: v in v[a..b], v.AsSpan(a, n), v.Slice(a); null for anything else.
    private static IOperation? RangeSource(IOperation op) => op switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1 } a => a.ArrayReference,
        IImplicitIndexerReferenceOperation s => s.Instance,
        IInvocationOperation { TargetMethod.Name: "AsSpan" or "Slice" } call => call.Instance ?? (call.Arguments.Length > 0 ? call.Arguments[0].Value : null),
        _ => null,
    };

    // The array of structs a range of one (perhaps a range of a range) cuts from.
    private IParameterSymbol? StructArrayRoot(IOperation op) => StripImplicit(op) switch
    {
        var whole when WholeStructArray(whole) is { } array => array,
        var range when IsRange(range) && RangeSource(range) is { } source => StructArrayRoot(source),
        _ => null,
    };

    // The elements of an array of structs a range cuts from: all of a parameter, or the range a callee's parameter is bound to.
    private View? StructArrayElements(IOperation op) =>
        WholeStructArray(op) is { } p && structArrays.TryGetValue(p, out var array) ? array.Elements : null;

    // pts[i], pts[^1] (arrays and spans): the array of structs and the index; null for anything else.
    private (IParameterSymbol Array, IOperation Index)? StructElement(IOperation op) => op switch
    {
        IArrayElementReferenceOperation { Indices.Length: 1, ArrayReference: IParameterReferenceOperation p } a when structArrays.ContainsKey(p.Parameter) => (p.Parameter, a.Indices[0]),
        IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: IParameterReferenceOperation p } s when structArrays.ContainsKey(p.Parameter) => (p.Parameter, s.Arguments[0].Value),
        IImplicitIndexerReferenceOperation { Instance: IParameterReferenceOperation p } s when structArrays.ContainsKey(p.Parameter) => (p.Parameter, s.Argument),
        _ => null,
    };

    /// <summary>The fields of <c>pts[index]</c>: <c>ptsFields[stride * index + k]</c> for its k-th field; null (reported) for an index SymDiff can't read.</summary>
    private List<(string Path, Expr Value)>? StructElementValue(IParameterSymbol array, IOperation index)
    {
        (StructLayout layout, string fields, View elements) = structArrays[array];
        if (IndexInto(elements, index) is not Opaque i)
        {
            return null;
        }

        return ElementFields(layout, fields, i);
    }

    // The fields of the element at 'index' of the span of fields 'fields': fields[stride * index + k] for the k-th.
    private static List<(string Path, Expr Value)> ElementFields(StructLayout layout, string fields, Opaque index) =>
        layout.Leaves.Select((leaf, k) => (leaf.Path, (Expr)new Elem(fields, FieldIndex(layout.Leaves.Count, index, k), IsParameter: true))).ToList();

    // stride * i + k, folded: i for one field, 2 * i + 1, 6 for a literal i = 3, k = 0.
    private static Opaque FieldIndex(int stride, Opaque i, int k)
    {
        string code = int.TryParse(i.Code, out int literal) ? (stride * literal + k).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Plus(stride == 1 ? i.Code : $"{stride} * {Wrap(i.Code, i.Atomic)}", k.ToString(System.Globalization.CultureInfo.InvariantCulture), atomic: true);
        return new Opaque(code, Ty.Int, Atomic: !code.Contains(' '));
    }

    // outs[i] = new Point(a, b); outs[i].X = a; outs[i].X += a: stores into an [Output] array of structs, field by field.
    private bool ParseStructElementAssignment(IOperation target, AssignOp op, IOperation? valueOperation, IOperation statement, List<Stmt> output)
    {
        (IOperation t, string prefix) = TargetPath(target, step => StructElement(step) is not null);
        if (StructElement(t) is not (IParameterSymbol array, IOperation index))
        {
            return false;
        }

        (StructLayout layout, string fields, _) = structArrays[array];
        if (!writableArrays.Contains(fields))
        {
            Report(Diagnostics.Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target) + " (an input; mark the parameter [Output] to make it a result)");
            return true;
        }

        if (StructElementValue(array, index) is not { } elements)
        {
            return true;
        }

        int line = LineOf(statement);
        string source = SourceOf(statement);
        int leaf = layout.Leaves.FindIndex(l => l.Path == prefix);
        if (leaf >= 0)
        {
            // One field: outs[i].X op= value.
            Expr? value = valueOperation is null ? Num.One : Expression(valueOperation);
            if (value is not null)
            {
                output.Add(new Store(fields, ((Elem)elements[leaf].Value).Index, op, value, line, source));
            }

            return true;
        }

        if (op != AssignOp.Set || valueOperation is null)
        {
            Report(Diagnostics.Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target) + " (a compound assignment of a whole struct; assign its fields one by one)");
            return true;
        }

        // The whole struct, or a struct field of it: every field under the prefix. Values are read
        // before any is stored, as the struct's value is computed before it is copied.
        string start = prefix.Length == 0 ? string.Empty : prefix + ".";
        if (StructValue(valueOperation) is not { } whole)
        {
            return true;
        }

        var stores = new List<Stmt>();
        foreach ((string path, Expr value) in whole)
        {
            int k = layout.Leaves.FindIndex(l => l.Path == start + path);
            Expr stored = value;
            if (ReadsArray(value, fields))
            {
                string temp = FreshLocal(FieldName("value", path));
                output.Add(new Decl(temp, Ty.Double, value, line, source));
                stored = new Var(temp, Ty.Double);
            }

            stores.Add(new Store(fields, ((Elem)elements[k].Value).Index, AssignOp.Set, stored, line, source));
        }

        output.AddRange(stores);
        return true;
    }

    private static bool ReadsArray(Expr e, string array) => e switch
    {
        Elem el => el.Array == array || ReadsArray(el.Index, array),
        Binary b => ReadsArray(b.Left, array) || ReadsArray(b.Right, array),
        Neg n => ReadsArray(n.Operand, array),
        Cond c => ReadsArray(c.Test, array) || ReadsArray(c.WhenTrue, array) || ReadsArray(c.WhenFalse, array),
        Fn f => f.Args.Any(a => ReadsArray(a, array)),
        Call c => c.Args.Any(a => ReadsArray(a, array)),
        Not n => ReadsArray(n.Operand, array),
        _ => false,
    };

    // foreach (Point p in pts) body  →  for (int i = 0; i < pts.Length; i++) { p = pts[i] field by field; body }
    private bool ParseStructForEach(IForEachLoopOperation loop, IOperation collection, List<Stmt> output)
    {
        if (collection is not IParameterReferenceOperation { Parameter: var array } || !structArrays.ContainsKey(array)
            || loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element })
        {
            return false;
        }

        var syntax = (Microsoft.CodeAnalysis.CSharp.Syntax.ForEachStatementSyntax)loop.Syntax;
        string counter = FreshCounter("i");
        int line = LineOf(loop);
        string source = $"foreach ({syntax.Type} {syntax.Identifier.Text} in {Collapse(syntax.Expression.ToString())})";
        var body = new List<Stmt>();
        (StructLayout layout, string fields, View elements) = structArrays[array];
        string at = elements.At(counter, atomic: true);
        DeclareStructLocal(element, layout, ElementFields(layout, fields, new Opaque(at, Ty.Int, at == counter)), line, source, body);
        body.AddRange(LoopBody(loop.Body));
        output.Add(new For(counter, $"int {counter} = 0", $"{counter} < {elements.Length}", $"{counter}++", body.ToEquatableArray(), line, source));
        return true;
    }
}
