using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Symbolic;

// The statements of a generated method body, produced by Forward and Reverse and written out by
// the emitter. Each knows which names it reads and writes, for dead-code removal and loop fusion.

/// <summary>A statement of generated code.</summary>
internal abstract record Code;

/// <summary><c>// Text</c></summary>
internal sealed record Comment(string Text) : Code;

/// <summary><c>double Name = Value;</c> (or <c>int</c>, <c>bool</c>; <paramref name="TypeCode"/> names another integer type).</summary>
internal sealed record Let(string Name, Ty Type, Expr Value, string? TypeCode = null) : Code;

/// <summary><c>Name = Value;</c> (first write of an <c>out</c> parameter).</summary>
internal sealed record Set(string Name, Expr Value) : Code;

/// <summary><c>Name += Value;</c> (or <c>-=</c> when <paramref name="Subtract"/>).</summary>
internal sealed record AddTo(string Name, Expr Value, bool Subtract = false) : Code;

/// <summary>
/// <c>Span[Index] += Value;</c>: accumulation into an array adjoint; <c>Span[Index] = Value;</c>
/// when <paramref name="First"/> (the first write of an element nobody cleared).
/// </summary>
internal sealed record AddToElement(string Span, Expr Index, Expr Value, bool First = false) : Code;

/// <summary><c>Name *= Value;</c> and friends, for in-place primal updates.</summary>
internal sealed record Update(string Name, AssignOp Op, Expr Value) : Code;

/// <summary>A <c>for</c> loop with the user's header.</summary>
internal sealed record Loop(string Header, IReadOnlyList<Code> Body) : Code;

/// <summary><c>if (Test) { Then } else { Else }</c>.</summary>
internal sealed record Branch(Expr Test, IReadOnlyList<Code> Then, IReadOnlyList<Code> Else) : Code;

/// <summary><c>while (Test) { Body }</c>, or <c>do { Body } while (Test);</c> when <paramref name="TestAtEnd"/>.</summary>
internal sealed record Repeat(Expr Test, IReadOnlyList<Code> Body, bool TestAtEnd = false) : Code;

/// <summary><c>tape.Push(Value);</c>: saves a value the forward sweep is about to overwrite.</summary>
internal sealed record Push(string Tape, Expr Value) : Code;

/// <summary><c>Target = tape.PopX();</c> (or <c>Target[Index] = …</c>): restores what <see cref="Push"/> saved.</summary>
internal sealed record Pop(string Tape, string Target, Expr? Index, Ty Type, string TypeCode) : Code;

/// <summary><c>Array[Index] op= Value;</c>: a primal write into a local array or an output.</summary>
internal sealed record StoreElement(string Array, Expr Index, AssignOp Op, Expr Value) : Code;

/// <summary>
/// A tape operation that saves (<see cref="Push"/>) or restores (<see cref="Pop"/>, or an inverse
/// integer update) the value of <paramref name="Name"/>; dropped when the backward sweep never
/// reads <paramref name="Name"/>. A scalar's save and restore share a <paramref name="Site"/>
/// (numbered from 1), so that both go when the restored value is never read.
/// </summary>
internal sealed record Taped(string Name, Code Action, int Site = 0) : Code;

/// <summary>A call to another method's generated <c>Backward</c>: value arguments, the seed, then adjoint targets.</summary>
internal sealed record BackwardCall(Callee Callee, IReadOnlyList<Expr> Args, Expr Seed, IReadOnlyList<string?> Adjoints) : Code
{
    /// <summary>True when the call accumulates into an array adjoint, which is always an output.</summary>
    public bool WritesSpan => Callee.Params.Where(p => p.Differentiable).Select((p, i) => p.Kind != ParamKind.Double && Adjoints[i] is not null).Any(b => b);
}

/// <summary>
/// A call to another method's generated <c>BackwardTangent</c>, the tangent of its pullback:
/// value arguments, their tangents, the seed and its tangent, then the adjoint targets and their
/// tangents. It adds seed·∇g into the adjoints and seedTangent·∇g + seed·H·t into their tangents.
/// </summary>
internal sealed record BackwardTangentCall(
    Callee Callee,
    IReadOnlyList<Expr> Args,
    IReadOnlyList<Expr> Tangents,
    Expr Seed,
    Expr SeedTangent,
    IReadOnlyList<string?> Adjoints,
    IReadOnlyList<string?> AdjointTangents) : Code;

/// <summary>
/// <c>Span.Clear();</c>, or, from a later element on, <c>Adjoint.ClearFrom(Span, From)</c>:
/// zeroing an array adjoint that <c>Gradient</c> overwrites.
/// </summary>
internal sealed record ClearSpan(string Span, int From = 0) : Code;

/// <summary>A line of plumbing (argument checks, clearing a span) that writes <paramref name="Writes"/>.</summary>
internal sealed record Raw(string Text, string? Writes = null) : Code;

/// <summary><c>return Value;</c></summary>
internal sealed record ReturnValue(Expr Value) : Code;

