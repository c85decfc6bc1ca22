using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// System.Numerics.Vector2, Vector3 and Vector4 in a float method: a vector is its fields X, Y, Z,
// W like any struct, and its operators and methods are written out on them: a + b is one sum per
// field, Vector3.Dot(a, b) the dot product a·b, a.Length() the norm ‖a‖, each component of
// Normalize xₖ / ‖x‖ (the norm computed once), of Cross a 2×2 determinant, of Lerp a·(1 − t) + b·t:
// primitives with rows of their own in the rule table, written out as that arithmetic. So each is
// differentiated by those rows and the rules of arithmetic and System.Math functions.
internal sealed partial class BodyParser
{
    private static readonly Dictionary<string, float[]> VectorConstants = new()
    {
        ["Zero"] = [0, 0, 0, 0],
        ["One"] = [1, 1, 1, 1],
        ["UnitX"] = [1, 0, 0, 0],
        ["UnitY"] = [0, 1, 0, 0],
        ["UnitZ"] = [0, 0, 1, 0],
        ["UnitW"] = [0, 0, 0, 1],
    };

    private static readonly HashSet<string> VectorMethods =
        ["Add", "Subtract", "Multiply", "Divide", "Negate", "Abs", "SquareRoot", "Min", "Max", "Normalize", "Lerp", "Cross", "Dot", "Length", "LengthSquared", "Distance", "DistanceSquared", "Transform", "TransformNormal"];

    private static bool IsVector(ITypeSymbol? type) => StructLayout.VectorSize(type) > 0;

    private static List<(string Path, Expr Value)> Fields(IEnumerable<Expr> values) =>
        values.Select((v, k) => (StructLayout.VectorFields[k], v)).ToList();

    /// <summary>A vector-valued operation (<c>a + b</c>, <c>new Vector2(x, y)</c>, <c>Vector3.Normalize(v)</c>) field by field, or null when it is none.</summary>
    private List<(string Path, Expr Value)>? VectorValue(IOperation op, out bool handled)
    {
        handled = true;
        int size = StructLayout.VectorSize(op.Type);
        switch (op)
        {
            case IObjectCreationOperation creation when creation.Initializer is null:
                var args = creation.Arguments.Select(a => a.Value).ToList();
                if (args.Count == size && args.All(a => Signature.IsFloating(a.Type)))
                {
                    return All(args.Select(Expression));
                }

                if (args.Count == 1 && Signature.IsFloating(args[0].Type) && Expression(args[0]) is { } broadcast)
                {
                    return Fields(Enumerable.Repeat(broadcast, size));
                }

                if (args.Count == 2 && IsVector(args[0].Type) && StructValue(args[0]) is { } head && Expression(args[1]) is { } last)
                {
                    return Fields(head.Select(f => f.Value).Append(last));
                }

                break;
            case IPropertyReferenceOperation { Instance: null, Property.Name: var name } when VectorConstants.TryGetValue(name, out float[]? constant):
                return Fields(constant.Take(size).Select(c => (Expr)new Num(c)));
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus when StructValue(minus.Operand) is { } operand:
                return Fields(operand.Select(f => (Expr)new Neg(f.Value)));
            case IBinaryOperation binary when ArithmeticOp(binary.OperatorKind) is { } binOp:
                return Componentwise(binOp, binary.LeftOperand, binary.RightOperand, size);
            case IInvocationOperation { Instance: null } call when IsVector(call.TargetMethod.ContainingType):
                var a = call.Arguments.Select(x => x.Value).ToList();
                switch (call.TargetMethod.Name, a.Count)
                {
                    case ("Add", 2): return Componentwise(BinOp.Add, a[0], a[1], size);
                    case ("Transform" or "TransformNormal", 2) when IsNumerics(a[1].Type) && !IsVector(a[1].Type):
                        return Transform(call, size, a[0], a[1]);
                    case ("Subtract", 2): return Componentwise(BinOp.Sub, a[0], a[1], size);
                    case ("Multiply", 2): return Componentwise(BinOp.Mul, a[0], a[1], size);
                    case ("Divide", 2): return Componentwise(BinOp.Div, a[0], a[1], size);
                    case ("Negate", 1) when StructValue(a[0]) is { } v: return Fields(v.Select(f => (Expr)new Neg(f.Value)));
                    case ("Abs" or "SquareRoot", 1) when StructValue(a[0]) is { } v:
                        return Fields(v.Select(f => (Expr)new Fn(call.TargetMethod.Name == "Abs" ? MathFn.Abs : MathFn.Sqrt, new[] { f.Value }.ToEquatableArray())));
                    case ("Min" or "Max", 2) when StructValue(a[0]) is { } p && StructValue(a[1]) is { } q:
                        return Fields(p.Zip(q, (x, y) => (Expr)new Fn(call.TargetMethod.Name == "Min" ? MathFn.Min : MathFn.Max, new[] { x.Value, y.Value }.ToEquatableArray())));
                    case ("Normalize", 1) when StructValue(a[0]) is { } v:
                        return Normalized(v);
                    case ("Lerp", 3) when StructValue(a[0]) is { } p && StructValue(a[1]) is { } q && Expression(a[2]) is { } t:
                        return Fields(p.Zip(q, (x, y) => Symbolic.E.F(MathFn.Lerp, x.Value, y.Value, t)));
                    case ("Cross", 2) when size == 3 && StructValue(a[0]) is { } p && StructValue(a[1]) is { } q:
                        Expr Minor(int i, int j) => Symbolic.E.F(MathFn.Det2, p[i].Value, q[j].Value, p[j].Value, q[i].Value);
                        return Fields([Minor(1, 2), Minor(2, 0), Minor(0, 1)]);
                }

                if (!VectorMethods.Contains(call.TargetMethod.Name))
                {
                    // (A known method whose arguments did not parse was reported there.)
                    RefuseVectorMethod(call);
                }

                return null;
        }

        handled = false;
        return null;
    }

