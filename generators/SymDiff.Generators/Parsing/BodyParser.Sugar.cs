using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// Today's C# read as the core subset it stands for: foreach over floating arrays and spans
// becomes a counted for loop, switch expressions and is patterns become conditions and
// conditional expressions, v[^k] reads v[v.Length - k], and a = b = e runs as b = e; a = b.
// Nothing here reaches the later stages: they see the IR they already know.
internal sealed partial class BodyParser
{
    // foreach (double v in values) body  →  for (int i = 0; i < values.Length; i++) { double v = values[i]; body }
    private void ParseForEach(IForEachLoopOperation loop, List<Stmt> output)
    {
        IOperation collection = StripImplicit(loop.Collection);
        if (ParseStructForEach(loop, collection, output))
        {
            return;
        }

        View? range = null;
        if (IsRange(collection))
        {
            if (Changing(collection, loop.Body, collection) is { } changed)
            {
                Report(Descriptors.UnsupportedStatement, loop.Syntax, $"A foreach loop over the range '{Collapse(collection.Syntax.ToString())}', whose {changed} changes in the loop",
                    "keep the range's bounds and array unchanged in the loop, or index with a for loop");
                return;
            }

            if ((range = RangeOf(collection)) is null)
            {
                return;
            }
        }

        string? array = range is not null ? range.Base : loop.IsAsynchronous || loop.Syntax is not ForEachStatementSyntax || !IsFloatingSequence(collection.Type) ? null : collection switch
        {
            IParameterReferenceOperation p => NameOf(p.Parameter),
            ILocalReferenceOperation l when localArrays.Contains(Local(l.Local)) => Local(l.Local),
            IFieldReferenceOperation f => MemberRead(f.Field, f.Instance),
            IPropertyReferenceOperation { Property.Parameters.Length: 0 } p => MemberRead(p.Property, p.Instance),
            _ => null,
        };
        if (array is null || loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element } || !Signature.IsFloating(element.Type))
        {
            Report(Descriptors.UnsupportedStatement, loop.Syntax, $"A foreach loop over '{Collapse(collection.Syntax.ToString())}'",
                "loop with 'foreach (double v in values)' over a floating-point array or span parameter, a local array or an array field, or index with a for loop");
            return;
        }

