using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Clean-up over generated statements: dead-code removal (a value nobody reads is not computed)
/// and loop fusion (the primal loop and its backward loop become one loop when the backward loop
/// needs nothing the primal loop produces, as in the gradient of a sum of squares).
/// </summary>
internal static class Optimize
{
    /// <summary>
    /// Removes locals nobody reads (a user's unused local, a tangent no result depends on) with
    /// every write to them, in code with branches and loops; <paramref name="keep"/> are outputs.
    /// </summary>
    public static List<Code> DropUnread(List<Code> code, HashSet<string> keep)
    {
        while (true)
        {
            var read = new HashSet<string>(All(code).SelectMany(c => c switch
            {
                Update u => Effects.VarsIn(u.Value),
                AddTo a => Effects.VarsIn(a.Value),
                Branch b => Effects.VarsIn(b.Test),
                Repeat r => Effects.VarsIn(r.Test),
                Loop l => Effects.Identifiers(l.Header),
                _ => Effects.Reads(c),
            }));
            var declaredHere = new HashSet<string>(All(code).OfType<Let>().Select(l => l.Name));
            var unread = new HashSet<string>(declaredHere.Where(n => !read.Contains(n) && !keep.Contains(n)));
            if (unread.Count == 0)
            {
                return code;
            }

            code = Without(code, unread);
        }
    }

    /// <summary>Replaces a branch whose condition constant propagation decided by the side it takes.</summary>
    public static List<Code> DropDecidedBranches(IEnumerable<Code> code) => code.SelectMany(c => c switch
    {
        Branch b when Simplify.Truth(b.Test) is { } known => DropDecidedBranches(known ? b.Then : b.Else),
        Branch b => [b with { Then = DropDecidedBranches(b.Then), Else = DropDecidedBranches(b.Else) }],
        Repeat r => [r with { Body = DropDecidedBranches(r.Body) }],
        Loop l => [l with { Body = DropDecidedBranches(l.Body) }],
        _ => [c],
    }).ToList();

    private static IEnumerable<Code> All(IEnumerable<Code> code) => code.SelectMany(c => c switch
    {
        Branch b => All(b.Then).Concat(All(b.Else)).Prepend(c),
        Repeat r => All(r.Body).Prepend(c),
        Loop l => All(l.Body).Prepend(c),
        _ => [c],
    });

    private static List<Code> Without(IEnumerable<Code> code, HashSet<string> unread) =>
        Blocks.Keep(code, c => c is not (Let or Set or Update or AddTo) || !Effects.Writes(c).Any(unread.Contains));

    /// <summary>
    /// Removes blocks left with nothing to do once dead code is gone: a branch whose arms are empty
    /// (its test has no effect), a counted loop with an empty body, and a backward loop
    /// <c>while (iterations-- &gt; 0) { }</c> with its count (the zeroing, <c>iterations++</c>, and
    /// the push and pop, which leave the tape together); a comment that no longer introduces a
    /// statement goes too. Locals nobody reads any more go as in <see cref="DropUnread"/>;
    /// <paramref name="keep"/> are outputs.
    /// </summary>
    public static List<Code> DropIdleBlocks(List<Code> code, HashSet<string> keep)
    {
        while (true)
        {
            // What a removed block read may now be unread, and what DropUnread removes may empty
            // a block: repeat until neither finds anything.
            int before = All(code).Count();
            code = DropOrphanComments(WithoutEmptyBlocks(DropUnread(code, keep)));

            // A count is idle when its backward loop is empty and nothing else reads it (the
            // push that saves it for an enclosing loop, and its own ++, do not count).
            var idle = new HashSet<string>(All(code).OfType<Repeat>().Select(IdleCount).OfType<string>());
            idle.ExceptWith(All(code).SelectMany(c => c switch
            {
                Repeat r when IdleCount(r) is not null => [],
                Push { Value: Opaque o } when o.Code.All(ch => char.IsLetterOrDigit(ch) || ch == '_') => [],
                Raw r when r.Writes is not null && r.Text == r.Writes + "++;" => [],
                Branch b => Effects.VarsIn(b.Test),
                Repeat r => Effects.VarsIn(r.Test),
                Loop l => Effects.Identifiers(l.Header),
                _ => Effects.Reads(c),
            }));
            code = DropOrphanComments(Blocks.Keep(code, c => c switch
            {
                Repeat r => IdleCount(r) is not { } count || !idle.Contains(count),
                Push { Value: Opaque o } => !idle.Contains(o.Code),
                Pop p => !idle.Contains(p.Target),
                Let or Set or Raw => !Effects.Writes(c).Any(idle.Contains),
                _ => true,
            }));
            if (All(code).Count() == before)
            {
                return code;
            }
        }
    }

