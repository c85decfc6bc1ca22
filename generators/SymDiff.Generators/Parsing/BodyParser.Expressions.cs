using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

internal sealed partial class BodyParser
{
    private static readonly Dictionary<string, (MathFn Function, int Arity)> MathFunctions = new()
    {
        ["Sin"] = (MathFn.Sin, 1), ["Cos"] = (MathFn.Cos, 1), ["Tan"] = (MathFn.Tan, 1),
        ["Exp"] = (MathFn.Exp, 1), ["Log"] = (MathFn.Log, 1), ["Log10"] = (MathFn.Log10, 1),
        ["Sqrt"] = (MathFn.Sqrt, 1), ["Pow"] = (MathFn.Pow, 2), ["Abs"] = (MathFn.Abs, 1),
        ["Tanh"] = (MathFn.Tanh, 1), ["Sinh"] = (MathFn.Sinh, 1), ["Cosh"] = (MathFn.Cosh, 1),
        ["Asin"] = (MathFn.Asin, 1), ["Acos"] = (MathFn.Acos, 1), ["Atan"] = (MathFn.Atan, 1),
        ["Atan2"] = (MathFn.Atan2, 2), ["Max"] = (MathFn.Max, 2), ["Min"] = (MathFn.Min, 2),
        ["Clamp"] = (MathFn.Clamp, 3), ["Floor"] = (MathFn.Floor, 1), ["Ceiling"] = (MathFn.Ceiling, 1),
        ["Round"] = (MathFn.Round, 1), ["Truncate"] = (MathFn.Truncate, 1), ["Log2"] = (MathFn.Log2, 1),
        ["Cbrt"] = (MathFn.Cbrt, 1), ["FusedMultiplyAdd"] = (MathFn.FusedMultiplyAdd, 3),
    };

