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
    };

    /// <summary>A double-valued expression; null after reporting when it is not supported.</summary>
    private Expr? Expression(IOperation op)
    {
        if (Signature.IsInteger(op.Type))
        {
            return IntExpression(op);
        }

        if (op.ConstantValue is { HasValue: true, Value: { } constant } && op.Type?.SpecialType == SpecialType.System_Double)
        {
            return new Num(Convert.ToDouble(constant, CultureInfo.InvariantCulture));
        }

        switch (op)
        {
            case ILocalReferenceOperation local when local.Local.Type.SpecialType == SpecialType.System_Double:
                UsedNames.Add(local.Local.Name);
                return new Var(local.Local.Name, Ty.Double);
            case IParameterReferenceOperation p when p.Parameter.Type.SpecialType == SpecialType.System_Double:
                return new Var(p.Parameter.Name, Ty.Double);
            case IFieldReferenceOperation { Field.IsStatic: true } field when field.Type?.SpecialType == SpecialType.System_Double:
                return new Opaque(MemberCode(field.Field), Ty.Double, Atomic: true);
            case IPropertyReferenceOperation { Property.IsStatic: true, Property.Parameters.Length: 0 } property when property.Type?.SpecialType == SpecialType.System_Double:
                return new Opaque(MemberCode(property.Property), Ty.Double, Atomic: true);
            case IArrayElementReferenceOperation { Indices.Length: 1 } element:
                return ElementRead(element.ArrayReference, element.Indices[0], element);
            case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer when indexer.Instance is not null:
                return ElementRead(indexer.Instance, indexer.Arguments[0].Value, indexer);
            case IBinaryOperation binary when ArithmeticOp(binary.OperatorKind) is { } binOp:
                Expr? left = Expression(binary.LeftOperand);
                Expr? right = Expression(binary.RightOperand);
                return left is null || right is null ? null : new Binary(binOp, left, right);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus:
                return Expression(minus.Operand) is { } operand ? new Neg(operand) : null;
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Plus } plus:
                return Expression(plus.Operand);
            case IConversionOperation conversion when Signature.IsInteger(conversion.Operand.Type):
                return IntExpression(conversion.Operand);
            case IConversionOperation conversion when conversion.Operand.Type?.SpecialType == SpecialType.System_Double:
                return Expression(conversion.Operand);
            case IInvocationOperation invocation:
                return Invocation(invocation);
            default:
                Report(Descriptors.UnsupportedExpression, op.Syntax, Describe(op), Advice(op));
                return null;
        }
    }

    private Expr? ElementRead(IOperation array, IOperation index, IOperation whole)
    {
        Expr? i = IntExpression(index);
        switch (array)
        {
            case IParameterReferenceOperation p when Signature.Classify(p.Parameter.Type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span:
                return i is null ? null : new Elem(p.Parameter.Name, i, IsParameter: true);
            case IFieldReferenceOperation { Field.IsStatic: true } f:
                return i is null ? null : new Elem(MemberCode(f.Field), i, IsParameter: false);
            default:
                Report(Descriptors.UnsupportedExpression, whole.Syntax, $"Reading an element of '{array.Syntax}'", "index a double[] or span parameter, or a static field");
                return null;
        }
    }

    private Expr? Invocation(IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (target.ContainingType?.ToDisplayString() == "System.Math"
            && MathFunctions.TryGetValue(target.Name, out var fn)
            && target.Parameters.Length == fn.Arity
            && target.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Double))
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

        if (Signature.CalleeOf(target, method.ContainingType) is { } callee)
        {
            if (SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, method.OriginalDefinition))
            {
                Report(Descriptors.UnsupportedExpression, invocation.Syntax, $"The recursive call to '{target.Name}'", "rewrite the recursion as a loop");
                return null;
            }

            var args = new List<Expr>();
            foreach (IArgumentOperation argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
            {
                Expr? arg = callee.Params[argument.Parameter!.Ordinal].Kind switch
                {
                    ParamKind.Double => Expression(argument.Value),
                    ParamKind.Int => IntExpression(argument.Value),
                    _ => ArrayArgument(argument.Value),
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

        Report(Descriptors.UnsupportedCall, invocation.Syntax, target.ContainingType is null ? target.Name : $"{target.ContainingType.Name}.{target.Name}");
        return null;
    }

    private Expr? ArrayArgument(IOperation op)
    {
        IOperation inner = op is IConversionOperation { IsImplicit: true } c ? c.Operand : op;
        switch (inner)
        {
            case IParameterReferenceOperation p when Signature.Classify(p.Parameter.Type) is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span:
                return new ArrayRef(p.Parameter.Name, IsParameter: true);
            case IFieldReferenceOperation { Field.IsStatic: true } f:
                return new ArrayRef(MemberCode(f.Field), IsParameter: false);
            default:
                Report(Descriptors.UnsupportedExpression, op.Syntax, $"The array argument '{op.Syntax}'", "pass an array or span parameter, or a static field, as it is");
                return null;
        }
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
        if (op.ConstantValue is { HasValue: true, Value: { } value } && op.Type?.SpecialType is not SpecialType.System_Double)
        {
            return value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }

        switch (op)
        {
            case ILocalReferenceOperation l when Signature.IsInteger(l.Type):
                UsedNames.Add(l.Local.Name);
                return l.Local.Name;
            case IParameterReferenceOperation p when Signature.IsInteger(p.Type):
                return p.Parameter.Name;
            case IFieldReferenceOperation { Field.IsStatic: true } f when Signature.IsInteger(f.Type):
                return MemberCode(f.Field);
            case IPropertyReferenceOperation { Property.Name: "Length" or "Count", Instance: { } instance }:
                string? receiver = instance switch
                {
                    IParameterReferenceOperation p => p.Parameter.Name,
                    IFieldReferenceOperation { Field.IsStatic: true } f => MemberCode(f.Field),
                    _ => null,
                };
                if (receiver is not null)
                {
                    return receiver + ".Length";
                }

                break;
            case IBinaryOperation binary when IntOperator(binary.OperatorKind) is { } symbol:
                string? left = IntCode(binary.LeftOperand, out bool leftAtomic);
                string? right = IntCode(binary.RightOperand, out bool rightAtomic);
                if (left is null || right is null)
                {
                    return null;
                }

                atomic = false;
                return $"{Wrap(left, leftAtomic)} {symbol} {Wrap(right, rightAtomic)}";
            case IUnaryOperation unary when unary.OperatorKind is UnaryOperatorKind.Minus or UnaryOperatorKind.Not:
                string? operand = IntCode(unary.Operand, out bool operandAtomic);
                return operand is null ? null : (unary.OperatorKind == UnaryOperatorKind.Minus ? "-" : "!") + Wrap(operand, operandAtomic);
            case IConversionOperation conversion when Signature.IsInteger(conversion.Operand.Type):
                string? converted = IntCode(conversion.Operand, out atomic);
                if (converted is null || conversion.IsImplicit)
                {
                    return converted;
                }

                return $"({conversion.Type!.ToDisplayString()}){Wrap(converted, atomic)}";
        }

        string what = op.Type is { } t && !Signature.IsInteger(t) && t.SpecialType != SpecialType.System_Boolean
            ? $"Converting the {t.ToDisplayString()} '{op.Syntax}' to an integer"
            : $"The integer expression '{op.Syntax}'";
        Report(Descriptors.UnsupportedExpression, op.Syntax, what, "integer expressions may use literals, integer locals and parameters, static fields, .Length and arithmetic");
        return null;
    }

    private static string Wrap(string code, bool atomic) => atomic ? code : "(" + code + ")";

    private static string? IntOperator(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Add => "+",
        BinaryOperatorKind.Subtract => "-",
        BinaryOperatorKind.Multiply => "*",
        BinaryOperatorKind.Divide => "/",
        BinaryOperatorKind.Remainder => "%",
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
                UsedNames.Add(member.Name);
                return member.Name;
            }
        }

        return member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + member.Name;
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

    private static string Describe(IOperation op) => op switch
    {
        IConditionalOperation { IsRef: false } when op.Type is not null => $"The conditional expression '{Short(op)}'",
        IConditionalOperation => "An if statement",
        IWhileLoopOperation => "A while or do loop",
        IForEachLoopOperation => "A foreach loop",
        ISwitchOperation or ISwitchExpressionOperation => "A switch",
        ITryOperation => "A try statement",
        IBranchOperation b => $"A '{b.BranchKind.ToString().ToLowerInvariant()}' statement",
        IAnonymousFunctionOperation or IDelegateCreationOperation => "A lambda",
        ILocalFunctionOperation => "A local function",
        IThrowOperation => "A throw",
        IFieldReferenceOperation { Field.IsStatic: false } f => $"The instance field '{f.Field.Name}'",
        IBinaryOperation b => $"The operator '{b.OperatorKind}' in '{Short(op)}'",
        _ when op.Type is { } t && t.SpecialType == SpecialType.System_Single => $"The float expression '{Short(op)}'",
        _ => $"'{Short(op)}' ({op.Kind})",
    };

    private static string Advice(IOperation op) => op switch
    {
        IConditionalOperation => "branches arrive in a later version; for a kink use Math.Max, Math.Min or Math.Abs",
        IWhileLoopOperation or IForEachLoopOperation => "use a counted for-loop over an integer",
        IBranchOperation => "let the loop run to its end",
        _ when op.Type is { } t && t.SpecialType == SpecialType.System_Single => "use double; float support arrives in a later version",
        _ => "see the supported subset in the SymDiff README",
    };

    private static string Short(IOperation op)
    {
        string text = Collapse(op.Syntax.ToString());
        return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
    }
}
