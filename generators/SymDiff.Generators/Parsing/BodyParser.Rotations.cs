using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Parsing;

// System.Numerics.Quaternion, Matrix3x2 and Matrix4x4 in a float method, and the vector
// transforms by them: like the vectors, each is its float fields (X, Y, Z, W; M11 … M44), and each
// operation is written out on the fields as System.Numerics computes it, so its derivative is that
// of its arithmetic. The tests compare every one against central differences of the real method.
internal sealed partial class BodyParser
{
    private static bool IsNumerics(ITypeSymbol? type) => StructLayout.NumericsFields(type) is not null;

    private static bool IsNamed(ITypeSymbol? type, string name) => IsNumerics(type) && type!.Name == name;

    private static Expr Mul(Expr a, Expr b) => new Binary(BinOp.Mul, a, b);

    private static Expr Add(Expr a, Expr b) => new Binary(BinOp.Add, a, b);

    private static Expr Sub(Expr a, Expr b) => new Binary(BinOp.Sub, a, b);

    private static Expr Sum(IEnumerable<Expr> terms) => terms.Aggregate(Add);

    private static Expr Sin(Expr a) => new Fn(MathFn.Sin, new[] { a }.ToEquatableArray());

    private static Expr Cos(Expr a) => new Fn(MathFn.Cos, new[] { a }.ToEquatableArray());

    private static Expr Half(Expr a) => Mul(a, new Num(0.5));

    // The fields of a value of 'type' from their values in constructor order.
    private static List<(string Path, Expr Value)> Named(ITypeSymbol type, IEnumerable<Expr> values) =>
        StructLayout.NumericsFields(type)!.Zip(values, (f, v) => (f, v)).ToList();

    private static List<(string Path, Expr Value)> Identity(ITypeSymbol type) =>
        Named(type, StructLayout.NumericsFields(type)!.Select(f => (Expr)(f is "W" || f.Length == 3 && f[1] == f[2] ? Num.One : Num.Zero)));

    private static Expr At(List<(string Path, Expr Value)> value, string path) => value.First(f => f.Path == path).Value;

    /// <summary>A quaternion- or matrix-valued operation field by field, or null when it is none (handled false) or refused (reported).</summary>
    private List<(string Path, Expr Value)>? RotationValue(IOperation op, out bool handled)
    {
        handled = true;
        ITypeSymbol type = op.Type!;
        string[] fields = StructLayout.NumericsFields(type)!;
        switch (op)
        {
            case IObjectCreationOperation { Initializer: null } creation:
                var args = creation.Arguments.Select(a => a.Value).ToList();
                if (args.Count == fields.Length && args.All(a => Signature.IsFloating(a.Type)))
                {
                    var values = args.Select(Expression).ToList();
                    return values.Any(v => v is null) ? null : Named(type, values!);
                }

                if (type.Name == "Quaternion" && args.Count == 2 && StructValue(args[0]) is { Count: 3 } axis && Expression(args[1]) is { } w)
                {
                    return Named(type, axis.Select(f => f.Value).Append(w));
                }

                break;
            case IPropertyReferenceOperation { Instance: null, Property.Name: "Identity" }:
                return Identity(type);
            case IPropertyReferenceOperation { Instance: null, Property.Name: "Zero" }:
                return Named(type, fields.Select(_ => (Expr)Num.Zero));
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Minus } minus when StructValue(minus.Operand) is { } operand:
                return Named(type, operand.Select(f => (Expr)new Neg(f.Value)));
            case IBinaryOperation binary when ArithmeticOp(binary.OperatorKind) is BinOp.Add or BinOp.Sub or BinOp.Mul:
                return Combine(type, ArithmeticOp(binary.OperatorKind)!.Value, binary.LeftOperand, binary.RightOperand);
            case IInvocationOperation { Instance: null } call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, type):
                if (StaticRotation(call, type) is var result && result.Handled)
                {
                    return result.Value;
                }

