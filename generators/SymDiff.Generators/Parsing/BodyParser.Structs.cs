using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Struct values. A struct parameter or local is its fields: each floating-point field is a scalar
// of the generated code (pW for p.W), each constant field an integer, bool or string value. So
// p.W reads a scalar, 'new P { W = a }', 'p with { W = a }' and copies are one value per field,
// and everything after parsing sees scalars only.
internal sealed partial class BodyParser
{
    // The struct parameters and locals, with the generated name of each field (by path).
    private readonly Dictionary<ISymbol, (StructLayout Layout, Dictionary<string, string> Names)> structs = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ITypeSymbol, (StructLayout? Layout, string Why)> layouts = new(SymbolEqualityComparer.Default);

    /// <summary>The compilation the method is bound in, for the accessibility of struct fields.</summary>
    public Compilation? Compilation { get; set; }

    /// <summary>Registers a struct parameter whose floating fields are the scalars <paramref name="fields"/> (path → name).</summary>
    public void AddStructParameter(IParameterSymbol parameter, StructLayout layout, Dictionary<string, string> fields)
    {
        structs[parameter] = (layout, fields);
        UsedNames.UnionWith(fields.Values);
    }

    // The layout of a struct type; when SymDiff cannot read it, reported for the local
    // 'localName' (SD0009) or for the expression at 'at' (SD0008).
    private StructLayout? Layout(ITypeSymbol type, SyntaxNode at, string? localName = null)
    {
        if (!layouts.TryGetValue(type, out var known))
        {
            string why = "no compilation";
            known = (Compilation is null ? null : StructLayout.Of(type, scalar, method.ContainingType, Compilation, out why), why);
            layouts[type] = known;
        }

        (StructLayout? layout, string reason) = known;

        if (layout is null && localName is not null)
        {
            Report(Descriptors.UnsupportedLocalType, at, localName, $"{type.ToDisplayString()} ({reason})");
        }
        else if (layout is null)
        {
            Report(Descriptors.UnsupportedExpression, at, $"The struct value '{Collapse(at.ToString())}' of type '{type.Name}'", $"SymDiff reads a struct as its fields, but {reason}");
        }

        return layout;
    }

    // p.W, q.Inner.X, p.Count: a field or property read of a struct value.
    private bool IsStructMember(IOperation op) => StructMember(op) is not null;

    // The struct value and the member name of a field or property read of one (an auto-property's backing field by its property's name).
    private (IOperation Instance, string Name)? StructMember(IOperation op) => op switch
    {
        IFieldReferenceOperation { Instance: { } i } f when IsStructValue(i) => (i, StructLayout.MemberPath(f.Field)),
        IPropertyReferenceOperation { Instance: { } i, Property.Parameters.Length: 0 } p when IsStructValue(i) => (i, p.Property.Name),
        _ => null,
    };

    // A write target inside a struct value: the value it is in (where 'isRoot' stops the walk, or
    // where no step of a struct's path is left) and the path to it from there (Inner.X, Pos.[2]).
    private (IOperation Root, string Prefix) TargetPath(IOperation target, System.Func<IOperation, bool> isRoot)
    {
        string prefix = string.Empty;
        IOperation t = target;
        while (!isRoot(t) && TargetStep(t) is (IOperation instance, string name))
        {
            prefix = name + (prefix.Length == 0 ? string.Empty : "." + prefix);
            t = instance;
        }

        return (t, prefix);
    }

    // One step of a write target's path inside a struct: a member (p.W), or an element of a
    // fixed-size buffer at a constant index (p.Pos[2], whose path is Pos.[2]).
    private (IOperation Instance, string Name)? TargetStep(IOperation t) =>
        StructMember(t) ?? (t is IInlineArrayAccessOperation access && ConstantBufferIndex(access) is int k ? (access.Instance, $"[{k}]") : null);