        var syntax = (ForEachStatementSyntax)loop.Syntax;
        string counter = FreshCounter("i");
        string name = DeclareLocal(element, counter: false);
        int line = LineOf(loop);
        string source = $"foreach ({syntax.Type} {syntax.Identifier.Text} in {Collapse(syntax.Expression.ToString())})";
        bool isParameter = range?.IsParameter ?? collection is not (IFieldReferenceOperation or IPropertyReferenceOperation);
        var body = new List<Stmt> { new Decl(name, Ty.Double, new Elem(array, new Opaque(counter, Ty.Int, true), isParameter), line, source) };
        body.AddRange(LoopBody(loop.Body));
        output.Add(new For(counter, $"int {counter} = {range?.Start ?? "0"}", $"{counter} < {range?.End ?? array + ".Length"}", $"{counter}++", body.ToEquatableArray(), line, source));
    }

    // A fresh loop counter name, never one the body or another counter uses.
    private string FreshCounter(string hint)
    {
        var taken = new HashSet<string>(UsedNames);
        taken.UnionWith(AllIdentifiers);
        taken.UnionWith(counterNames);
        string counter = Names.Fresh(hint, taken);
        counterNames.Add(counter);
        UsedNames.Add(counter);
        return counter;
    }

    private static bool IsFloatingSequence(ITypeSymbol? type) =>
        type is not null && Signature.Classify(type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span;

    // a = b = e: the inner assignment runs first, then the outer one reads what it stored.
    private void ParseChainedAssignment(IOperation target, ISimpleAssignmentOperation inner, IOperation statement, List<Stmt> output)
    {
        ParseExpressionStatement(inner, statement, output);
        ParseAssignment(target, AssignOp.Set, inner.Target, statement, output);
    }

    /// <summary>
    /// The test a pattern makes of its subject, already parsed (<paramref name="subject"/> is IR for
    /// a floating value, code for a constant one). Constant, relational, and/or/not and discard
    /// patterns only: the others declare or test types.
    /// </summary>
    private Expr? PatternTest(IPatternOperation pattern, Expr subject, bool floating)
    {
        switch (pattern)
        {
            case IDiscardPatternOperation:
                return new Opaque("true", Ty.Bool, true);
            case IConstantPatternOperation constant:
                return Comparison(subject, floating, BinOp.Eq, constant.Value);
            case IRelationalPatternOperation relational when CompareOp(relational.OperatorKind) is { } op:
                return Comparison(subject, floating, op, relational.Value);
            case INegatedPatternOperation negated:
                return PatternTest(negated.Pattern, subject, floating) is { } test ? new Not(test) : null;
            case IBinaryPatternOperation binary:
                Expr? left = PatternTest(binary.LeftPattern, subject, floating);
                Expr? right = PatternTest(binary.RightPattern, subject, floating);
                return left is null || right is null ? null : new Binary(binary.OperatorKind == BinaryOperatorKind.Or ? BinOp.Or : BinOp.And, left, right);
            default:
                Report(Descriptors.UnsupportedExpression, pattern.Syntax, $"The pattern '{Short(pattern)}'",
                    "use constant ('0'), relational ('> 0'), 'and', 'or', 'not' and '_' patterns; assign to a local instead of declaring one in a pattern");
                return null;
        }
    }

    private Expr? Comparison(Expr subject, bool floating, BinOp op, IOperation value)
    {
        if (floating && value.ConstantValue is { HasValue: true, Value: double or float } nan && double.IsNaN(System.Convert.ToDouble(nan.Value, System.Globalization.CultureInfo.InvariantCulture)))
        {
            Report(Descriptors.UnsupportedExpression, value.Syntax, $"The NaN pattern '{Short(value)}'", "test with double.IsNaN(x), which says what the pattern means");
            return null;
        }

        if (floating)
        {
            if (Emit.ExprWriter.IsGenericName(scalar))
            {
                // On an open T, C# first tests that T is the constant's own type: `x is < -1` is
                // false for every double. Nothing can be written that means a comparison.
                Report(Descriptors.UnsupportedExpression, value.Syntax, $"The pattern constant '{Short(value)}' on a value of type {scalar}",
                    $"on a generic {scalar}, C# matches a constant pattern only when {scalar} is the constant's own type ({value.Type?.ToDisplayString() ?? "its type"} here), never as a number; compare with an operator: x < {scalar}.CreateChecked(...)");
                return null;
            }

            return Expression(value) is { } v ? new Binary(op, subject, v) : null;
        }

        var s = (Opaque)subject;
        string? code = IntCode(value, out bool atomic);
        return code is null ? null : new Opaque($"{Wrap(s.Code, s.Atomic)} {BinaryCode(op)} {Wrap(code, atomic)}", Ty.Bool, false);
    }

    private static string BinaryCode(BinOp op) => op switch
    {
        BinOp.Lt => "<",
        BinOp.Le => "<=",
        BinOp.Gt => ">",
        BinOp.Ge => ">=",
        BinOp.Eq => "==",
        _ => "!=",
    };

    /// <summary>The subject of a pattern, parsed once: every comparison reads this value (its effects run once, before).</summary>
    private Expr? Subject(IOperation subject, out bool floating)
    {
        floating = Signature.IsFloating(subject.Type);
        return floating ? Expression(subject) : IntExpression(subject);
    }

    // x is > 0 and < 1: a condition.
    private Expr? IsPattern(IIsPatternOperation test) =>
        Subject(test.Value, out bool floating) is { } subject ? PatternTest(test.Pattern, subject, floating) : null;

    /// <summary>
    /// The arms of a switch expression as (test, value) pairs; the last arm must be '_' so that
    /// every input has a value, as the generated conditional expression needs.
    /// </summary>
    private List<(Expr Test, T Value)>? SwitchArms<T>(ISwitchExpressionOperation switchExpression, System.Func<IOperation, T?> value)
        where T : class
    {
        if (switchExpression.Arms.LastOrDefault() is not { Pattern: IDiscardPatternOperation, Guard: null })
        {
            Report(Descriptors.UnsupportedExpression, switchExpression.Syntax, $"The switch expression '{Short(switchExpression)}' without a last '_' arm",
                "end it with '_ => value', so that every input (NaN too) has a value instead of an exception");
            return null;
        }

        if (Subject(switchExpression.Value, out bool floating) is not { } subject)
        {
            return null;
        }

        var arms = new List<(Expr, T)>();
        foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
        {
            if (RefuseConditionalEffect(arm.Value) || RefuseConditionalEffect(arm.Guard))
            {
                return null;
            }

            Expr? test = PatternTest(arm.Pattern, subject, floating);
            Expr? guard = arm.Guard is null ? null : Condition(arm.Guard);
            T? armValue = value(arm.Value);
            if (test is null || armValue is null || (arm.Guard is not null && guard is null))
            {
                return null;
            }

            arms.Add((guard is null ? test : new Binary(BinOp.And, test, guard), armValue));
        }

        return arms;
    }

    // x switch { < 0 => a, < 1 => b, _ => c }  →  x < 0 ? a : x < 1 ? b : c
    private Expr? SwitchValue(ISwitchExpressionOperation switchExpression)
    {
        if (SwitchArms(switchExpression, Expression) is not { } arms)
        {
            return null;
        }

        Expr result = arms[arms.Count - 1].Value;
        for (int k = arms.Count - 2; k >= 0; k--)
        {
            result = new Cond(arms[k].Test, arms[k].Value, result);
        }

        return result;
    }

    // The same for integer, bool or enum results: code, like the rest of the integer sub-language.
    private string? SwitchCode(ISwitchExpressionOperation switchExpression)
    {
        if (SwitchArms(switchExpression, v => IntCode(v, out bool atomic) is { } code ? Wrap(code, atomic) : null) is not { } arms)
        {
            return null;
        }

        string result = arms[arms.Count - 1].Value;
        for (int k = arms.Count - 2; k >= 0; k--)
        {
            result = $"{ConditionCode(arms[k].Test)} ? {arms[k].Value} : {result}";
        }

        return result;
    }

    /// <summary>A condition written as code, for the integer sub-language (floating values are read, not differentiated).</summary>
    private string ConditionCode(Expr test)
    {
        using System.IDisposable dialect = Emit.ExprWriter.Dialect(scalar);
        return "(" + Emit.ExprWriter.Write(test) + ")";
    }

    /// <summary>
    /// v[^k] on an array or span: the index counted from the end, v.Length - k, in the code that
    /// names <paramref name="arrayCode"/>; any other index as it is.
    /// </summary>
    private Opaque? IndexInto(string arrayCode, IOperation index) => IndexInto(View.Whole(arrayCode, isParameter: true), index);

    /// <summary>The elements of <c>[a, b]</c> or <c>new double[] { a, b }</c>; null for any other initialiser (a spread among them).</summary>
    private static List<IOperation>? ElementsOf(IOperation? init) => init switch
    {
        IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues.ToList(),
        ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation) => collection.Elements.ToList(),
        _ => null,
    };

    /// <summary>The length operand of <c>stackalloc double[n]</c> (without an initialiser); null otherwise.</summary>
    private static IOperation? StackAllocLength(IOperation? init)
    {
        if (init?.Syntax is not StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } array }
            || array.RankSpecifiers[0].Sizes.Count != 1)
        {
            return null;
        }

        ExpressionSyntax size = array.RankSpecifiers[0].Sizes[0];
        return init.DescendantsAndSelf().FirstOrDefault(d => d.Syntax == size);
    }

    // (a, b) = (b, a): every value is read before any target is written, as C# does.
    // var (p, q) = (x, y): declarations, one per element.
    private void ParseDeconstruction(IDeconstructionAssignmentOperation deconstruction, IOperation statement, List<Stmt> output)
    {
        IOperation target = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
        IOperation value = StripImplicit(deconstruction.Value);
        if (ParseStructDeconstruction(deconstruction, value, statement, output))
        {
            return;
        }

        if (deconstruction.Target is IDeclarationExpressionOperation || deconstruction.Target is ITupleOperation { Elements: var declared } && declared.Any(t => t is ILocalReferenceOperation { IsDeclaration: true } or IDeclarationExpressionOperation))
        {
            Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The deconstruction declaration '{Short(statement)}'", "declare the locals first, then deconstruct into them: 'double p, q; (p, q) = (x, y);'");
            return;
        }

        if (target is not ITupleOperation targets || value is not ITupleOperation values || targets.Elements.Length != values.Elements.Length
            || targets.Elements.Any(t => t is not (ILocalReferenceOperation or IParameterReferenceOperation or IDiscardOperation)))
        {
            Report(Descriptors.UnsupportedStatement, statement.Syntax, $"The deconstruction '{Short(statement)}'", "deconstruct a tuple literal '(x, y)' into locals or parameters, or assign them one by one");
            return;
        }

        int line = LineOf(statement);
        string source = SourceOf(statement);
        bool declares = deconstruction.Target is IDeclarationExpressionOperation || targets.Elements.Any(t => t is ILocalReferenceOperation { IsDeclaration: true });
        var assigned = targets.Elements.Select(t => t switch
        {
            ILocalReferenceOperation l => (ISymbol)l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        }).ToList();
        bool readsTarget = values.Elements.Any(v => v.DescendantsAndSelf().Any(d => d switch
        {
            ILocalReferenceOperation l => assigned.Contains(l.Local, SymbolEqualityComparer.Default),
            IParameterReferenceOperation p => assigned.Contains(p.Parameter, SymbolEqualityComparer.Default),
            _ => false,
        }));

        // Values that read a target go through a local first: double aNew = b; double bNew = a; a = aNew; b = bNew;
        var later = new List<Stmt>();
        for (int k = 0; k < values.Elements.Length; k++)
        {
            IOperation element = targets.Elements[k];
            if (element is IDiscardOperation)
            {
                continue;
            }

            if (element is ILocalReferenceOperation { IsDeclaration: true } || (declares && element is ILocalReferenceOperation))
            {
                var local = ((ILocalReferenceOperation)element).Local;
                Ty? ty = LocalType(local.Type);
                Expr? init = ty is null ? null : Typed(values.Elements[k], ty.Value);
                if (ty is null || init is null)
                {
                    if (ty is null)
                    {
                        Report(Descriptors.UnsupportedLocalType, element.Syntax, local.Name, local.Type.ToDisplayString());
                    }

                    return;
                }

                output.Add(new Decl(DeclareLocal(local, counter: false), ty.Value, init, line, source));
                continue;
            }

            if (!readsTarget)
            {
                ParseAssignment(element, AssignOp.Set, values.Elements[k], statement, output);
                continue;
            }

            ITypeSymbol type = element.Type!;
            Ty? held = LocalType(type);
            Expr? heldValue = held is null ? null : Typed(values.Elements[k], held.Value);
            if (held is null || heldValue is null)
            {
                return;
            }

            string name = element is ILocalReferenceOperation l ? Local(l.Local) : NameOf(((IParameterReferenceOperation)element).Parameter);
            string temp = FreshLocal(Names.Plain(name) + "New");
            output.Add(new Decl(temp, held.Value, heldValue, line, source));
            later.Add(new Assign(name, AssignOp.Set, held == Ty.Double ? new Var(temp, Ty.Double) : new Opaque(temp, held.Value, true), line, source));
        }

        output.AddRange(later);
    }
}