                break;
            default:
                handled = false;
                return null;
        }

        Report(Descriptors.UnsupportedExpression, op.Syntax, $"The {type.Name} operation '{Collapse(op.Syntax.ToString())}'",
            "SymDiff writes out the constructors, Identity, Zero, +, -, * and unary minus of Quaternion, Matrix3x2 and Matrix4x4, Quaternion's Conjugate, Inverse, Normalize, Lerp, Concatenate, CreateFromAxisAngle and CreateFromYawPitchRoll, Matrix4x4's Transpose, CreateScale, CreateTranslation, CreateRotationX/Y/Z and CreateFromQuaternion, Matrix3x2's CreateScale and CreateTranslation, and the vectors' Transform and TransformNormal by them; write other operations on the fields");
        return null;
    }

    // a + b, a - b, a * b of two quaternions or matrices, or one scaled by a float.
    private List<(string Path, Expr Value)>? Combine(ITypeSymbol type, BinOp op, IOperation left, IOperation right)
    {
        bool leftScalar = Signature.IsFloating(left.Type), rightScalar = Signature.IsFloating(right.Type);
        if (leftScalar || rightScalar)
        {
            if (op != BinOp.Mul || Expression(leftScalar ? left : right) is not { } k || StructValue(leftScalar ? right : left) is not { } v)
            {
                return null;
            }

            return Named(type, v.Select(f => Mul(f.Value, k)));
        }

        if (StructValue(left) is not { } a || StructValue(right) is not { } b)
        {
            return null;
        }

        return op switch
        {
            BinOp.Mul when type.Name == "Quaternion" => Hamilton(a, b),
            BinOp.Mul => MatrixProduct(type, a, b),
            _ => Named(type, a.Zip(b, (x, y) => (Expr)new Binary(op, x.Value, y.Value))),
        };
    }

    // The Hamilton product a·b, as Quaternion.Multiply computes it.
    private static List<(string Path, Expr Value)> Hamilton(List<(string Path, Expr Value)> a, List<(string Path, Expr Value)> b)
    {
        Expr ax = a[0].Value, ay = a[1].Value, az = a[2].Value, aw = a[3].Value, bx = b[0].Value, by = b[1].Value, bz = b[2].Value, bw = b[3].Value;
        return Fields(
        [
            Add(Add(Mul(ax, bw), Mul(bx, aw)), Sub(Mul(ay, bz), Mul(az, by))),
            Add(Add(Mul(ay, bw), Mul(by, aw)), Sub(Mul(az, bx), Mul(ax, bz))),
            Add(Add(Mul(az, bw), Mul(bz, aw)), Sub(Mul(ax, by), Mul(ay, bx))),
            Sub(Mul(aw, bw), Sum([Mul(ax, bx), Mul(ay, by), Mul(az, bz)])),
        ]);
    }

    // The row-major product of two matrices (a 3x2 matrix is an affine 3x3 whose last column is 0, 0, 1).
    private static List<(string Path, Expr Value)> MatrixProduct(ITypeSymbol type, List<(string Path, Expr Value)> a, List<(string Path, Expr Value)> b)
    {
        bool affine = type.Name == "Matrix3x2";
        Expr Entry(List<(string Path, Expr Value)> m, int row, int column) =>
            affine && column == 3 ? (row == 3 ? Num.One : Num.Zero) : At(m, $"M{row}{column}");
        int inner = affine ? 3 : 4;
        return StructLayout.NumericsFields(type)!.Select(f =>
        {
            int row = f[1] - '0', column = f[2] - '0';
            return (f, Sum(Enumerable.Range(1, inner).Select(k => Mul(Entry(a, row, k), Entry(b, k, column)))));
        }).ToList();
    }

    private (bool Handled, List<(string Path, Expr Value)>? Value) StaticRotation(IInvocationOperation call, ITypeSymbol type)
    {
        var a = call.Arguments.Select(x => x.Value).ToList();
        List<Expr>? Scalars()
        {
            if (!a.All(x => Signature.IsFloating(x.Type)))
            {
                return null;
            }

            var list = a.Select(Expression).ToList();
            return list.Any(e => e is null) ? null : list.Select(e => e!).ToList();
        }

        List<(string Path, Expr Value)>? Only(int k) => StructValue(a[k]);
        string name = call.TargetMethod.Name;
        switch (name, a.Count)
        {
            case ("Add" or "Subtract", 2):
                return (true, Combine(type, name == "Add" ? BinOp.Add : BinOp.Sub, a[0], a[1]));
            case ("Multiply", 2):
                return (true, Combine(type, BinOp.Mul, a[0], a[1]));
            case ("Negate", 1):
                return (true, Only(0) is { } negated ? Named(type, negated.Select(f => (Expr)new Neg(f.Value))) : null);
        }

        if (type.Name == "Quaternion")
        {
            switch (name, a.Count)
            {
                case ("Conjugate", 1):
                    return (true, Only(0) is { } conjugated ? Fields(Conjugate(conjugated)) : null);
                case ("Inverse", 1) when Only(0) is { } inverted:
                    Expr norm = DotRow(inverted, inverted);
                    return (true, Fields(Conjugate(inverted).Select(e => (Expr)new Binary(BinOp.Div, e, norm))));
                case ("Normalize", 1) when Only(0) is { } normalized:
                    return (true, Normalized(normalized));
                case ("Lerp", 3) when Only(0) is { } from && Only(1) is { } to && Expression(a[2]) is { } amount:
                    // As System.Numerics: toward 'to', or toward −to when the two are more than a half
                    // turn apart (q·p < 0), component by component through the Lerp row, then normalized.
                    Expr near = new Binary(BinOp.Ge, DotRow(from, to), Num.Zero);
                    return (true, Normalized(Fields(from.Zip(to, (f, g) => Symbolic.E.F(MathFn.Lerp, f.Value, new Cond(near, g.Value, new Neg(g.Value)), amount)))));
                case ("Concatenate", 2) when Only(0) is { } first && Only(1) is { } second:
                    // Rotation 'first' followed by 'second': second · first.
                    return (true, Hamilton(second, first));
                case ("CreateFromAxisAngle", 2) when Only(0) is { Count: 3 } axis && Expression(a[1]) is { } angle:
                    Expr s = Sin(Half(angle)), c = Cos(Half(angle));
                    return (true, Fields(axis.Select(f => Mul(f.Value, s)).Append(c)));
                case ("CreateFromYawPitchRoll", 3) when Scalars() is { } ypr:
                    Expr sy = Sin(Half(ypr[0])), cy = Cos(Half(ypr[0])), sp = Sin(Half(ypr[1])), cp = Cos(Half(ypr[1])), sr = Sin(Half(ypr[2])), cr = Cos(Half(ypr[2]));
                    Expr Three(Expr x, Expr y, Expr z) => Mul(Mul(x, y), z);
                    return (true, Fields(
                    [
                        Add(Three(cy, sp, cr), Three(sy, cp, sr)),
                        Sub(Three(sy, cp, cr), Three(cy, sp, sr)),
                        Sub(Three(cy, cp, sr), Three(sy, sp, cr)),
                        Add(Three(cy, cp, cr), Three(sy, sp, sr)),
                    ]));
            }

            return (false, null);
        }

        bool big = type.Name == "Matrix4x4";
        List<(string Path, Expr Value)> With(params (string Path, Expr Value)[] entries)
        {
            var m = Identity(type);
            foreach ((string path, Expr value) in entries)
            {
                m[m.FindIndex(f => f.Path == path)] = (path, value);
            }

            return m;
        }

        // CreateScale(s), CreateScale(x, y[, z]), CreateScale(v); CreateTranslation(x, y[, z]), CreateTranslation(v).
        List<Expr>? Components(int size) =>
            a.Count == 1 && IsVector(a[0].Type) ? StructValue(a[0])?.Select(f => f.Value).ToList()
            : a.Count == size ? Scalars()
            : null;
        int dimensions = big ? 3 : 2;
        switch (name)
        {
            case "Transpose" when big && a.Count == 1 && Only(0) is { } m:
                return (true, Named(type, StructLayout.Matrix4x4Fields.Select(f => At(m, $"M{f[2]}{f[1]}"))));
            case "CreateScale" when a.Count == 1 && Signature.IsFloating(a[0].Type) && Expression(a[0]) is { } uniform:
                return (true, With(Enumerable.Range(1, dimensions).Select(k => ($"M{k}{k}", uniform)).ToArray()));
            case "CreateScale" when Components(dimensions) is { } scale && scale.Count == dimensions:
                return (true, With(scale.Select((v, k) => ($"M{k + 1}{k + 1}", v)).ToArray()));
            case "CreateTranslation" when Components(dimensions) is { } shift && shift.Count == dimensions:
                return (true, With(shift.Select((v, k) => ($"M{dimensions + 1}{k + 1}", v)).ToArray()));
            case "CreateRotationX" or "CreateRotationY" or "CreateRotationZ" when big && a.Count == 1 && Expression(a[0]) is { } radians:
                Expr cos = Cos(radians), sin = Sin(radians);
                return (true, name switch
                {
                    "CreateRotationX" => With(("M22", cos), ("M23", sin), ("M32", new Neg(sin)), ("M33", cos)),
                    "CreateRotationY" => With(("M11", cos), ("M13", new Neg(sin)), ("M31", sin), ("M33", cos)),
                    _ => With(("M11", cos), ("M12", sin), ("M21", new Neg(sin)), ("M22", cos)),
                });
            case "CreateFromQuaternion" when big && a.Count == 1 && Only(0) is { } q:
                Expr x = q[0].Value, y = q[1].Value, z = q[2].Value, w = q[3].Value;
                Expr Twice(Expr e) => Mul(new Num(2), e);
                Expr OneMinus(Expr e) => Sub(Num.One, Twice(e));
                return (true, With(
                    ("M11", OneMinus(Add(Mul(y, y), Mul(z, z)))), ("M12", Twice(Add(Mul(x, y), Mul(z, w)))), ("M13", Twice(Sub(Mul(z, x), Mul(y, w)))),
                    ("M21", Twice(Sub(Mul(x, y), Mul(z, w)))), ("M22", OneMinus(Add(Mul(z, z), Mul(x, x)))), ("M23", Twice(Add(Mul(y, z), Mul(x, w)))),
                    ("M31", Twice(Add(Mul(z, x), Mul(y, w)))), ("M32", Twice(Sub(Mul(y, z), Mul(x, w)))), ("M33", OneMinus(Add(Mul(y, y), Mul(x, x))))));
        }

        return (false, null);
    }

    private static Expr[] Conjugate(List<(string Path, Expr Value)> q) => [new Neg(q[0].Value), new Neg(q[1].Value), new Neg(q[2].Value), q[3].Value];

    // Vector2/3/4.Transform(v, matrix or quaternion) and TransformNormal(v, matrix), as System.Numerics computes them.
    private List<(string Path, Expr Value)>? Transform(IInvocationOperation call, int size, IOperation vector, IOperation by)
    {
        if (StructValue(vector) is not { } v || StructValue(by) is not { } t)
        {
            return null;
        }

        bool normal = call.TargetMethod.Name == "TransformNormal";
        var x = v.Select(f => f.Value).ToList();
        while (x.Count < 3)
        {
            x.Add(Num.Zero);
        }

        // A Vector4 keeps its W; a position from a Vector2 or Vector3 has w = 1, a normal w = 0.
        Expr w = v.Count == 4 ? v[3].Value : normal ? Num.Zero : Num.One;
        if (by.Type!.Name == "Quaternion")
        {
            // System.Numerics rotates by the sandwich q · (x, y, z, w) · conjugate(q), with w = 1 for a
            // Vector2 or Vector3 (so a quaternion that is not a unit one scales as well as rotates).
            List<(string Path, Expr Value)> point = Fields([x[0], x[1], x[2], w]);
            return Hamilton(Hamilton(t, point), Fields(Conjugate(t))).Take(size).ToList();
        }

        // By a matrix, component j is the dot product of the row vector with column j (the dot
        // product's rule row): (x, y, 1)·(M1j, M2j, M3j) for an affine 2-D transform, whose row 3 is
        // the translation, (x, y, z, w)·(M1j, M2j, M3j, M4j) for a 4×4 one.
        Expr Column(IEnumerable<Expr> row, IEnumerable<string> column) =>
            new Fn(MathFn.Dot, row.Concat(column.Select(name => At(t, name))).ToEquatableArray());
        if (by.Type!.Name == "Matrix3x2")
        {
            return Fields(Enumerable.Range(1, 2).Select(j => normal
                ? Column([x[0], x[1]], [$"M1{j}", $"M2{j}"])
                : Column([x[0], x[1], Num.One], [$"M1{j}", $"M2{j}", $"M3{j}"])));
        }

        return Fields(Enumerable.Range(1, size).Select(j => Column([x[0], x[1], x[2], w], [$"M1{j}", $"M2{j}", $"M3{j}", $"M4{j}"])));
    }
}
