using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Ranges as reads: v[a..b], v.AsSpan(a, n), s.Slice(a, n) stand for the elements [Start, End) of
// the array they cut from, by index arithmetic. Nothing is copied: tail[i] reads v[Start + i],
// tail[^k] reads v[End - k], tail.Length is End - Start, and foreach over a range counts from
// Start to End. A range local is never written, and its bounds (and, for an array's copy, the
// array) must not change while it is in scope, so reading through it equals reading the copy.
internal sealed partial class BodyParser
{
    /// <summary>The elements [Start, End) of the array or span <see cref="Base"/>, as code.</summary>
    private sealed record View(string Base, bool IsParameter, string Start, string End)
    {
        public string Length => Minus(End, Start, atomic: false);

        public string At(string index, bool atomic) => Plus(Start, index, atomic);

        public string FromEnd(string k, bool atomic) => Minus(End, k, atomic);

        /// <summary>All of an array or span: what a callee's array parameter stands for when passed one as it is.</summary>
        public bool IsWhole => Start == "0" && End == Base + ".Length";

        public static View Whole(string code, bool isParameter) => new(code, isParameter, "0", code + ".Length");
    }

    // a + b and a - b on integer code, literals folded: v[1 + 2] is written v[3], v[0 + i] is v[i].
    private static string Plus(string a, string b, bool atomic) =>
        int.TryParse(a, out int x) && int.TryParse(b, out int y) ? (x + y).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : a == "0" ? b : b == "0" ? a : $"{a} + {(atomic ? b : "(" + b + ")")}";

    private static string Minus(string a, string b, bool atomic) =>
        int.TryParse(a, out int x) && int.TryParse(b, out int y) ? (x - y).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : b == "0" ? a : $"{a} - {(atomic || int.TryParse(b, out _) ? b : "(" + b + ")")}";

    // Range locals by their generated name.
    private readonly Dictionary<string, View> views = new();

    /// <summary>Whether <paramref name="op"/> cuts a range: v[a..b], v.AsSpan(…), s.Slice(…), or a range local.</summary>
    private bool IsRange(IOperation op) => StripImplicit(op) switch
    {
        var read when Bound(read, f => f.Arrays) is { } bound => !bound.IsWhole,
        ILocalReferenceOperation l => localNames.TryGetValue(l.Local, out string? name) && views.ContainsKey(name),
        IArrayElementReferenceOperation { Indices.Length: 1 } a => a.Indices[0].Type?.Name == "Range",
        IImplicitIndexerReferenceOperation { Argument.Type.Name: "Range" } => true,
        IInvocationOperation { TargetMethod.Name: "AsSpan", Instance: null, Arguments.Length: > 1 } asSpan => asSpan.Arguments[0].Value.Type is IArrayTypeSymbol,
        IInvocationOperation { TargetMethod.Name: "Slice", Instance.Type.Name: "Span" or "ReadOnlySpan" } => true,
        _ => false,
    };

    /// <summary>
    /// The range <paramref name="op"/> reads, or null (with a diagnostic at <paramref name="op"/>
    /// when it is a range SymDiff can't read in place).
    /// </summary>
    private View? RangeOf(IOperation op)
    {
        op = StripImplicit(op);
        if (Bound(op, f => f.Arrays) is { } bound)
        {
            return bound;
        }

        if (op is ILocalReferenceOperation l)
        {
            return views.TryGetValue(Local(l.Local), out View? known) ? known : null;
        }

        (IOperation? source, IOperation? from, IOperation? to, IOperation? length) = default((IOperation?, IOperation?, IOperation?, IOperation?));
        switch (op)
        {
            case IArrayElementReferenceOperation { Indices.Length: 1 } a when a.Indices[0] is IRangeOperation r:
                (source, from, to) = (a.ArrayReference, r.LeftOperand, r.RightOperand);
                break;
            case IImplicitIndexerReferenceOperation { Argument: IRangeOperation r } s:
                (source, from, to) = (s.Instance, r.LeftOperand, r.RightOperand);
                break;
            case IInvocationOperation { TargetMethod.Name: "AsSpan" or "Slice" } call:
                // v.AsSpan(range), v.AsSpan(start), v.AsSpan(start, length), s.Slice(start), s.Slice(start, length)
                var arguments = call.Arguments.Select(a => a.Value).ToList();
                if (call.Instance is { } instance)
                {
                    arguments.Insert(0, instance);
                }

                source = arguments[0];
                if (arguments.Count == 2 && arguments[1] is IRangeOperation r2)
                {
                    (from, to) = (r2.LeftOperand, r2.RightOperand);
                }
                else if (arguments.Count >= 2 && Signature.IsInteger(arguments[1].Type))
                {
                    from = arguments[1];
                    length = arguments.Count == 3 ? arguments[2] : null;
                }
                else
                {
                    source = null;
                }

                break;
        }

        if (source is null)
        {
            Report(Descriptors.UnsupportedExpression, op.Syntax, $"The range '{Collapse(op.Syntax.ToString())}'", "cut ranges with 'v[a..b]', 'v.AsSpan(start, length)' or 'span.Slice(start, length)', with integer or '^k' bounds");
            return null;
        }

        // The array or span it cuts from: a parameter, local array or field, an array of structs, or another range.
        View? outer = IsRange(source) ? RangeOf(source) : StructArrayElements(source) ?? (ArrayOf(source) is (string code, bool isParameter) ? View.Whole(code, isParameter) : null);
        if (outer is null)
        {
            if (!IsRange(source))
            {
                Report(Descriptors.UnsupportedExpression, op.Syntax, $"The range '{Collapse(op.Syntax.ToString())}'", "cut ranges of an array or span parameter, a local array or a field");
            }

            return null;
        }

        string? start = from is null ? outer.Start : RangeBound(from, outer);
        string? end = length is not null ? (start is null || IntCode(length, out bool countAtomic) is not { } count ? null : Plus(start, count, countAtomic))
            : to is null ? outer.End : RangeBound(to, outer);
        return start is null || end is null ? null : new View(outer.Base, outer.IsParameter, start, end);
    }

