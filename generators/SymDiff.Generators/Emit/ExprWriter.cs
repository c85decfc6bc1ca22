using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Symbolic;

namespace SymDiff.Generators.Emit;

/// <summary>Writes IR expressions as C#, with only the parentheses precedence needs.</summary>
internal static class ExprWriter
{
    private const int Conditional = 1, Comparison = 4, Additive = 5, Multiplicative = 6, Unary = 7, Primary = 8;

    public static string Write(Expr e) => Write(e, 0);

    private static string Write(Expr e, int context)
    {
        (string text, int precedence) = Render(e);
        return precedence < context ? "(" + text + ")" : text;
    }

    private static (string Text, int Precedence) Render(Expr e) => e switch
    {
        Num n => Number(n.Value, forceReal: false),
        Var v => (v.Name, Primary),
        Opaque o => (o.Code, o.Atomic ? Primary : 0),
        ArrayRef a => (a.Code, Primary),
        Elem el => ($"{el.Array}[{Write(el.Index)}]", Primary),
        Neg n => Negation(n.Operand),
        Binary b => BinaryText(b),
        Cond c => ($"{Write(c.Test, Comparison)} ? {Write(c.WhenTrue, Conditional + 1)} : {Write(c.WhenFalse, Conditional)}", Conditional),
        Fn f => ($"{Rules.CSharpName(f.Function)}({string.Join(", ", f.Args.Select(a => Write(a)))})", Primary),
        Call c => ($"{c.Callee.Qualified(string.Empty)}({string.Join(", ", c.Args.Select(a => Write(a)))})", Primary),
        DerivativeCall d => ($"{d.Callee.Qualified("Derivative")}({string.Join(", ", d.Args.Concat(d.Tangents).Select(a => Write(a)))})", Primary),
        _ => throw new InvalidOperationException("Unknown expression " + e.GetType().Name),
    };

    private static (string, int) Negation(Expr operand)
    {
        string inner = Write(operand, Unary);
        return (inner.StartsWith("-", StringComparison.Ordinal) ? "-(" + inner + ")" : "-" + inner, Unary);
    }

    private static (string, int) BinaryText(Binary b)
    {
        int precedence = b.Op switch
        {
            BinOp.Add or BinOp.Sub => Additive,
            BinOp.Mul or BinOp.Div => Multiplicative,
            _ => Comparison,
        };
        string symbol = b.Op switch
        {
            BinOp.Add => "+",
            BinOp.Sub => "-",
            BinOp.Mul => "*",
            BinOp.Div => "/",
            BinOp.Lt => "<",
            BinOp.Le => "<=",
            BinOp.Gt => ">",
            _ => ">=",
        };

        // Keep double arithmetic in double: 1 / n must not become integer division.
        bool arithmetic = precedence != Comparison;
        string left = arithmetic && b.Left is Num ln && b.Right.Type == Ty.Int
            ? Number(ln.Value, forceReal: true).Text
            : Write(b.Left, precedence);
        string right = arithmetic && b.Right is Num rn && b.Left.Type == Ty.Int
            ? Number(rn.Value, forceReal: true).Text
            : Write(b.Right, precedence + 1);
        if (arithmetic && b.Left.Type == Ty.Int && b.Right.Type == Ty.Int)
        {
            left = "(double)" + Write(b.Left, Primary);
        }

        return ($"{left} {symbol} {right}", precedence);
    }

    /// <summary>A round-trip, invariant-culture literal.</summary>
    public static (string Text, int Precedence) Number(double value, bool forceReal)
    {
        if (double.IsNaN(value))
        {
            return ("double.NaN", Primary);
        }

        if (double.IsInfinity(value))
        {
            return (value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity", value > 0 ? Primary : Unary);
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if (forceReal && text.IndexOfAny(['.', 'E']) < 0)
        {
            text += ".0";
        }

        return (text, value < 0 ? Unary : Primary);
    }
}