/// <summary>Operations on blocks of generated statements, at every depth of branches and loops.</summary>
internal static class Blocks
{
    /// <summary>The statements that pass <paramref name="keep"/>, inside branches and loop bodies too.</summary>
    /// <param name="code">The block.</param>
    /// <param name="keep">Whether a statement stays; a branch or loop that stays is filtered inside.</param>
    /// <returns>The filtered block.</returns>
    public static List<Code> Keep(IEnumerable<Code> code, System.Func<Code, bool> keep) => code
        .Where(keep)
        .Select(c => c switch
        {
            Branch b => b with { Then = Keep(b.Then, keep), Else = Keep(b.Else, keep) },
            Repeat r => r with { Body = Keep(r.Body, keep) },
            Loop l => l with { Body = Keep(l.Body, keep) },
            _ => c,
        })
        .ToList();
}

/// <summary>Reads and writes of generated statements.</summary>
internal static class Effects
{
    public static IEnumerable<string> VarsIn(Expr e) => e switch
    {
        Var v => [v.Name],
        Neg n => VarsIn(n.Operand),
        Binary b => VarsIn(b.Left).Concat(VarsIn(b.Right)),
        Cond c => VarsIn(c.Test).Concat(VarsIn(c.WhenTrue)).Concat(VarsIn(c.WhenFalse)),
        Fn f => f.Args.SelectMany(VarsIn),
        Call c => c.Args.SelectMany(VarsIn),
        DerivativeCall d => d.Args.Concat(d.Tangents).SelectMany(VarsIn),
        Elem el => VarsIn(el.Index).Append(el.Array),
        Not n => VarsIn(n.Operand),
        Opaque o => Identifiers(o.Code),
        ArrayRef a => Identifiers(a.Slice ?? string.Empty).Prepend(a.Code),
        _ => [],
    };

    public static IEnumerable<string> Reads(Code c) => c switch
    {
        Let l => VarsIn(l.Value),
        Set s => VarsIn(s.Value),
        AddTo a => VarsIn(a.Value).Append(a.Name),
        AddToElement a when a.First => VarsIn(a.Index).Concat(VarsIn(a.Value)),
        AddToElement a => VarsIn(a.Index).Concat(VarsIn(a.Value)).Append(a.Span),
        Update u => VarsIn(u.Value).Append(u.Name),
        Loop l => Identifiers(l.Header).Concat(l.Body.SelectMany(Reads)),
        Branch b => VarsIn(b.Test).Concat(b.Then.SelectMany(Reads)).Concat(b.Else.SelectMany(Reads)),
        Repeat r => VarsIn(r.Test).Concat(r.Body.SelectMany(Reads)),
        Push p => VarsIn(p.Value).Append(p.Tape),
        StoreElement s => VarsIn(s.Index).Concat(VarsIn(s.Value)).Append(s.Array),
        Taped t => Reads(t.Action),
        Pop p => (p.Index is null ? [] : VarsIn(p.Index)).Append(p.Tape),
        Raw r => Identifiers(r.Text).Where(n => n != r.Writes),
        BackwardCall b => b.Args.SelectMany(VarsIn).Concat(VarsIn(b.Seed)).Concat(b.Adjoints.OfType<string>().SelectMany(Identifiers)),
        BackwardTangentCall b => b.Args.Concat(b.Tangents).SelectMany(VarsIn).Concat(VarsIn(b.Seed)).Concat(VarsIn(b.SeedTangent))
            .Concat(b.Adjoints.OfType<string>()).Concat(b.AdjointTangents.OfType<string>()),
        ReturnValue r => VarsIn(r.Value),
        _ => [],
    };

    public static IEnumerable<string> Writes(Code c) => c switch
    {
        Let l => [l.Name],
        Set s => [s.Name],
        AddTo a => [a.Name],
        AddToElement a => [a.Span],
        Update u => [u.Name],
        Loop l => l.Body.SelectMany(Writes),
        Branch b => b.Then.Concat(b.Else).SelectMany(Writes),
        Repeat r => r.Body.SelectMany(Writes),
        Pop p => [p.Target],
        StoreElement s => [s.Array],
        Taped t => Writes(t.Action),
        BackwardCall b => b.Adjoints.OfType<string>().Select(Target),
        BackwardTangentCall b => b.Adjoints.Concat(b.AdjointTangents).OfType<string>().Select(Target),
        ClearSpan clear => [clear.Span],
        Raw r when r.Writes is not null => [r.Writes],
        _ => [],
    };

    /// <summary>The array an adjoint argument writes: <c>dv</c> for <c>dv</c> and for a range of it, <c>dv.Slice(1, n)</c>.</summary>
    public static string Target(string adjoint) => adjoint.IndexOf('.') is int dot and > 0 ? adjoint.Substring(0, dot) : adjoint;

    /// <summary>The identifiers in a piece of code (a loop header, an index, a line of plumbing), not counting the text of string literals.</summary>
    public static IEnumerable<string> Identifiers(string code)
    {
        int i = 0;
        while (i < code.Length)
        {
            if (code[i] == '"')
            {
                for (i++; i < code.Length && code[i] != '"'; i++)
                {
                    i += code[i] == '\\' ? 1 : 0;
                }

                i++;
            }
            else if (char.IsLetter(code[i]) || code[i] == '_' || (code[i] == '@' && i + 1 < code.Length && (char.IsLetter(code[i + 1]) || code[i + 1] == '_')))
            {
                int start = i++;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '_'))
                {
                    i++;
                }

                yield return code.Substring(start, i - start);
            }
            else
            {
                i++;
            }
        }
    }
}