    // All or nothing: the fields when every one parsed.
    private static List<(string Path, Expr Value)>? All(IEnumerable<Expr?> values)
    {
        var list = values.ToList();
        return list.Any(v => v is null) ? null : Fields(list!);
    }

    // a op b for two vectors, or a vector and a scalar on either side.
    private List<(string Path, Expr Value)>? Componentwise(BinOp op, IOperation left, IOperation right, int size)
    {
        List<Expr>? Side(IOperation side) => IsVector(side.Type)
            ? StructValue(side)?.Select(f => f.Value).ToList()
            : Expression(side) is { } scalarValue ? Enumerable.Repeat(scalarValue, size).ToList() : null;
        List<Expr>? l = Side(left), r = Side(right);
        return l is null || r is null ? null : Fields(l.Zip(r, (x, y) => (Expr)new Binary(op, x, y)));
    }

    // ‖v‖, the primitive with its own rule row (its gradient is 0 at v = 0, not NaN).
    private static Expr Norm(List<(string Path, Expr Value)> v) => new Fn(MathFn.Norm, v.Select(f => f.Value).ToEquatableArray());

    // a·b, the primitive of Dot, LengthSquared and DistanceSquared.
    private static Expr DotRow(List<(string Path, Expr Value)> a, List<(string Path, Expr Value)> b) =>
        new Fn(MathFn.Dot, a.Concat(b).Select(f => f.Value).ToEquatableArray());

    // v / ‖v‖, component by component through the Normalize row, the norm computed once.
    private static List<(string Path, Expr Value)> Normalized(List<(string Path, Expr Value)> v)
    {
        Expr length = Norm(v);
        return Fields(v.Select((f, k) => Symbolic.E.F(MathFn.Normalize, [.. v.Select(e => e.Value), new Num(k), length])));
    }

    /// <summary>A scalar of vectors: <c>Vector2.Dot(a, b)</c>, <c>a.Length()</c>, <c>a.LengthSquared()</c>, <c>Vector3.Distance(a, b)</c>, <c>Vector3.DistanceSquared(a, b)</c>.</summary>
    private Expr? VectorScalar(IInvocationOperation call, out bool handled)
    {
        handled = (IsVector(call.TargetMethod.ContainingType) || IsNamed(call.TargetMethod.ContainingType, "Quaternion")) && Signature.IsFloating(call.Type);
        if (!handled)
        {
            return null;
        }

        var a = (call.Instance is null ? [] : new[] { call.Instance }).Concat(call.Arguments.Select(x => x.Value)).ToList();
        List<(string Path, Expr Value)>? p = a.Count > 0 ? StructValue(a[0]) : null;
        List<(string Path, Expr Value)>? q = a.Count > 1 ? StructValue(a[1]) : null;
        if (p is null || a.Count > 1 && q is null)
        {
            return null;
        }

        List<(string Path, Expr Value)> Difference() => p.Zip(q!, (x, y) => (x.Path, (Expr)new Binary(BinOp.Sub, x.Value, y.Value))).ToList();
        switch (call.TargetMethod.Name, a.Count)
        {
            case ("Dot", 2):
                return DotRow(p, q!);
            case ("LengthSquared", 1):
                return DotRow(p, p);
            case ("Length", 1):
                return Norm(p);
            case ("DistanceSquared", 2):
                return DotRow(Difference(), Difference());
            case ("Distance", 2):
                return Norm(Difference());
        }

        if (!VectorMethods.Contains(call.TargetMethod.Name))
        {
            RefuseVectorMethod(call);
        }

        return null;
    }

    private void RefuseVectorMethod(IInvocationOperation call) =>
        Report(Descriptors.UnsupportedExpression, call.Syntax, $"The vector method '{call.TargetMethod.ContainingType.Name}.{call.TargetMethod.Name}'",
            "SymDiff writes out +, -, *, / and unary minus, Dot, Length, LengthSquared, Distance, DistanceSquared, Normalize, Lerp, Cross, Min, Max, Abs, SquareRoot, and Transform and TransformNormal by a Quaternion, Matrix3x2 or Matrix4x4; write other operations on the fields X, Y, Z, W");
}