    private static Branch Flipped(Branch b) =>
        b.Then.All(x => x is Comment) && b.Else.Any(x => x is not Comment)
            ? new Branch(b.Test is Not n ? n.Operand : new Not(b.Test), b.Else, b.Then.Where(x => x is not Comment).ToList())
            : b;

    // The count of a backward loop 'while (count-- > 0)' with nothing in its body, or null.
    private static string? IdleCount(Repeat r) =>
        r.Test is Opaque { Code: var test } && test.EndsWith("-- > 0", System.StringComparison.Ordinal) && r.Body.All(x => x is Comment)
            ? test.Substring(0, test.Length - "-- > 0".Length)
            : null;

    /// <summary>Unread statements and the blocks they leave empty, until neither is left; the tape's saves stay (they are in <paramref name="keep"/>).</summary>
    public static List<Code> DropUnreadAndEmpty(List<Code> code, HashSet<string> keep)
    {
        while (true)
        {
            int before = All(code).Count();
            code = DropOrphanComments(WithoutEmptyBlocks(DropUnread(code, keep)));
            if (All(code).Count() == before)
            {
                return code;
            }
        }
    }

    // Branches with empty arms (their tests have no effects) and loops with empty bodies whose
    // counter is their own, at any depth; an empty then-arm with a live else-arm becomes
    // 'if (!test) { else-arm }'.
    private static List<Code> WithoutEmptyBlocks(IEnumerable<Code> block) => block.Select(c => c switch
    {
        Branch b => Flipped(b with { Then = WithoutEmptyBlocks(b.Then), Else = WithoutEmptyBlocks(b.Else) }),
        Repeat r => r with { Body = WithoutEmptyBlocks(r.Body) },
        Loop l => l with { Body = WithoutEmptyBlocks(l.Body) },
        _ => c,
    }).Where(c => c switch
    {
        Branch b => b.Then.Concat(b.Else).Any(x => x is not Comment),
        Loop l => l.Body.Any(x => x is not Comment) || !l.Header.StartsWith("int ", System.StringComparison.Ordinal),
        _ => true,
    }).ToList();

    /// <summary>Removes statements whose results are never read; <paramref name="liveOut"/> are the outputs.</summary>
    public static List<Code> Prune(IReadOnlyList<Code> code, HashSet<string> liveOut)
    {
        var live = new HashSet<string>(liveOut);
        List<Code> kept = PruneBlock(code, live);
        return DropOrphanComments(kept);
    }

    private static List<Code> PruneBlock(IReadOnlyList<Code> code, HashSet<string> live)
    {
        var kept = new List<Code>();
        for (int i = code.Count - 1; i >= 0; i--)
        {
            Code c = code[i];
            switch (c)
            {
                case Comment:
                    kept.Add(c);
                    continue;
                case Loop loop:
                    Loop? pruned = PruneLoop(loop, live);
                    if (pruned is not null)
                    {
                        kept.Add(pruned);
                        live.UnionWith(Effects.Reads(pruned));
                    }

                    continue;
            }

            bool always = c is Raw or ClearSpan or ReturnValue or AddToElement or BackwardTangentCall || c is BackwardCall { WritesSpan: true };
            bool needed = always || Effects.Writes(c).Any(live.Contains);
            if (!needed)
            {
                continue;
            }

            if (c is Let or Set)
            {
                live.ExceptWith(Effects.Writes(c));
            }

            live.UnionWith(Effects.Reads(c));
            kept.Add(c);
        }

        kept.Reverse();
        return kept;
    }

    private static Loop? PruneLoop(Loop loop, HashSet<string> live)
    {
        // Names live at the end of an iteration: live after the loop, plus whatever the next
        // iteration reads before writing. Iterate until the set is stable.
        var atEnd = new HashSet<string>(live);
        List<Code> body;
        while (true)
        {
            var inner = new HashSet<string>(atEnd);
            body = PruneBlock(loop.Body, inner);
            int before = atEnd.Count;
            atEnd.UnionWith(inner);
            if (atEnd.Count == before)
            {
                break;
            }
        }

        return body.Any(c => c is not Comment) ? loop with { Body = DropOrphanComments(body) } : null;
    }

    // A comment introduces the statements after it: one followed by another comment, by the
    // returned value, by the tape's release (which ends the method) or by the end of its block goes.
    internal static List<Code> DropOrphanComments(IEnumerable<Code> block)
    {
        var list = block.ToList();
        bool Introduces(int i) => i + 1 < list.Count
            && !(list[i + 1] is Comment or ReturnValue || list[i + 1] is Raw { Writes: null } release && release.Text.Contains(".Release("));
        return list.Where((c, i) => c is not Comment || Introduces(i)).Select(c => c switch
        {
            Branch b => b with { Then = DropOrphanComments(b.Then), Else = DropOrphanComments(b.Else) },
            Repeat r => r with { Body = DropOrphanComments(r.Body) },
            Loop l => l with { Body = DropOrphanComments(l.Body) },
            _ => c,
        }).ToList();
    }

