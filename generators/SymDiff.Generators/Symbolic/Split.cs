using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Names the inner parts of a very large expression, as a person would write it over several
/// lines: a subexpression of more than <see cref="MaxPart"/> nodes becomes a local (<c>part</c>,
/// <c>part2</c>, …) declared just before its statement. Without this, each partial of an
/// expression nested n deep repeats the parts below it, so the generated code (and the time to
/// generate and compile it) grew with n² and n³. Parts under conditional branches stay where they
/// are, since hoisting them would evaluate a branch the source does not take.
/// </summary>
internal static class Split
{
    /// <summary>Larger than any expression people write on one line, so ordinary code is unchanged.</summary>
    public const int MaxPart = 48;

    public static List<Stmt> Run(IEnumerable<Stmt> body, HashSet<string> taken)
    {
        var output = new List<Stmt>();
        foreach (Stmt s in body)
        {
            var parts = new List<Stmt>();
            Expr Named(Expr value) => Top(value, s, parts, taken);
            Stmt split = s switch
            {
                Decl { Init: { } init } d => d with { Init = Named(init) },
                Assign a => a with { Value = Named(a.Value) },
                Return { Value: { } value } r => r with { Value = Named(value) },
                Store st => st with { Value = Named(st.Value) },
                For f => f with { Body = Run(f.Body, taken).ToEquatableArray() },
                If i => i with { Then = Run(i.Then, taken).ToEquatableArray(), Else = Run(i.Else, taken).ToEquatableArray() },
                While w => w with { Body = Run(w.Body, taken).ToEquatableArray() },
                _ => s,
            };
            output.AddRange(parts);
            output.Add(split);
        }

        return output;
    }

    /// <summary>
    /// In a taped body, an element store of a call whose derivative is written with its result
    /// (<c>z[o] = Math.Tanh(s)</c>: tanh' = 1 − z²) keeps the result in a local first
    /// (<c>double tanhS = Math.Tanh(s); z[o] = tanhS;</c>), as a hand-writer would. The backward
    /// sweep then reads the local instead of calling the function again, and no longer needs the
    /// argument's old values.
    /// </summary>
    public static List<Stmt> StoredResults(IEnumerable<Stmt> body, HashSet<string> taken)
    {
        var output = new List<Stmt>();
        foreach (Stmt s in body)
        {
            switch (s)
            {
                case Store { Op: AssignOp.Set, Value: Fn call } st when Rules.UsesResult(call, arg => Effects.VarsIn(arg).Any()):
                    string name = Names.Fresh(Share.NameOf(call), taken);
                    output.Add(new Decl(name, Ty.Double, call, st.Line, st.Source));
                    output.Add(st with { Value = new Var(name, Ty.Double) });
                    break;
                case For f:
                    output.Add(f with { Body = StoredResults(f.Body, taken).ToEquatableArray() });
                    break;
                case While w:
                    output.Add(w with { Body = StoredResults(w.Body, taken).ToEquatableArray() });
                    break;
                case If i:
                    output.Add(i with { Then = StoredResults(i.Then, taken).ToEquatableArray(), Else = StoredResults(i.Else, taken).ToEquatableArray() });
                    break;
                default:
                    output.Add(s);
                    break;
            }
        }

        return output;
    }

    private static Expr Top(Expr value, Stmt at, List<Stmt> parts, HashSet<string> taken)
    {
        if (Size(value) <= MaxPart)
        {
            return value;
        }

        return Visit(value, at, parts, taken, hoist: false).Expr;
    }

    // Bottom-up: a part that grows past MaxPart is named, and counts as one node above it. The
    // statement's own value (hoist: false) stays in its statement.
    private static (Expr Expr, int Size) Visit(Expr e, Stmt at, List<Stmt> parts, HashSet<string> taken, bool hoist = true)
    {
        (Expr expr, int size) = e switch
        {
            Neg n => Rebuilt(Visit(n.Operand, at, parts, taken), o => new Neg(o)),
            Binary { Type: Ty.Double } b => Both(b, at, parts, taken),
            Fn f => Arguments(f.Args, at, parts, taken, args => f with { Args = args }),
            Call c => Arguments(c.Args, at, parts, taken, args => c with { Args = args }),
            _ => (e, Size(e)),
        };
        if (hoist && size > MaxPart && expr.Type == Ty.Double && expr is Neg or Binary or Fn or Call)
        {
            string name = Names.Fresh("part", taken);
            parts.Add(new Decl(name, Ty.Double, expr, at.Line, at.Source));
            return (new Var(name, Ty.Double), 1);
        }

        return (expr, size);
    }

    private static (Expr, int) Rebuilt((Expr Expr, int Size) operand, System.Func<Expr, Expr> make) => (make(operand.Expr), operand.Size + 1);

    private static (Expr, int) Both(Binary b, Stmt at, List<Stmt> parts, HashSet<string> taken)
    {
        (Expr left, int leftSize) = Visit(b.Left, at, parts, taken);
        (Expr right, int rightSize) = Visit(b.Right, at, parts, taken);
        return (b with { Left = left, Right = right }, leftSize + rightSize + 1);
    }

    private static (Expr, int) Arguments(EquatableArray<Expr> args, Stmt at, List<Stmt> parts, HashSet<string> taken, System.Func<EquatableArray<Expr>, Expr> make)
    {
        var visited = args.Select(a => Visit(a, at, parts, taken)).ToList();
        return (make(visited.Select(v => v.Expr).ToEquatableArray()), visited.Sum(v => v.Size) + 1);
    }

    /// <summary>The number of nodes of an expression.</summary>
    public static int Size(Expr e) => e switch
    {
        Neg n => 1 + Size(n.Operand),
        Not n => 1 + Size(n.Operand),
        Binary b => 1 + Size(b.Left) + Size(b.Right),
        Cond c => 1 + Size(c.Test) + Size(c.WhenTrue) + Size(c.WhenFalse),
        Fn f => 1 + f.Args.Sum(Size),
        Call c => 1 + c.Args.Sum(Size),
        Elem el => 1 + Size(el.Index),
        _ => 1,
    };
}