    // A bound of a range inside outer: an integer counts from outer's start, ^k back from its end.
    private string? RangeBound(IOperation bound, View outer)
    {
        bound = StripImplicit(bound);
        if (bound is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
        {
            return IntCode(StripImplicit(fromEnd.Operand), out bool atomic) is { } k ? outer.FromEnd(k, atomic) : null;
        }

        if (!Signature.IsInteger(bound.Type))
        {
            Report(Descriptors.UnsupportedExpression, bound.Syntax, $"The range bound '{Collapse(bound.Syntax.ToString())}'", "write range bounds in place as integers or '^k'");
            return null;
        }

        return IntCode(bound, out bool boundAtomic) is { } code ? outer.At(code, boundAtomic) : null;
    }

    // ReadOnlySpan<double> tail = v[1..];  or  var tail = v.AsSpan(1, n): a name for the range, nothing emitted.
    private bool ParseRangeLocal(ILocalSymbol local, IOperation initializer, IOperation statement, SyntaxNode at)
    {
        if (!IsRange(initializer))
        {
            return false;
        }

        IOperation range = StripImplicit(initializer);
        IOperation scope = statement.Parent ?? statement;
        if (Changing(range, scope, statement) is { } changed)
        {
            Report(Descriptors.UnsupportedStatement, at, $"The range local '{local.Name}' over '{Collapse(range.Syntax.ToString())}', whose {changed} changes while '{local.Name}' is in scope",
                "read the range in place where it is used, or keep its bounds and array unchanged while the local is in scope");
        }

        if (RangeOf(range) is { } view)
        {
            views[Local(local)] = view;
        }

        return true;
    }

    /// <summary>
    /// What of a range changes in <paramref name="scope"/> besides its own declaration: a local or
    /// parameter its bounds read, or the local array it copies; null when nothing does.
    /// </summary>
    private string? Changing(IOperation range, IOperation scope, IOperation declaration)
    {
        var read = new HashSet<ISymbol>(range.DescendantsAndSelf().Select(Referenced).OfType<ISymbol>().Where(s => s is ILocalSymbol or IParameterSymbol), SymbolEqualityComparer.Default);
        bool copies = range.Type is IArrayTypeSymbol;
        foreach (IOperation op in scope.Descendants())
        {
            // Writes before the declaration (earlier in the same block, or in the same loop iteration) don't matter.
            if (op.Syntax.SpanStart < declaration.Syntax.Span.End)
            {
                continue;
            }

            IOperation? target = op switch
            {
                IAssignmentOperation a => a.Target,
                IIncrementOrDecrementOperation i => i.Target,
                _ => null,
            };
            if (target is null)
            {
                continue;
            }

            foreach (IOperation written in target.DescendantsAndSelf())
            {
                if (Referenced(written) is { } symbol && read.Contains(symbol))
                {
                    bool element = written.Parent is IArrayElementReferenceOperation or IImplicitIndexerReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true };
                    if (!element)
                    {
                        return $"bound '{symbol.Name}'";
                    }

                    if (copies)
                    {
                        return $"array '{symbol.Name}'";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The index into the array a range cuts (all of it, for a plain array or span) that
    /// <c>range[index]</c> reads: Start + i, or End - k for ^k.
    /// </summary>
    private Opaque? IndexInto(View view, IOperation index)
    {
        index = StripImplicit(index);
        if (index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd)
        {
            return Index(fromEnd.Operand) is Opaque k ? new Opaque(view.FromEnd(k.Code, k.Atomic), Ty.Int, false) : null;
        }

        if (index.Type?.Name is "Index" or "Range")
        {
            Report(Descriptors.UnsupportedExpression, index.Syntax, $"The index '{Short(index)}'", "index with an integer or '^k' written in place");
            return null;
        }

        if (Index(index) is not Opaque i)
        {
            return null;
        }

        string at = view.At(i.Code, i.Atomic);
        return at == i.Code ? i : new Opaque(at, Ty.Int, Atomic: int.TryParse(at, out _));
    }
}