    /// <summary>
    /// Fuses a top-level primal loop with the backward loop of the same header when that is safe:
    /// what the backward loop needs between the two does not depend on the primal loop, neither
    /// loop reads what the other writes outside itself, and the backward loop's recomputed
    /// locals are exactly the primal loop's.
    /// </summary>
    public static List<Code> Fuse(List<Code> code)
    {
        for (int i = 0; i < code.Count; i++)
        {
            if (code[i] is not Loop primal || primal.Body.Any(c => c is Loop))
            {
                continue;
            }

            for (int j = i + 1; j < code.Count; j++)
            {
                if (code[j] is Loop backward && backward.Header == primal.Header && TryFuse(code, i, j) is { } fused)
                {
                    return Fuse(fused);
                }
            }
        }

        return code;
    }

    private static List<Code>? TryFuse(List<Code> code, int i, int j)
    {
        var primal = (Loop)code[i];
        var backward = (Loop)code[j];
        if (backward.Body.Any(c => c is Loop))
        {
            return null;
        }

        // The backward loop's recomputed locals come first; they must all be the primal loop's own.
        int replayLength = backward.Body.TakeWhile(c => c is Let).Count();
        var replay = backward.Body.Take(replayLength).ToList();
        if (!replay.All(r => primal.Body.Contains(r)))
        {
            return null;
        }

        var rest = backward.Body.Skip(replayLength).ToList();
        var fusedLoop = new Loop(primal.Header, primal.Body.Concat(rest).ToList());

        // Statements between the loops that the backward loop depends on move above the primal loop.
        var need = new HashSet<string>(Effects.Reads(backward).Concat(Effects.Writes(backward)));
        var moved = new HashSet<int>();
        for (int k = j - 1; k > i; k--)
        {
            if (code[k] is not Comment && Effects.Writes(code[k]).Any(need.Contains))
            {
                moved.Add(k);
                need.UnionWith(Effects.Reads(code[k]));
                need.UnionWith(Effects.Writes(code[k]));
            }
        }

        for (int k = i + 1; k < j; k++)
        {
            if (code[k] is Comment && moved.Contains(k + 1))
            {
                moved.Add(k);
            }
        }

        HashSet<string> primalOut = OuterWrites(primal);
        var movedCode = moved.OrderBy(k => k).Select(k => code[k]).ToList();
        var primalReads = new HashSet<string>(Effects.Reads(primal));
        bool safe = !movedCode.SelectMany(c => Effects.Reads(c).Concat(Effects.Writes(c))).Any(primalOut.Contains)
            && !movedCode.SelectMany(Effects.Writes).Any(primalReads.Contains)
            && !OuterWrites(backward).Any(primalReads.Contains)
            && !rest.SelectMany(Effects.Reads).Any(primalOut.Contains)
            && !Enumerable.Range(i + 1, j - i - 1).Where(k => !moved.Contains(k)).SelectMany(k => Effects.Reads(code[k])).Any(OuterWrites(backward).Contains);
        if (!safe)
        {
            return null;
        }

        var result = code.Take(i).ToList();
        result.AddRange(movedCode);
        result.Add(fusedLoop);
        result.AddRange(Enumerable.Range(i + 1, j - i - 1).Where(k => !moved.Contains(k)).Select(k => code[k]));
        result.AddRange(code.Skip(j + 1));
        return result;
    }

    private static HashSet<string> OuterWrites(Loop loop)
    {
        var locals = new HashSet<string>(loop.Body.OfType<Let>().Select(l => l.Name));
        return new HashSet<string>(Effects.Writes(loop).Where(w => !locals.Contains(w)));
    }

    private const string TailComment = "elements the method never reads get no gradient";

    /// <summary>
    /// In <c>Gradient</c>, an array adjoint that only straight-line steps write, at constant
    /// indices 0..n-1, needs no clearing: the first write of each element becomes <c>=</c> and
    /// only the elements past n (which no step reaches) are cleared, at the end.
    /// </summary>
    public static List<Code> AssignFirstWrites(List<Code> code)
    {
        foreach (ClearSpan clear in code.OfType<ClearSpan>().Where(c => c.From == 0).ToList())
        {
            string span = clear.Span;
            int start = code.IndexOf(clear);
            var first = new Dictionary<int, int>();
            bool straight = true;
            for (int k = start + 1; k < code.Count && straight; k++)
            {
                if (code[k] is AddToElement a && a.Span == span)
                {
                    if (a.Index is Opaque { CodeType: Ty.Int } index && int.TryParse(index.Code, out int element) && element >= 0)
                    {
                        if (!first.ContainsKey(element))
                        {
                            first[element] = k;
                        }
                    }
                    else
                    {
                        straight = false;
                    }
                }
                else if (Effects.Reads(code[k]).Concat(Effects.Writes(code[k])).Contains(span))
                {
                    straight = false;
                }
            }

            if (!straight || first.Count == 0 || first.Keys.Max() != first.Count - 1)
            {
                continue;
            }

            foreach (int k in first.Values)
            {
                code[k] = ((AddToElement)code[k]) with { First = true };
            }

            code.RemoveAt(start);
            int end = code.FindLastIndex(c => c is ReturnValue);
            end = end < 0 ? code.Count : end;
            if (!code.OfType<Comment>().Any(c => c.Text == TailComment))
            {
                code.Insert(end++, new Comment(TailComment));
            }

            code.Insert(end, new ClearSpan(span, first.Count));
        }

        return code;
    }

