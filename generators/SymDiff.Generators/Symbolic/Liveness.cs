using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Which of the backward sweep's scalar restores are read. A restore (<c>s = tape.PopDouble()</c>)
/// matters only if something reads <c>s</c> before the next restore or assignment of it, on some
/// path; classic live-variable analysis over the structured backward code, walking it backwards.
/// </summary>
internal static class Liveness
{
    /// <summary>The sites (<see cref="Taped.Site"/>) of the restores whose value is read.</summary>
    public static HashSet<int> ReadSites(IReadOnlyList<Code> backward)
    {
        var read = new HashSet<int>();
        Block(backward, new HashSet<string>(), read);
        return read;
    }

    // The names live before the block, given those live after it.
    private static HashSet<string> Block(IReadOnlyList<Code> code, HashSet<string> liveAfter, HashSet<int> read)
    {
        var live = new HashSet<string>(liveAfter);
        for (int i = code.Count - 1; i >= 0; i--)
        {
            live = Statement(code[i], live, read);
        }

        return live;
    }

    private static HashSet<string> Statement(Code c, HashSet<string> live, HashSet<int> read)
    {
        switch (c)
        {
            case Taped { Site: > 0, Action: Pop pop } t:
                if (live.Contains(pop.Target))
                {
                    read.Add(t.Site);
                }

                live.Remove(pop.Target);
                return live;
            case Branch b:
                var either = Block(b.Then, live, read);
                either.UnionWith(Block(b.Else, live, read));
                either.UnionWith(Effects.VarsIn(b.Test));
                return either;
            case Repeat r:
                return Loop(r.Body, Effects.VarsIn(r.Test), live, read);
            case Loop l:
                return Loop(l.Body, Effects.Identifiers(l.Header), live, read);
            default:
                // Only a whole assignment kills; an element write, an accumulation or raw code may keep the old value.
                if (c is Let or Set || c is Taped { Action: Pop { Index: null } })
                {
                    foreach (string written in Effects.Writes(c))
                    {
                        live.Remove(written);
                    }
                }

                live.UnionWith(Effects.Reads(c));
                return live;
        }
    }

    // A loop may run its body any number of times, the test before each: iterate to a fixed point.
    // The live sets only grow, so a site found read in any round is read.
    private static HashSet<string> Loop(IReadOnlyList<Code> body, IEnumerable<string> test, HashSet<string> liveAfter, HashSet<int> read)
    {
        var live = new HashSet<string>(liveAfter);
        live.UnionWith(test);
        while (true)
        {
            var next = Block(body, live, read);
            next.UnionWith(live);
            if (next.SetEquals(live))
            {
                return live;
            }

            live = next;
        }
    }
}