    // The index of b[k] or b[^k] when it is a constant inside the buffer; null otherwise.
    private static int? ConstantBufferIndex(IInlineArrayAccessOperation access)
    {
        int length = StructLayout.InlineArrayLength(access.Instance.Type) ?? 0;
        IOperation index = StripImplicit(access.Argument);
        int? k = index is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat, Operand.ConstantValue: { HasValue: true, Value: int fromEnd } } ? length - fromEnd
            : index.ConstantValue is { HasValue: true, Value: int at } ? at : null;
        return k is >= 0 && k < length ? k : null;
    }

    // b[i] of a fixed-size buffer: the element at a constant index, or for an index known only at run
    // time the choice i == 0 ? b[0] : i == 1 ? b[1] : … (each branch differentiated as it is taken).
    private Expr? BufferElement(IInlineArrayAccessOperation access) =>
        StructValue(access.Instance) is { } whole
            ? ChooseElement(access, whole.Count, k => whole[k].Value, (test, yes, no) => new Cond(test, yes, no))
            : null;

    // b[i] of a buffer of structs: the element's fields, each chosen by the index as BufferElement does.
    private List<(string Path, Expr Value)>? BufferStruct(IInlineArrayAccessOperation access)
    {
        if (StructValue(access.Instance) is not { } whole)
        {
            return null;
        }

        // An element without fields of its own (an empty struct) has none to choose.
        List<(string Path, Expr Value)> Element(int k) => Member(whole, $"[{k.ToString(System.Globalization.CultureInfo.InvariantCulture)}]") ?? new List<(string Path, Expr Value)>();
        return ChooseElement(access, StructLayout.InlineArrayLength(access.Instance.Type) ?? 0, Element, (test, yes, no) =>
            no.Select((leaf, n) => (leaf.Path, leaf.Value.Type == Ty.Double ? (Expr)new Cond(test, yes[n].Value, leaf.Value) : leaf.Value)).ToList());
    }

    // Element k of a buffer of 'length' elements for b[k] at a constant index; for a run-time index i,
    // the elements chosen by i == 0, i == 1, … (the last one otherwise); null, reported, for any other index.
    private T? ChooseElement<T>(IInlineArrayAccessOperation access, int length, System.Func<int, T> element, System.Func<Opaque, T, T, T> choose)
        where T : class
    {
        if (ConstantBufferIndex(access) is int at)
        {
            return element(at);
        }

        IOperation index = StripImplicit(access.Argument);
        if (length == 0 || !Signature.IsInteger(index.Type) || Index(index) is not Opaque i)
        {
            Report(Descriptors.UnsupportedExpression, access.Syntax, $"The buffer element '{Collapse(access.Syntax.ToString())}'", "index a fixed-size buffer with an integer");
            return null;
        }

        T chosen = element(length - 1);
        for (int j = length - 2; j >= 0; j--)
        {
            chosen = choose(new Opaque($"{Wrap(i.Code, i.Atomic)} == {j.ToString(System.Globalization.CultureInfo.InvariantCulture)}", Ty.Bool, false), element(j), chosen);
        }

        return chosen;
    }

    // True for an operation whose value is a struct SymDiff reads as its fields ('this' only in a struct method read in place).
    private bool IsStructValue(IOperation? op) => op is not null && (op is not IInstanceReferenceOperation || InlinedThis is not null) && StructLayout.IsCandidate(op.Type);

    /// <summary>The value of a struct-typed expression, field by field in layout order, or null (reported).</summary>
    private List<(string Path, Expr Value)>? StructValue(IOperation op)
    {
        // An identity conversion, or the one of a target-typed 'new(a, b)'.
        IOperation inner = op is IConversionOperation { IsImplicit: true } c && (c.Conversion.IsIdentity || c.Operand is IObjectCreationOperation) ? c.Operand : op;
        if (op is IConversionOperation { IsImplicit: true, Operand: ITupleOperation literal } && StructLayout.IsTuple(op.Type))
        {
            // (1, x) as a (double, double): the literal's elements, converted to the target's.
            return TupleValue(literal, op.Type!);
        }

        if (IsVector(inner.Type) && VectorValue(inner, out bool vectorHandled) is var vector && vectorHandled)
        {
            return vector;
        }

        if (IsNumerics(inner.Type) && !IsVector(inner.Type) && RotationValue(inner, out bool rotationHandled) is var rotation && rotationHandled)
        {
            return rotation;
        }

        switch (inner)
        {
            case var element when StructElement(element) is (IParameterSymbol array, IOperation index):
                return StructElementValue(array, index);
            case IInlineArrayAccessOperation buffer:
                return BufferStruct(buffer);
            case IParameterReferenceOperation or ILocalReferenceOperation when BoundStruct(inner) is { } bound:
                return bound;
            case IInstanceReferenceOperation when InlinedThis is { } self:
                return self;
            case ITupleOperation tuple when StructLayout.IsTuple(tuple.Type):
                return TupleValue(tuple, tuple.Type!);
            case IInvocationOperation call when !IsNumerics(call.TargetMethod.ContainingType):
                return InlineStruct(call, call.TargetMethod, call.TargetMethod, call.Instance, ArgumentsOf(call));
            case IBinaryOperation { OperatorMethod: { } userOperator } binary when IsStructOperator(userOperator):
                return InlineStruct(binary, userOperator, userOperator, null, [binary.LeftOperand, binary.RightOperand]);
            case IUnaryOperation { OperatorMethod: { } userOperator } unary when IsStructOperator(userOperator):
                return InlineStruct(unary, userOperator, userOperator, null, [unary.Operand]);
            case IParameterReferenceOperation p when structs.TryGetValue(p.Parameter, out var known):
                return known.Layout.Leaves.Select(l => (l.Path, l.Floating
                    ? (Expr)new Var(known.Names[l.Path], Ty.Double)
                    : new Opaque(NameOf(p.Parameter) + "." + l.Path, LocalType(l.Type)!.Value, Atomic: true))).ToList();
            case ILocalReferenceOperation l when structs.TryGetValue(l.Local, out var local):
                return local.Layout.Leaves.Select(f => (f.Path, f.Floating ? (Expr)new Var(local.Names[f.Path], Ty.Double) : new Opaque(local.Names[f.Path], LocalType(f.Type)!.Value, Atomic: true))).ToList();
            case IFieldReferenceOperation or IPropertyReferenceOperation when StructMember(inner) is { } member:
                List<(string Path, Expr Value)>? whole = StructValue(member.Instance);
                return Member(whole, member.Name) ?? (whole is not null && inner is IPropertyReferenceOperation property ? ComputedStruct(property) : null);
            case IFieldReferenceOperation field when MemberRead(field.Field, field.Instance) is { } code && Layout(inner.Type!, inner.Syntax) is { } constant:
                // A field of the method's class (a static readonly Matrix4x4, a struct of settings):
                // a constant, field by field.
                return constant.Leaves.Select(l => (l.Path, (Expr)new Opaque(StructLayout.Access(code, l.Path), l.Floating ? Ty.Double : LocalType(l.Type)!.Value, Atomic: true))).ToList();
            case IDefaultValueOperation or IConversionOperation { Operand: IDefaultValueOperation } when Layout(inner.Type!, inner.Syntax) is { } layout:
                return Defaults(layout);
            case IObjectCreationOperation creation when Layout(inner.Type!, inner.Syntax) is { } layout:
                return Creation(creation, layout);
            case IWithOperation with when StructValue(with.Operand) is { } copied:
                return Initialize(copied, with.Initializer?.Initializers ?? default, with.Type!);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                return ConditionalValue(conditional, whenFalse);
            case IParameterReferenceOperation or ILocalReferenceOperation or IDefaultValueOperation or IConversionOperation { Operand: IDefaultValueOperation } or IObjectCreationOperation or IWithOperation:
                return null;
            default:
                Report(Descriptors.UnsupportedExpression, inner.Syntax, $"The struct value '{Collapse(inner.Syntax.ToString())}'",
                    "build structs with 'new', 'with', 'default', a copy, an operator or a call of a method SymDiff reads in place, and read their fields");
                return null;
        }
    }

    // A tuple literal as a value of the tuple type 'type', element by element.
    private List<(string Path, Expr Value)>? TupleValue(ITupleOperation tuple, ITypeSymbol type)
    {
        if (Layout(type, tuple.Syntax) is not { } layout)
        {
            return null;
        }

        List<(string Path, Expr Value)>? value = Defaults(layout);
        var elements = ((INamedTypeSymbol)type).TupleElements;
        for (int k = 0; k < elements.Length && k < tuple.Elements.Length; k++)
        {
            if (!Set(value, StructLayout.MemberPath(elements[k]), tuple.Elements[k]))
            {
                return null;
            }
        }

        return value;
    }

    private List<(string Path, Expr Value)>? Member(List<(string Path, Expr Value)>? whole, string name)
    {
        if (whole is null)
        {
            return null;
        }

        string prefix = name + ".";
        var part = whole.Where(l => l.Path.StartsWith(prefix, System.StringComparison.Ordinal)).Select(l => (l.Path.Substring(prefix.Length), l.Value)).ToList();
        return part.Count == 0 ? null : part;
    }

    // A computed property of a struct (p.Length, p.Unit): its getter read in place.
    private List<(string Path, Expr Value)>? ComputedStruct(IPropertyReferenceOperation property) =>
        property.Property.GetMethod is { } getter ? InlineStruct(property, property.Property, getter, property.Instance, []) : RefuseUnreadable(property);

    private Expr? ComputedScalar(IPropertyReferenceOperation property)
    {
        if (property.Property.GetMethod is { } getter)
        {
            return InlineScalar(property, property.Property, getter, property.Instance, []);
        }

        RefuseUnreadable(property);
        return null;
    }

    private List<(string Path, Expr Value)>? RefuseUnreadable(IPropertyReferenceOperation property)
    {
        Report(Descriptors.UnsupportedExpression, property.Syntax, $"The property '{property.Property.ContainingType.Name}.{property.Property.Name}'", "SymDiff reads properties that have a getter");
        return null;
    }

    private List<(string Path, Expr Value)> Defaults(StructLayout layout) =>
        layout.Leaves.Select(l => (l.Path, l.Floating ? (Expr)Num.Zero : new Opaque($"default({l.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})", LocalType(l.Type)!.Value, Atomic: true))).ToList();

    private List<(string Path, Expr Value)>? Creation(IObjectCreationOperation creation, StructLayout layout)
    {
        List<(string Path, Expr Value)>? value = Defaults(layout);
        if (creation.Constructor is { Parameters.Length: > 0 } constructor)
        {
            Dictionary<string, ISymbol>? sets = StructLayout.SetsFromParameters(constructor, layout.Type);
            if (sets is null)
            {
                Report(Descriptors.UnsupportedExpression, creation.Syntax, $"The constructor call '{Collapse(creation.Syntax.ToString())}'",
                    $"SymDiff follows a constructor of '{layout.Type.Name}' that only stores each parameter in the field of its name (or a record's primary constructor); use an object initializer 'new {layout.Type.Name} {{ … }}'");
                return null;
            }

            foreach (IArgumentOperation argument in creation.Arguments)
            {
                if (argument.Parameter is null || !sets.TryGetValue(argument.Parameter.Name, out ISymbol? member) || !Set(value, member.Name, argument.Value))
                {
                    return null;
                }
            }
        }

        return Initialize(value, creation.Initializer?.Initializers ?? default, layout.Type);
    }

    // Applies an initializer's 'Member = value' assignments (object creation or 'with').
    private List<(string Path, Expr Value)>? Initialize(List<(string Path, Expr Value)> value, System.Collections.Immutable.ImmutableArray<IOperation> initializers, ITypeSymbol type)
    {
        foreach (IOperation initializer in initializers.IsDefault ? System.Collections.Immutable.ImmutableArray<IOperation>.Empty : initializers)
        {
            string? member = initializer is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } ? target.Member.Name : null;
            if (member is null || !Set(value, member, ((ISimpleAssignmentOperation)initializer).Value))
            {
                if (member is null)
                {
                    Report(Descriptors.UnsupportedExpression, initializer.Syntax, $"The initializer '{Collapse(initializer.Syntax.ToString())}' of '{type.Name}'", "assign each field a value: 'Field = value'");
                }

                return null;
            }
        }

        return value;
    }

    // Sets the field 'member' (a floating, constant or struct field) of 'value' from 'source'.
    private bool Set(List<(string Path, Expr Value)> value, string member, IOperation source)
    {
        int exact = value.FindIndex(l => l.Path == member);
        if (exact >= 0)
        {
            Expr? e = value[exact].Value.Type == Ty.Double ? Expression(source) : Typed(source, value[exact].Value.Type);
            if (e is null)
            {
                return false;
            }

            value[exact] = (member, e);
            return true;
        }

        string prefix = member + ".";
        if (!value.Any(l => l.Path.StartsWith(prefix, System.StringComparison.Ordinal)))
        {
            // A struct field without floating or constant fields: nothing to set.
            return true;
        }

        if (StructValue(source) is not { } inner)
        {
            return false;
        }

        foreach ((string path, Expr e) in inner)
        {
            int k = value.FindIndex(l => l.Path == prefix + path);
            value[k] = (prefix + path, e);
        }

        return true;
    }

    private List<(string Path, Expr Value)>? ConditionalValue(IConditionalOperation conditional, IOperation whenFalse)
    {
        Expr? test = Condition(conditional.Condition);
        List<(string Path, Expr Value)>? a = StructValue(conditional.WhenTrue), b = StructValue(whenFalse);
        if (test is null || a is null || b is null)
        {
            return null;
        }

        var result = new List<(string Path, Expr Value)>();
        for (int k = 0; k < a.Count; k++)
        {
            if (a[k].Value.Type != Ty.Double && a[k].Value != b[k].Value)
            {
                Report(Descriptors.UnsupportedExpression, conditional.Syntax, $"The conditional struct value '{Collapse(conditional.Syntax.ToString())}', whose constant field '{a[k].Path}' differs between the branches",
                    "use an if statement that assigns the struct in each branch");
                return null;
            }

            result.Add((a[k].Path, a[k].Value.Type == Ty.Double ? new Cond(test, a[k].Value, b[k].Value) : a[k].Value));
        }

        return result;
    }

    /// <summary>A floating or constant field read (<c>p.W</c>, <c>q.Inner.X</c>, <c>p.Count</c>), or null when <paramref name="op"/> is none.</summary>
    private Expr? StructField(IOperation op)
    {
        if (StructMember(op) is not (IOperation instance, string name) || StructValue(instance) is not { } whole)
        {
            return null;
        }

        foreach ((string path, Expr value) in whole)
        {
            if (path == name)
            {
                return value;
            }
        }

        if (op is IPropertyReferenceOperation property)
        {
            return ComputedScalar(property);
        }
        else
        {
            Report(Descriptors.UnsupportedExpression, op.Syntax, $"The field '{name}' of '{instance.Type!.Name}'", "read the struct's floating-point and constant fields");
        }

        return null;
    }

    // double[] a = … is handled elsewhere; this declares a struct local as one local per field.
    private void ParseStructLocal(ILocalSymbol local, IOperation? initializer, SyntaxNode at, IOperation statement, List<Stmt> output)
    {
        if (Layout(local.Type, at, local.Name) is not { } layout)
        {
            return;
        }

        if (layout.Leaves.FirstOrDefault(l => !l.Floating && LocalType(l.Type) == Ty.Int && l.Type.SpecialType is SpecialType.System_String or SpecialType.System_Char || l.Type.TypeKind == TypeKind.Enum) is { } text)
        {
            Report(Descriptors.UnsupportedLocalType, at, local.Name, $"{local.Type.ToDisplayString()} (its field '{text.Path}' is a {text.Type.ToDisplayString()}; struct locals hold numbers and bools, struct parameters may hold any constant)");
            return;
        }

        List<(string Path, Expr Value)>? value = initializer is null ? null : StructValue(initializer);
        if (initializer is not null && value is null)
        {
            return;
        }

        DeclareStructLocal(local, layout, value, LineOf(statement), SourceOf(statement), output);
    }

    // The struct local 'local': one local per field, initialised with 'value' (field by field, in layout order) when there is one.
    private void DeclareStructLocal(ILocalSymbol local, StructLayout layout, List<(string Path, Expr Value)>? value, int line, string source, List<Stmt> output)
    {
        string baseName = Names.Plain(DeclareLocal(local, counter: false));
        var fields = layout.Leaves.ToDictionary(leaf => leaf.Path, leaf => FreshLocal(FieldName(baseName, leaf.Display)));

        structs[local] = (layout, fields);
        for (int k = 0; k < layout.Leaves.Count; k++)
        {
            StructLayout.Leaf leaf = layout.Leaves[k];
            Ty type = leaf.Floating ? Ty.Double : LocalType(leaf.Type)!.Value;
            string? typeCode = type == Ty.Int && leaf.Type.SpecialType != SpecialType.System_Int32 ? leaf.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
            output.Add(new Decl(fields[leaf.Path], type, value?[k].Value, line, source, typeCode));
        }
    }

    /// <summary>The scalar name of a struct's field: <c>pW</c> for <c>p.W</c>, <c>qInnerX</c> for <c>q.Inner.X</c>.</summary>
    public static string FieldName(string owner, string path) =>
        Names.Plain(owner) + string.Concat(path.Replace("[", string.Empty).Replace("]", string.Empty).Split('.').Select(Names.Capitalized));

    // q = <struct value>; q.W = x; q.W += x; q.Inner = <struct value>: true when the target was a struct's.
    private bool ParseStructAssignment(IOperation target, AssignOp op, IOperation? valueOperation, IOperation statement, List<Stmt> output)
    {
        (IOperation root, string prefix) = TargetPath(target, t => Referenced(t) is { } symbol && structs.ContainsKey(symbol));
        if (Referenced(root) is not { } rootSymbol || !structs.TryGetValue(rootSymbol, out var owner))
        {
            return IsStructValue(target) || IsStructMember(target) ? Refused(target) : false;
        }
        int line = LineOf(statement);
        string source = SourceOf(statement);
        if (prefix.Length > 0 && owner.Layout.Leaves.Any(l => l.Path == prefix) && !owner.Names.ContainsKey(prefix))
        {
            // A constant field of a struct parameter: generated code reads it from the parameter.
            return Refused(target);
        }

        if (prefix.Length > 0 && owner.Names.TryGetValue(prefix, out string? scalarName))
        {
            if (valueOperation is null)
            {
                output.Add(new Assign(scalarName, op, Num.One, line, source));
                return true;
            }

            // p.W = p.W does nothing (a chained q.B = p.W = p.W leaves it too): no statement for it.
            if ((Signature.IsFloating(target.Type) ? Expression(valueOperation) : Typed(valueOperation, LocalType(target.Type!) ?? Ty.Int)) is { } v
                && !(op == AssignOp.Set && Unchanged(v, scalarName)))
            {
                output.Add(new Assign(scalarName, op, v, line, source));
            }

            return true;
        }

        if (op != AssignOp.Set || valueOperation is null || StructValue(valueOperation) is not { } value)
        {
            if (op != AssignOp.Set)
            {
                Refused(target);
            }

            return true;
        }

        string start = prefix.Length == 0 ? string.Empty : prefix + ".";
        // A parameter's constant fields have no scalar (generated code reads them from the parameter): they are left as they are.
        var targets = value.Select(l => owner.Names.TryGetValue(start + l.Path, out string? n) ? n : null).ToList();

        // A field whose new value reads another field being assigned goes through a local, set
        // before any field changes: q = q with { W = q.B, B = q.W }.
        var assigned = new List<int>();
        for (int k = 0; k < value.Count; k++)
        {
            if (targets[k] is { } name && !Unchanged(value[k].Value, name))
            {
                assigned.Add(k);
            }
        }

        var direct = new List<Stmt>();
        var later = new List<Stmt>();
        foreach (int k in assigned)
        {
            string name = targets[k]!;
            var others = new HashSet<string>(assigned.Where(j => j != k).Select(j => targets[j]!));
            if (Mentions(value[k].Value, others))
            {
                string temp = FreshLocal(name + "New");
                output.Add(new Decl(temp, value[k].Value.Type, value[k].Value, line, source));
                later.Add(new Assign(name, AssignOp.Set, value[k].Value.Type == Ty.Double ? new Var(temp, Ty.Double) : new Opaque(temp, value[k].Value.Type, true), line, source));
            }
            else
            {
                direct.Add(new Assign(name, AssignOp.Set, value[k].Value, line, source));
            }
        }

        output.AddRange(direct);
        output.AddRange(later);
        return true;
    }

    private bool Refused(IOperation target)
    {
        Report(Descriptors.UnsupportedWrite, target.Syntax, DescribeTarget(target) + " (SymDiff writes the floating-point fields of struct locals and parameters, and the constant fields of struct locals)");
        return true;
    }

    private static bool Mentions(Expr e, HashSet<string> names) => e switch
    {
        Var v => names.Contains(v.Name),
        Opaque o => names.Any(n => System.Text.RegularExpressions.Regex.IsMatch(o.Code, $@"\b{System.Text.RegularExpressions.Regex.Escape(n)}\b")),
        Elem el => Mentions(el.Index, names),
        Neg n => Mentions(n.Operand, names),
        Not n => Mentions(n.Operand, names),
        Binary b => Mentions(b.Left, names) || Mentions(b.Right, names),
        Cond c => Mentions(c.Test, names) || Mentions(c.WhenTrue, names) || Mentions(c.WhenFalse, names),
        Fn f => f.Args.Any(a => Mentions(a, names)),
        Call c => c.Args.Any(a => Mentions(a, names)),
        _ => false,
    };

    // (a, b) = q; or var (a, b) = q; for a record struct's positional Deconstruct.
    private bool ParseStructDeconstruction(IDeconstructionAssignmentOperation deconstruction, IOperation value, IOperation statement, List<Stmt> output)
    {
        bool declares = deconstruction.Target is IDeclarationExpressionOperation
            || deconstruction.Target is ITupleOperation { Elements: var declared } && declared.Any(t => t is ILocalReferenceOperation { IsDeclaration: true } or IDeclarationExpressionOperation);
        if (!IsStructValue(value) || (value is ITupleOperation && !declares))
        {
            // (a, b) = (b, a) reads every value before it writes a target: BodyParser.Sugar's deconstruction.
            return false;
        }

        IOperation target = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
        var type = (INamedTypeSymbol)value.Type!;
        // A record struct's positional Deconstruct, or a tuple's elements in order.
        List<string>? paths = StructLayout.IsTuple(type)
            ? type.TupleElements.Select(StructLayout.MemberPath).ToList()
            : type.GetMembers("Deconstruct").OfType<IMethodSymbol>()
                .FirstOrDefault(m => m.IsImplicitlyDeclared && target is ITupleOperation t && m.Parameters.Length == t.Elements.Length)?.Parameters.Select(p => p.Name).ToList();
        if (target is not ITupleOperation targets || paths is null || paths.Count != targets.Elements.Length
            || targets.Elements.Any(t => t is not (ILocalReferenceOperation or IParameterReferenceOperation or IDiscardOperation or IDeclarationExpressionOperation)))
        {
            Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The deconstruction '{Short(statement)}'", "deconstruct a positional record struct into scalar locals, or read its fields");
            return true;
        }

        if (StructValue(value) is not { } whole)
        {
            return true;
        }

        int line = LineOf(statement);
        string source = SourceOf(statement);

        // (a, b) = Swap(a, b): a value that reads a target is held in a local until every value is read.
        var assignedNames = new HashSet<string>(targets.Elements.Select(t => t switch
        {
            ILocalReferenceOperation { IsDeclaration: false } l when !declares => Local(l.Local),
            IParameterReferenceOperation p => NameOf(p.Parameter),
            _ => null,
        }).OfType<string>());
        for (int k = 0; k < whole.Count; k++)
        {
            if (assignedNames.Count > 0 && whole[k].Value.Type == Ty.Double && Mentions(whole[k].Value, assignedNames))
            {
                string temp = FreshLocal(FieldName("value", whole[k].Path));
                output.Add(new Decl(temp, Ty.Double, whole[k].Value, line, source));
                whole[k] = (whole[k].Path, new Var(temp, Ty.Double));
            }
        }

        for (int k = 0; k < targets.Elements.Length; k++)
        {
            IOperation element = targets.Elements[k] is IDeclarationExpressionOperation d ? d.Expression : targets.Elements[k];
            string path = paths[k];
            (string Path, Expr Value) field = whole.FirstOrDefault(l => l.Path == path);
            if (element is IDiscardOperation)
            {
                continue;
            }

            if (field.Path is null || element is not (ILocalReferenceOperation or IParameterReferenceOperation) || LocalType(element.Type!) is not { } ty)
            {
                Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The deconstruction '{Short(statement)}'", "deconstruct a positional record struct into scalar locals, or read its fields");
                return true;
            }

            if (element is ILocalReferenceOperation { IsDeclaration: true } || deconstruction.Target is IDeclarationExpressionOperation)
            {
                output.Add(new Decl(DeclareLocal(((ILocalReferenceOperation)element).Local, counter: false), ty, whole.First(l => l.Path == path).Value, line, source));
            }
            else
            {
                string name = element is ILocalReferenceOperation l ? Local(l.Local) : NameOf(((IParameterReferenceOperation)element).Parameter);
                output.Add(new Assign(name, AssignOp.Set, whole.First(l => l.Path == path).Value, line, source));
            }
        }

        return true;
    }
}