    /// <summary>
    /// A parameter adjoint (an <c>out</c> or <c>ref</c> parameter) that a loop accumulates into
    /// is summed in a local (<c>gradientW</c> for <c>dw</c>) and added once after the loop: the JIT
    /// keeps a local in a register, where every <c>+=</c> through a reference would go to memory.
    /// The local is named after what it holds, the gradient's component: a <c>d</c> prefix is
    /// kept for adjoints (<c>dwSum</c> would read as the adjoint of a <c>wSum</c>).
    /// </summary>
    public static List<Code> LocalAccumulators(List<Code> code, HashSet<string> adjoints, HashSet<string> taken)
    {
        var result = new List<Code>();
        foreach (Code c in code)
        {
            if (c is not Loop loop)
            {
                result.Add(c);
                continue;
            }

            var sums = new Dictionary<string, string>();
            foreach (string adjoint in adjoints.Where(a => OnlyAccumulates(loop, a)))
            {
                string of = adjoint.Length > 1 && adjoint[0] == 'd' ? adjoint.Substring(1) : adjoint;
                sums[adjoint] = Parsing.Names.Fresh("gradient" + Parsing.Names.Capitalized(of), taken);
            }

            foreach (KeyValuePair<string, string> sum in sums)
            {
                result.Add(new Let(sum.Value, Ty.Double, Num.Zero));
            }

            result.Add(sums.Count == 0 ? loop : (Loop)Rename(loop, sums));
            foreach (KeyValuePair<string, string> sum in sums)
            {
                result.Add(new AddTo(sum.Key, new Var(sum.Value, Ty.Double)));
            }
        }

        return result;
    }

    // True when the loop touches the adjoint, and only by accumulating into it.
    private static bool OnlyAccumulates(Loop loop, string adjoint)
    {
        bool touched = false;
        foreach (Code c in Flatten(loop.Body))
        {
            bool accumulates = c is AddTo a && a.Name == adjoint && !Effects.VarsIn(a.Value).Contains(adjoint)
                || c is BackwardCall b && b.Adjoints.Contains(adjoint) && !b.Args.SelectMany(Effects.VarsIn).Concat(Effects.VarsIn(b.Seed)).Contains(adjoint);
            if (accumulates)
            {
                touched = true;
            }
            else if (c is not Loop && Effects.Reads(c).Concat(Effects.Writes(c)).Contains(adjoint))
            {
                return false;
            }
        }

        return touched;
    }

    private static IEnumerable<Code> Flatten(IEnumerable<Code> code) =>
        code.SelectMany(c => c is Loop l ? Flatten(l.Body).Prepend(c) : [c]);

    private static Code Rename(Code c, Dictionary<string, string> sums) => c switch
    {
        Loop l => l with { Body = l.Body.Select(b => Rename(b, sums)).ToList() },
        AddTo a when sums.TryGetValue(a.Name, out string? sum) => a with { Name = sum },
        BackwardCall b => b with { Adjoints = b.Adjoints.Select(a => a is not null && sums.TryGetValue(a, out string? sum) ? sum : a).ToList() },
        _ => c,
    };

    /// <summary>
    /// <c>dw = 0;</c> followed by <c>dw += v;</c> with nothing touching <c>dw</c> in between
    /// becomes <c>dw = v;</c>.
    /// </summary>
    public static List<Code> FoldZeroStarts(List<Code> code)
    {
        var result = new List<Code>(code);
        for (int i = 0; i < result.Count; i++)
        {
            if (result[i] is not Set { Value: Num { Value: 0 } } zero)
            {
                continue;
            }

            int next = result.FindIndex(i + 1, c => Effects.Reads(c).Concat(Effects.Writes(c)).Contains(zero.Name));
            if (next > 0 && result[next] is AddTo add && add.Name == zero.Name && !Effects.VarsIn(add.Value).Contains(zero.Name))
            {
                result[next] = new Set(add.Name, add.Subtract ? new Neg(add.Value) : add.Value);
                result.RemoveAt(i);
                i--;
            }
        }

        return result;
    }
}
