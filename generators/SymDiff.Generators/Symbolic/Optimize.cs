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

            bool always = c is Raw or ReturnValue or AddToElement || c is BackwardCall { WritesSpan: true };
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

    // A comment introduces the statements after it; without any, it goes.
    private static List<Code> DropOrphanComments(List<Code> code)
    {
        var result = new List<Code>();
        for (int i = 0; i < code.Count; i++)
        {
            if (code[i] is Comment && (i + 1 == code.Count || code[i + 1] is Comment or ReturnValue))
            {
                continue;
            }

            result.Add(code[i] is Loop l ? l with { Body = DropOrphanComments(l.Body.ToList()) } : code[i]);
        }

        return result;
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
}