    /// <summary>A floating-point expression; null after reporting when it is not supported.</summary>
    private Expr? Expression(IOperation op)
    {
        if (Signature.IsConstantType(op.Type))
        {
            return IntExpression(op);
        }

        if (op.ConstantValue is { HasValue: true, Value: { } constant } && Signature.IsFloating(op.Type))
        {
            return new Num(Convert.ToDouble(constant, CultureInfo.InvariantCulture));
        }

        if (IsStructMember(op))
        {
            return StructField(op);
        }

        switch (op)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation when BoundScalar(op) is { } bound:
                return bound;
            case IBinaryOperation { OperatorMethod: { } userOperator } binary when IsStructOperator(userOperator):
                return InlineScalar(binary, userOperator, userOperator, null, [binary.LeftOperand, binary.RightOperand]);
            case ILocalReferenceOperation local when Signature.IsFloating(local.Local.Type):
                return new Var(Local(local.Local), Ty.Double);
            case IParameterReferenceOperation p when Signature.IsFloating(p.Parameter.Type):
                return new Var(NameOf(p.Parameter), Ty.Double);
            case IPropertyReferenceOperation { Instance: null, Property.ContainingType.TypeKind: TypeKind.Interface } numeric when Signature.IsFloating(numeric.Type):
                return GenericConstant(numeric);
            case IFieldReferenceOperation field when Signature.IsFloating(field.Type) && MemberRead(field.Field, field.Instance) is { } fieldCode:
                return new Opaque(fieldCode, Ty.Double, Atomic: true);
            case IPropertyReferenceOperation { Property.Parameters.Length: 0 } property when Signature.IsFloating(property.Type) && MemberRead(property.Property, property.Instance) is { } propertyCode:
                return new Opaque(propertyCode, Ty.Double, Atomic: true);
            case IInlineArrayAccessOperation buffer when Signature.IsFloating(buffer.Type):
                return BufferElement(buffer);
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                return ElementRead(element.ArrayReference, element.Indices[0], element);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer when indexer.Instance is not null:
                return ElementRead(indexer.Instance, indexer.Arguments[0].Value, indexer);
            case IImplicitIndexerReferenceOperation { Argument.Type.Name: "Index" } fromEnd:
                return ElementRead(fromEnd.Instance, fromEnd.Argument, fromEnd);
            case ISwitchExpressionOperation switchExpression:
                return SwitchValue(switchExpression);
            case IBinaryOperation binary when ArithmeticOp(binary.OperatorKind) is { } binOp:
                Expr? left = Expression(binary.LeftOperand);
                Expr? right = Expression(binary.RightOperand);
                return left is null || right is null ? null : new Binary(binOp, left, right);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus:
                return Expression(minus.Operand) is { } operand ? new Neg(operand) : null;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return Expression(plus.Operand);
            case IConversionOperation conversion when Signature.IsConstantType(conversion.Operand.Type):
                return IntExpression(conversion.Operand);
            case IConversionOperation conversion when Signature.IsFloating(conversion.Operand.Type):
                if (Signature.FloatingElement(conversion.Type!) == "float" && scalar == "double")
                {
                    // Rounding to float inside a double method would be lost in the generated code: refuse it.
                    // (In a float method, double values such as Math.Sin's are computed in float.)
                    Report(Descriptors.MixedPrecision, op.Syntax, $"The conversion '{Short(op)}'", scalar, method.Name);
                    return null;
                }

                return Expression(conversion.Operand);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                if (RefuseConditionalEffect(conditional.WhenTrue) || RefuseConditionalEffect(whenFalse))
                {
                    return null;
                }

                Expr? test = Condition(conditional.Condition);
                Expr? whenTrue = Expression(conditional.WhenTrue);
                Expr? otherwise = Expression(whenFalse);
                return test is null || whenTrue is null || otherwise is null ? null : new Cond(test, whenTrue, otherwise);
            case IInvocationOperation invocation:
                return Invocation(invocation);
            default:
                Refuse(op, statement: false);
                return null;
        }
    }

    /// <summary>
    /// A condition (<c>x &gt; 0 &amp;&amp; !done</c>): comparisons of floating values stay IR so the
    /// later stages see what they read; conditions over constants only are kept as code.
    /// </summary>
    private Expr? Condition(IOperation op)
    {
        switch (op)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logic:
                if (RefuseConditionalEffect(logic.RightOperand))
                {
                    return null;
                }

                Expr? left = Condition(logic.LeftOperand);
                Expr? right = Condition(logic.RightOperand);
                return left is null || right is null ? null : new Binary(logic.OperatorKind == BinaryOperatorKind.ConditionalAnd ? BinOp.And : BinOp.Or, left, right);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return Condition(not.Operand) is { } operand ? new Not(operand) : null;
            case IIsPatternOperation isPattern:
                return IsPattern(isPattern);
            case IBinaryOperation compare when CompareOp(compare.OperatorKind) is { } cmp
                && (Signature.IsFloating(compare.LeftOperand.Type) || Signature.IsFloating(compare.RightOperand.Type)):
                Expr? a = Expression(compare.LeftOperand);
                Expr? b = Expression(compare.RightOperand);
                return a is null || b is null ? null : new Binary(cmp, a, b);
            default:
                string? code = IntCode(op, out bool atomic);
                return code is null ? null : new Opaque(code, Ty.Bool, atomic);
        }
    }

    private static BinOp? CompareOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.LessThan => BinOp.Lt,
        BinaryOperatorKind.LessThanOrEqual => BinOp.Le,
        BinaryOperatorKind.GreaterThan => BinOp.Gt,
        BinaryOperatorKind.GreaterThanOrEqual => BinOp.Ge,
        BinaryOperatorKind.Equals => BinOp.Eq,
        BinaryOperatorKind.NotEquals => BinOp.Ne,
        _ => null,
    };

    /// <summary>How generated code reads a field or property: static members, or the receiver's own members in an instance method.</summary>
    private string? MemberRead(ISymbol member, IOperation? instance) => Compilation?.IsSymbolAccessibleWithin(member, method.ContainingType) == false ? null : instance switch
    {
        null when member.IsStatic => MemberCode(member),
        IInstanceReferenceOperation when !method.IsStatic => "this." + NameOf(member),
        _ => null,
    };

    private Expr? ElementRead(IOperation array, IOperation index, IOperation whole)
    {
        if (IsRange(array))
        {
            return RangeOf(array) is { } view && IndexInto(view, index) is { } at ? new Elem(view.Base, at, view.IsParameter) : null;
        }

        (string? code, bool isParameter) = ArrayOf(array);
        if (code is null)
        {
            Index(index);
            Report(Descriptors.UnsupportedExpression, whole.Syntax, $"Reading an element of '{array.Syntax}'", "index an array or span parameter, a local array, or a field");
            return null;
        }

        return IndexInto(code, index) is { } i ? new Elem(code, i, isParameter) : null;
    }

    // The code of an array the body reads elements of, and whether it is a parameter or local array (not a field).
    private (string? Code, bool IsParameter) ArrayOf(IOperation array) =>
        StripImplicit(array) switch
        {
            var read when Bound(read, f => f.Arrays) is { IsWhole: true } bound => (bound.Base, bound.IsParameter),
            IParameterReferenceOperation p when Signature.Classify(p.Parameter.Type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span => (NameOf(p.Parameter), true),
            ILocalReferenceOperation l when localArrays.Contains(Local(l.Local)) => (Local(l.Local), true),
            IFieldReferenceOperation f => (MemberRead(f.Field, f.Instance), false),
            IPropertyReferenceOperation { Property.Parameters.Length: 0 } p => (MemberRead(p.Property, p.Instance), false),
            _ => ((string?)null, false),
        };

    // A constant of a generic method's type T: T.Zero, T.One, T.Pi… are numbers the simplifier
    // knows; the ones that depend on T's precision (T.Epsilon, T.MaxValue) are read as written.
    private Expr GenericConstant(IPropertyReferenceOperation constant)
    {
        string name = constant.Property.Name;
        double? value = name switch
        {
            "NegativeOne" => -1,
            "NaN" => double.NaN,
            "PositiveInfinity" => double.PositiveInfinity,
            "NegativeInfinity" => double.NegativeInfinity,
            _ => Emit.ExprWriter.NamedConstants.Where(c => c.Name == name).Select(c => (double?)c.Value).FirstOrDefault(),
        };
        return value is { } v ? new Num(v) : new Opaque($"{scalar}.{name}", Ty.Double, Atomic: true);
    }

    // A static member of a System.Numerics interface called through a generic method's T (T.Sin(x), T.CreateChecked(2)).
    private bool IsGenericMath(IMethodSymbol target) =>
        target.IsStatic && target.ContainingType is { TypeKind: TypeKind.Interface } owner
        && owner.ContainingNamespace?.ToDisplayString() == "System.Numerics"
        && Signature.IsFloating(target.ReturnType) && Signature.FloatingElement(target.ReturnType) == scalar;

    // T.CreateChecked(2), T.CreateTruncating(n), T.CreateSaturating(x): a literal, an integer
    // value converted, or a value of T itself. Any other floating type would mix precisions.
    private Expr? GenericConversion(IInvocationOperation invocation)
    {
        IOperation argument = invocation.Arguments[0].Value;
        IOperation inner = StripImplicit(argument);
        if (inner.ConstantValue is { HasValue: true, Value: { } constant } && constant is IConvertible && inner.Type?.SpecialType is not SpecialType.System_Char)
        {
            return new Num(Convert.ToDouble(constant, CultureInfo.InvariantCulture));
        }

        if (Signature.IsInteger(inner.Type))
        {
            // An integer value of T, constant for differentiation and written as the user wrote it.
            return IntCode(inner, out _) is { } code ? new Opaque($"{scalar}.{invocation.TargetMethod.Name}({code})", Ty.Double, Atomic: true) : null;
        }

        if (Signature.FloatingElement(inner.Type!) == scalar)
        {
            return Expression(inner);
        }

        Report(Descriptors.MixedPrecision, invocation.Syntax, $"The conversion '{Short(invocation)}'", scalar, method.Name);
        return null;
    }

    private Expr? Invocation(IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (target.MethodKind == MethodKind.DelegateInvoke && invocation.Instance is ILocalReferenceOperation called && refusedDelegates.Contains(called.Local))
        {
            return null;
        }

        if (VectorScalar(invocation, out bool vectorHandled) is var vectorScalar && vectorHandled)
        {
            return vectorScalar;
        }

        if (ReadsInPlace(invocation))
        {
            return InlineScalar(invocation, target, target, invocation.Instance, ArgumentsOf(invocation));
        }

        if (!Accessible(target))
        {
            Report(Descriptors.ImplicitCallee, invocation.Syntax, target.Name, $"it is not accessible from '{method.ContainingType.Name}', where the generated code calls its derivative; make it internal or public");
            return null;
        }

        if (IsGenericMath(target) && target.Name is "CreateChecked" or "CreateTruncating" or "CreateSaturating" && invocation.Arguments.Length == 1)
        {
            return GenericConversion(invocation);
        }

        // Math.Sin(x), MathF.Sin(x), the INumber static forms double.Sin(x), float.Sin(x), and T.Sin(x) in a generic method.
        if ((target.ContainingType?.ToDisplayString() is "System.Math" or "System.MathF" or "double" or "float" || IsGenericMath(target))
            && (target.Name == "Log" && target.Parameters.Length == 2 ? (Function: MathFn.LogBase, Arity: 2) : MathFunctions.TryGetValue(target.Name, out var known) ? known : default) is var fn
            && fn.Arity > 0
            && target.Parameters.Length == fn.Arity
            && target.Parameters.All(p => Signature.IsFloating(p.Type)))
        {
            var args = new List<Expr>();
            foreach (IArgumentOperation argument in invocation.Arguments)
            {
                if (Expression(argument.Value) is not { } arg)
                {
                    return null;
                }

                args.Add(arg);
            }

            return new Fn(fn.Function, args.ToEquatableArray());
        }

        Callee? callee = Signature.CalleeOf(target, method.ContainingType);
        if (callee is null && Signature.IsImplicitCandidate(target))
        {
            // A method without [Differentiable] whose body is here: SymDiff differentiates it too,
            // generating its methods beside it, so its types must be partial.
            if (Signature.NotPartial(target) is { } type)
            {
                Report(Descriptors.ImplicitCallee, invocation.Syntax, target.Name, $"its type '{type.Name}' is not partial, so its derivative cannot be generated beside it; make '{type.Name}' partial (or mark '{target.Name}' [Differentiable])");
                return null;
            }

            callee = Signature.CalleeOf(target, method.ContainingType, implicitly: true);
            if (callee is not null)
            {
                ImplicitCalls.Add(new ImplicitCall(DocumentationCommentId.CreateDeclarationId(target.OriginalDefinition) ?? target.ToDisplayString(), target.Name, LocationInfo.From(invocation.Syntax)));
            }
        }

        if (callee is not null)
        {
            if (!CustomDerivatives.IsValid(target))
            {
                // SD0025 already says what is wrong with the registration: generate nothing that calls it.
                CallsBrokenCustomDerivative = true;
                return null;
            }

            if (!target.IsStatic && (invocation.Instance is not IInstanceReferenceOperation || !SymbolEqualityComparer.Default.Equals(target.ContainingType, method.ContainingType)))
            {
                Report(Descriptors.UnsupportedCall, invocation.Syntax, $"{target.ContainingType?.Name}.{target.Name} on another object");
                return null;
            }

            if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, method.OriginalDefinition))
            {
                Report(Descriptors.Recursion, invocation.Syntax, target.Name);
                return null;
            }

            var args = new List<Expr>();
            foreach (IArgumentOperation argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                Expr? arg = callee.Params[argument.Parameter!.Ordinal].Kind switch
                {
                    ParamKind.Double => Expression(argument.Value),
                    ParamKind.Int => IntExpression(argument.Value),
                    ParamKind kind => ArrayArgument(argument.Value, kind, callee.Name, callee.Params[argument.Parameter!.Ordinal].Name),
                };
                if (arg is null)
                {
                    return null;
                }

                args.Add(arg);
            }

            var call = new Call(callee, args.ToEquatableArray());
            Calls.Add((call, invocation.Syntax));
            return call;
        }

        if (target.Parameters.FirstOrDefault(p => MethodParser.StructArrayElement(p.Type) is not null) is { } structArray)
        {
            Report(Descriptors.UnsupportedExpression, invocation.Syntax, $"The call to '{target.Name}' with the array of structs '{structArray.Name}'",
                "an array of structs is passed as the parameter it is, whole or as a range written in place ('pts', 'pts[1..]', 'pts.AsSpan(i, n)'); pass it so, or compute the value in this method");
            return null;
        }

        Report(Descriptors.UnsupportedCall, invocation.Syntax, target.ContainingType is null ? target.Name : $"{target.ContainingType.Name}.{target.Name}");
        return null;
    }

    private Expr? ArrayArgument(IOperation op, ParamKind kind, string callee, string parameter)
    {
        IOperation inner = StripImplicit(op);
        switch (inner)
        {
            case IParameterReferenceOperation p when Signature.Classify(p.Parameter.Type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span:
                return new ArrayRef(NameOf(p.Parameter), IsParameter: true);
            case IFieldReferenceOperation { Field.IsStatic: true } f:
                return new ArrayRef(MemberCode(f.Field), IsParameter: false);
            case var range when IsRange(range) && kind != ParamKind.ReadOnlySpan:
                Report(Descriptors.UnsupportedExpression, op.Syntax, $"The range argument '{Collapse(op.Syntax.ToString())}' of '{callee}'",
                    $"its parameter '{parameter}' is {(kind == ParamKind.Span ? "a Span" : "an array")}, and a range is passed as a read-only span: declare '{parameter}' as ReadOnlySpan<{scalar}>");
                return null;
            case var range when IsRange(range):
                // The callee reads the range as a span; its adjoint and tangent are the same range of the
                // array's (of a parameter or a local array; a field's range is constant).
                return RangeOf(range) is { } view ? new ArrayRef(view.Base, view.IsParameter, $"{view.Start}, {view.Length}") : null;
            default:
                Report(Descriptors.UnsupportedExpression, op.Syntax, $"The array argument '{op.Syntax}'", "pass an array or span parameter, or a static field, as it is");
                return null;
        }
    }

    /// <summary>An index; a long (or other) index becomes an int, as spans of adjoints need.</summary>
    private Expr? Index(IOperation index)
    {
        IOperation inner = index is IConversionOperation { IsImplicit: true } c && Signature.IsInteger(c.Operand.Type) ? c.Operand : index;
        Expr? i = IntExpression(inner);
        return i is Opaque o && inner.Type?.SpecialType != SpecialType.System_Int32 ? new Opaque($"(int){Wrap(o.Code, o.Atomic)}", Ty.Int, false) : i;
    }

    /// <summary>
    /// An integer (or boolean) expression: constant for differentiation, kept as C# code. It may
    /// not depend on a differentiable value, since that would hide a derivative.
    /// </summary>
    private Expr? IntExpression(IOperation op)
    {
        string? code = IntCode(op, out bool atomic);
        return code is null ? null : new Opaque(code, Ty.Int, atomic);
    }

    private string? IntCode(IOperation op, out bool atomic)
    {
        atomic = true;
        if (op.Type?.TypeKind == TypeKind.Enum && op is IFieldReferenceOperation { Field.IsConst: true } enumMember)
        {
            return enumMember.Field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + enumMember.Field.Name;
        }

        if (op.ConstantValue is { HasValue: true } constant && !Signature.IsFloating(op.Type))
        {
            return constant.Value switch
            {
                null => "null",
                bool b => b ? "true" : "false",
                string text => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true),
                char c => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true),

                // The suffix keeps the literal's type, and so the arithmetic's: n * 2L multiplies in long.
                long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                ulong u => u.ToString(CultureInfo.InvariantCulture) + "UL",
                uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
                decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString(),
            };
        }

        if (IsStructMember(op))
        {
            return StructField(op) switch
            {
                Opaque o => o.Code,
                Var v => v.Name,
                _ => null,
            };
        }

        switch (op)
        {
            case ILocalReferenceOperation or IParameterReferenceOperation when BoundConstant(op) is { } bound:
                atomic = bound.Atomic;
                return bound.Code;
            case ILocalReferenceOperation l when Signature.IsConstantType(l.Type):
                return Local(l.Local);
            case IParameterReferenceOperation p when Signature.IsConstantType(p.Type):
                return NameOf(p.Parameter);
            case IFieldReferenceOperation f when Signature.IsConstantType(f.Type) && MemberRead(f.Field, f.Instance) is { } fieldCode:
                return fieldCode;
            case IPropertyReferenceOperation { Property.Parameters.Length: 0 } p when Signature.IsConstantType(p.Type) && p.Property.Name is not ("Length" or "Count") && MemberRead(p.Property, p.Instance) is { } propertyCode:
                return propertyCode;
            case IPropertyReferenceOperation { Property.Name: "Length" or "Count", Instance: { } instance }:
                if (StructArrayElements(instance) is { IsWhole: false } part)
                {
                    // A callee's parameter bound to a range of an array of structs.
                    atomic = false;
                    return part.Length;
                }

                if (IsRange(instance))
                {
                    atomic = false;
                    return RangeOf(instance)?.Length;
                }

                string? receiver = instance switch
                {
                    IParameterReferenceOperation or ILocalReferenceOperation when Bound(instance, f => f.Arrays) is { IsWhole: true } bound => bound.Base,
                    IParameterReferenceOperation p => NameOf(p.Parameter),
                    ILocalReferenceOperation l when localArrays.Contains(Local(l.Local)) => Local(l.Local),
                    IFieldReferenceOperation f => MemberRead(f.Field, f.Instance),
                    { Type.SpecialType: SpecialType.System_String } text => IntCode(text, out bool lengthOfAtomic) is { } lengthOf ? Wrap(lengthOf, lengthOfAtomic) : null,
                    _ => null,
                };
                if (receiver is not null)
                {
                    return receiver + ".Length";
                }

                break;
            case IInvocationOperation call when call.Arguments.Any(a => a.Parameter?.RefKind is RefKind.Ref or RefKind.Out):
                Report(Descriptors.SideEffectCall, op.Syntax, Collapse(op.Syntax.ToString()), "passes an argument by reference, so it may change a differentiated value");
                return null;
            case IInvocationOperation call when Signature.IsConstantType(call.Type) && ReadsConstantInPlace(call):
                return InlineConstant(call);
            case IInvocationOperation call when Signature.IsConstantType(call.Type) && ConstantCall(call) is { } callCode:
                // A call that returns an integer, bool, char, string or enum is a constant for
                // differentiation: it is evaluated as written.
                return callCode;
            case IBinaryOperation binary when IntOperator(binary.OperatorKind) is { } symbol:
                if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr && RefuseConditionalEffect(binary.RightOperand))
                {
                    return null;
                }

                string? left = ConstantOperand(binary.LeftOperand, out bool leftAtomic);
                string? right = ConstantOperand(binary.RightOperand, out bool rightAtomic);
                if (left is null || right is null)
                {
                    return null;
                }

                atomic = false;
                return $"{Wrap(left, leftAtomic)} {symbol} {Wrap(right, rightAtomic)}";
            case IUnaryOperation unary when unary.OperatorKind is UnaryOperatorKind.Minus or UnaryOperatorKind.Not:
                string? operand = IntCode(unary.Operand, out bool operandAtomic);
                return operand is null ? null : (unary.OperatorKind == UnaryOperatorKind.Minus ? "-" : "!") + Wrap(operand, operandAtomic);
            case IConditionalOperation { WhenFalse: { } whenFalse } conditional:
                // n % 4 == 1 ? 1 : -1: integer code throughout, constant for differentiation.
                if (RefuseConditionalEffect(conditional.WhenTrue) || RefuseConditionalEffect(whenFalse))
                {
                    return null;
                }

                string? test = ConstantOperand(conditional.Condition, out bool testAtomic);
                string? yes = IntCode(conditional.WhenTrue, out bool yesAtomic);
                string? no = IntCode(whenFalse, out bool noAtomic);
                if (test is null || yes is null || no is null)
                {
                    return null;
                }

                atomic = false;
                return $"{Wrap(test, testAtomic)} ? {Wrap(yes, yesAtomic)} : {Wrap(no, noAtomic)}";
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { Type.SpecialType: SpecialType.System_String } text }:
                // s[0] on a string: a char.
                string? receiverText = IntCode(text, out bool textAtomic);
                string? at = receiverText is null ? null : IntCode(indexer(op).Arguments[0].Value, out _);
                return receiverText is null || at is null ? null : $"{Wrap(receiverText, textAtomic)}[{at}]";
            case IIncrementOrDecrementOperation increment when Signature.IsInteger(increment.Type):
                return IncrementValue(increment);
            case IConversionOperation conversion when Signature.IsFloating(conversion.Operand.Type) && !conversion.IsImplicit:
                // (int)x reads x's value; the result is a constant for differentiation.
                string? floating = FloatingCode(conversion.Operand);
                if (floating is null)
                {
                    return null;
                }

                atomic = false;
                return $"({conversion.Type!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)})({floating})";
            case IConversionOperation conversion when Signature.IsConstantType(conversion.Operand.Type):
                // (Mode)(int)(i % 2): the operand keeps its parentheses, or the cast would take i alone.
                string? converted = IntCode(conversion.Operand, out bool convertedAtomic);
                atomic = convertedAtomic;
                if (converted is null || conversion.IsImplicit)
                {
                    return converted;
                }

                atomic = false;
                return $"({conversion.Type!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}){Wrap(converted, convertedAtomic)}";
        }

        switch (op)
        {
            case ISwitchExpressionOperation switchExpression:
                atomic = false;
                return SwitchCode(switchExpression);
            case IIsPatternOperation isPattern:
                return IsPattern(isPattern) is { } test ? ConditionCode(test) : null;
        }

        if (op is not (IInvocationOperation or IConversionOperation or ILocalReferenceOperation or IParameterReferenceOperation))
        {
            Refuse(op, statement: false);
            return null;
        }

        // A parameter or local is named by its declared type, as the source spells it (double[]?).
        ITypeSymbol? declared = op switch
        {
            IParameterReferenceOperation p => p.Parameter.Type,
            ILocalReferenceOperation l => l.Local.Type,
            _ => op.Type,
        };
        string what = declared switch
        {
            { SpecialType: SpecialType.System_Boolean } => $"The condition '{Short(op)}'",
            { } t when Signature.IsInteger(t) => $"The integer expression '{Short(op)}'",
            { } t => $"The {t.ToDisplayString()} value '{Short(op)}'",
            _ => $"The expression '{Short(op)}'",
        };
        string advice = op is IInvocationOperation
            ? "a call that returns an integer, bool, char, string or enum may take constants, locals, parameters and arithmetic as arguments, but no ref or out arguments and no receiver other than this object"
            : "constant code may use literals, locals, parameters, fields, .Length, arithmetic, comparisons and calls that return integers";
        Report(Descriptors.UnsupportedExpression, op.Syntax, what, advice);
        return null;
    }

    private static IPropertyReferenceOperation indexer(IOperation op) => (IPropertyReferenceOperation)op;

    // i++ or --i as a value: the update becomes a statement before the one that holds it; a
    // postfix form reads the value from before the update, kept in a local (int iWas = i; i++;).
    private string? IncrementValue(IIncrementOrDecrementOperation increment)
    {
        ISymbol? symbol = increment.Target switch
        {
            ILocalReferenceOperation l => l.Local,
            IParameterReferenceOperation p => p.Parameter,
            _ => null,
        };
        if (symbol is null)
        {
            Report(Descriptors.UnsupportedExpression, increment.Syntax, $"The increment '{Short(increment)}'", "increment a local or a parameter");
            return null;
        }

        int uses = effectScope?.DescendantsAndSelf().Count(d => d switch
        {
            ILocalReferenceOperation l => SymbolEqualityComparer.Default.Equals(l.Local, symbol),
            IParameterReferenceOperation p => SymbolEqualityComparer.Default.Equals(p.Parameter, symbol),
            _ => false,
        }) ?? 1;
        if (uses > 1)
        {
            Report(Descriptors.UnsupportedExpression, increment.Syntax, $"'{Short(increment)}' together with another use of '{symbol.Name}' in the same statement", $"update '{symbol.Name}' in a statement of its own");
            return null;
        }

        string name = symbol is ILocalSymbol local ? Local(local) : NameOf(symbol);
        ITypeSymbol type = increment.Type!;
        int line = LineOf(effectScope ?? increment);
        string source = Collapse(increment.Syntax.ToString());
        string? result = name;
        if (increment.IsPostfix)
        {
            var taken = new HashSet<string>(UsedNames);
            taken.UnionWith(AllIdentifiers);
            result = Names.Fresh(Names.Plain(name) + "Was", taken);
            UsedNames.Add(result);
            string? typeCode = type.SpecialType == SpecialType.System_Int32 ? null : type.ToDisplayString();
            pending.Add(new Decl(result, Ty.Int, new Opaque(name, Ty.Int, true), line, $"{source} (the value before the update)", typeCode));
        }

        pending.Add(new Assign(name, increment.Kind == OperationKind.Increment ? AssignOp.Add : AssignOp.Sub, new Opaque("1", Ty.Int, true), line, source));
        return result;
    }

    // An update inside a branch of &&, || or ?: runs only sometimes: it cannot move before the statement.
    private bool RefuseConditionalEffect(IOperation? op)
    {
        IOperation? effect = op?.DescendantsAndSelf().FirstOrDefault(d => d is IIncrementOrDecrementOperation);
        if (effect is null)
        {
            return false;
        }

        Report(Descriptors.UnsupportedExpression, effect.Syntax, $"'{Short(effect)}' inside a branch of '&&', '||' or '?:'", "update the variable in a statement of its own, before the condition");
        return true;
    }

    // An operand of integer or boolean code: integer code, or a floating value read as it is (i < n with a double n).
    private string? ConstantOperand(IOperation op, out bool atomic)
    {
        if (Signature.IsFloating(op.Type) || (op is IConversionOperation { IsImplicit: true } c && Signature.IsFloating(c.Operand.Type) && Signature.IsFloating(op.Type)))
        {
            atomic = false;
            return FloatingCode(op);
        }

        return IntCode(op, out atomic);
    }

    // Arguments of a constant call are code as well; floating arguments are read, not differentiated.
    private string? ConstantCall(IInvocationOperation call)
    {
        if ((call.TargetMethod.IsStatic is false && call.Instance is not (null or IInstanceReferenceOperation)) || !Accessible(call.TargetMethod))
        {
            return null;
        }

        var args = new List<string>();
        foreach (IArgumentOperation argument in call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
        {
            if (argument.Parameter?.RefKind is not (null or RefKind.None))
            {
                return null;
            }

            string? code = Signature.IsFloating(argument.Value.Type) ? FloatingCode(argument.Value) : IntCode(argument.Value, out _);
            if (code is null)
            {
                return null;
            }

            args.Add(code);
        }

        IMethodSymbol target = call.TargetMethod;
        // A static member of a generic-math interface (T.Sign(x)) is called through T.
        string receiver = !target.IsStatic ? "this"
            : target.ContainingType.TypeKind == TypeKind.Interface && Emit.ExprWriter.IsGenericName(scalar) ? scalar
            : target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return $"{receiver}.{target.Name}({string.Join(", ", args)})";
    }

    // A floating argument of a constant call (Math.Sign(x * y)), read and not differentiated. A
    // literal keeps its own type (0.75f stays float, 3.0 stays double), so the call binds to the
    // overload the source chose; the names in it are renamed with the variables they read.
    private string? FloatingCode(IOperation op)
    {
        IOperation inner = op is IConversionOperation { IsImplicit: true } c && Signature.IsFloating(c.Operand.Type) ? c.Operand : op;
        bool single = inner.Type?.SpecialType == SpecialType.System_Single;
        if (inner.ConstantValue is { HasValue: true, Value: { } constant })
        {
            return Literal(Convert.ToDouble(constant, CultureInfo.InvariantCulture), single);
        }

        if (Expression(inner) is not { } expression)
        {
            return null;
        }

        using IDisposable dialect = Emit.ExprWriter.Dialect(scalar);
        string code = Emit.ExprWriter.Write(expression);
        string type = Signature.FloatingElement(inner.Type!) ?? scalar;
        return type == scalar ? code : $"({type})({code})";
    }

    private static string Literal(double value, bool single)
    {
        string type = single ? "float" : "double";
        if (double.IsNaN(value))
        {
            return type + ".NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? type + ".PositiveInfinity" : type + ".NegativeInfinity";
        }

        string text = single ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);
        return single ? text + "f" : text.IndexOfAny(['.', 'E']) < 0 ? text + ".0" : text;
    }

    private static string Wrap(string code, bool atomic) => atomic ? code : "(" + code + ")";

    private static string? IntOperator(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "+",
        BinaryOperatorKind.Subtract => "-",
        BinaryOperatorKind.Multiply => "*",
        BinaryOperatorKind.Divide => "/",
        BinaryOperatorKind.Remainder => "%",
        BinaryOperatorKind.And => "&",
        BinaryOperatorKind.Or => "|",
        BinaryOperatorKind.ExclusiveOr => "^",
        BinaryOperatorKind.LeftShift => "<<",
        BinaryOperatorKind.RightShift => ">>",
        BinaryOperatorKind.LessThan => "<",
        BinaryOperatorKind.LessThanOrEqual => "<=",
        BinaryOperatorKind.GreaterThan => ">",
        BinaryOperatorKind.GreaterThanOrEqual => ">=",
        BinaryOperatorKind.Equals => "==",
        BinaryOperatorKind.NotEquals => "!=",
        BinaryOperatorKind.ConditionalAnd => "&&",
        BinaryOperatorKind.ConditionalOr => "||",
        _ => null,
    };

    private static BinOp? ArithmeticOp(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => BinOp.Add,
        BinaryOperatorKind.Subtract => BinOp.Sub,
        BinaryOperatorKind.Multiply => BinOp.Mul,
        BinaryOperatorKind.Divide => BinOp.Div,
        _ => null,
    };

    /// <summary>How generated code names a static member: simply inside the method's own types, fully qualified elsewhere.</summary>
    private string MemberCode(ISymbol member)
    {
        for (INamedTypeSymbol? t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, member.ContainingType))
            {
                UsedNames.Add(NameOf(member));
                return NameOf(member);
            }
        }

        return member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + NameOf(member);
    }

    private static bool Reads(Expr e, string name) => e switch
    {
        Var v => v.Name == name,
        Neg n => Reads(n.Operand, name),
        Binary b => Reads(b.Left, name) || Reads(b.Right, name),
        Fn f => f.Args.Any(a => Reads(a, name)),
        Call c => c.Args.Any(a => Reads(a, name)),
        Elem el => Reads(el.Index, name),
        _ => false,
    };

    private static string DescribeTarget(IOperation target) => target switch
    {
        IArrayElementReferenceOperation => $"the array element '{target.Syntax}'",
        IPropertyReferenceOperation { Property.IsIndexer: true } => $"the span element '{target.Syntax}'",
        IFieldReferenceOperation f => $"the field '{f.Field.Name}'",
        IPropertyReferenceOperation p => $"the property '{p.Property.Name}'",
        _ => $"'{target.Syntax}'",
    };

    /// <summary>Reports an unsupported construct with the diagnostic that names it best.</summary>
    private void Refuse(IOperation op, bool statement)
    {
        switch (op)
        {
            case IBranchOperation { BranchKind: BranchKind.GoTo }:
                Report(Descriptors.Goto, op.Syntax, Short(op));
                return;
            case ITryOperation or IThrowOperation or IUsingOperation or ILockOperation:
                Report(Descriptors.ExceptionHandling, op.Syntax, op switch
                {
                    ITryOperation => "A try statement",
                    IThrowOperation => "A throw",
                    IUsingOperation => "A using statement",
                    _ => "A lock statement",
                });
                return;
            case IAnonymousFunctionOperation or IDelegateCreationOperation or ITranslatedQueryOperation:
                Report(Descriptors.FunctionValue, op.Syntax, op switch
                {
                    ITranslatedQueryOperation => "A LINQ query",
                    _ => $"The lambda '{Short(op)}'",
                });
                return;
            case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicIndexerAccessOperation:
            case { Type.TypeKind: TypeKind.Dynamic }:
                Report(Descriptors.Dynamic, op.Syntax, Short(op));
                return;
            case IAddressOfOperation:
            case { Type.TypeKind: TypeKind.Pointer or TypeKind.FunctionPointer }:
                Report(Descriptors.Unsafe, op.Syntax, $"'{Short(op)}'");
                return;
        }

        if (op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.UnsafeStatementSyntax)
        {
            Report(Descriptors.Unsafe, op.Syntax, "An unsafe block");
            return;
        }

        (string what, string advice) = op switch
        {
            IBranchOperation b => ($"A '{b.BranchKind.ToString().ToLowerInvariant()}' here", "use break and continue inside loops, and return"),
            IBinaryOperation b when Signature.IsFloating(b.LeftOperand.Type) || Signature.IsFloating(b.RightOperand.Type) =>
                ($"The operator '{OperatorText(b)}' on floating-point values in '{Short(op)}'", "differentiable arithmetic is +, -, * and /; write the operation with those or with a System.Math function"),
            IBinaryOperation b => ($"The operator '{OperatorText(b)}' in '{Short(op)}'", "use arithmetic, comparisons and logic on integers, and +, -, *, / on floating-point values"),
            IIsTypeOperation => ($"The type test '{Short(op)}'", "compare values with <, <=, >, >=, == or != or with constant and relational patterns"),
            IObjectCreationOperation or IAnonymousObjectCreationOperation => ($"Creating an object in '{Short(op)}'", "compute with floating-point values, arrays and spans"),
            IArrayCreationOperation => ($"Creating an array in '{Short(op)}'", "declare a local array 'double[] a = new double[n];' at the top of the method"),
            ITupleOperation or IDeconstructionAssignmentOperation => ($"The tuple '{Short(op)}'", "use separate locals"),
            IInterpolatedStringOperation => ($"The interpolated string '{Short(op)}'", "build strings outside the differentiated method"),
            ICoalesceOperation or IConditionalAccessOperation => ($"The null test '{Short(op)}'", "test for null before calling the method"),
            IFieldReferenceOperation f => ($"Reading the field '{f.Field.Name}' of another object", "read fields of this object or static fields, or pass the value as a parameter"),
            IPropertyReferenceOperation p => ($"Reading the property '{p.Property.Name}' of another object", "read properties of this object or static ones, or pass the value as a parameter"),
            ILocalReferenceOperation l => ($"The local '{l.Local.Name}' of type '{l.Local.Type.ToDisplayString()}'", "use floating-point, integer, bool, char or string locals"),
            IIncrementOrDecrementOperation => ($"'{Short(op)}' on a floating-point value inside an expression", "write the update as a statement of its own"),
            ISimpleAssignmentOperation or ICompoundAssignmentOperation => ($"The assignment inside an expression '{Short(op)}'", "write the assignment as a statement of its own"),
            _ => ($"The expression '{Short(op)}'", "see the supported subset in the SymDiff README"),
        };
        Report(statement ? Descriptors.UnsupportedStatement : Descriptors.UnsupportedExpression, op.Syntax, what, advice);
    }

    private static string OperatorText(IBinaryOperation b) => IntOperator(b.OperatorKind) ?? b.OperatorKind switch
    {
        BinaryOperatorKind.UnsignedRightShift => ">>>",
        _ => Collapse(b.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax s ? s.OperatorToken.Text : b.OperatorKind.ToString()),
    };

    private static string Short(IOperation op)
    {
        string text = Collapse(op.Syntax.ToString());
        return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
    }
}
