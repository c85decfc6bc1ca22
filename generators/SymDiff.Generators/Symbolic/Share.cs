using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Common subexpressions: a function call that a statement computes more than once is computed
/// once into a named local just before it (<c>double expZ = Math.Exp(-z);</c>), and later
/// statements of the same block reuse that local while nothing it reads has been assigned.
/// </summary>
internal static class Share
{
    public static List<Code> Run(IEnumerable<Code> code, HashSet<string> taken)
    {
        var result = new List<Code>();

        // Calls already held in a local: key → (local, the names the call reads).
        var held = new Dictionary<string, (string Local, HashSet<string> Reads)>();
        foreach (Code c in code)
        {
            switch (c)
            {
                case Loop loop:
                    result.Add(loop with { Body = Run(loop.Body, taken) });
                    held.Clear();
                    continue;
                case Branch branch:
                    result.Add(branch with { Then = Run(branch.Then, taken), Else = Run(branch.Else, taken) });
                    held.Clear();
                    continue;
                case Repeat repeat:
                    result.Add(repeat with { Body = Run(repeat.Body, taken) });
                    held.Clear();
                    continue;
                case Comment or Push:
                    result.Add(c);
                    continue;
            }

            Expr? value = ValueOf(c);
            if (value is null)
            {
                // Anything else (a pop, a call's pullback, raw code) may assign anything.
                result.Add(c);
                held.Clear();
                continue;
            }

            foreach (KeyValuePair<string, (string Local, HashSet<string> Reads)> h in held)
            {
                value = Replace(value, h.Key, new Var(h.Value.Local, Ty.Double));
            }

            var counts = new Dictionary<string, (Fn Call, int Count)>();
            Count(value, counts);
            foreach (KeyValuePair<string, (Fn Call, int Count)> repeated in counts.Where(kv => kv.Value.Count > 1).OrderByDescending(kv => kv.Key.Length))
            {
                string name = Names.Fresh(NameOf(repeated.Value.Call), taken);
                result.Add(new Let(name, Ty.Double, repeated.Value.Call));
                value = Replace(value, repeated.Key, new Var(name, Ty.Double));
                held[repeated.Key] = (name, new HashSet<string>(Effects.VarsIn(repeated.Value.Call)));
            }

            result.Add(WithValue(c, value));
            foreach (string target in Effects.Writes(c))
            {
                foreach (string stale in held.Where(h => h.Value.Reads.Contains(target) || h.Value.Local == target).Select(h => h.Key).ToList())
                {
                    held.Remove(stale);
                }
            }
        }

        return result;
    }

    private static string NameOf(Fn call)
    {
        string function = call.Function.ToString().ToLowerInvariant();
        return call.Args.Count == 1 && call.Args[0] is Var v ? function + Names.Capitalized(v.Name)
            : call.Args.Count == 1 && call.Args[0] is Neg { Operand: Var nv } ? function + "Neg" + Names.Capitalized(nv.Name)
            : function;
    }

    private static Expr? ValueOf(Code c) => c switch
    {
        Let { Type: Ty.Double } l => l.Value,
        Set s => s.Value,
        AddTo a => a.Value,
        AddToElement a => a.Value,
        StoreElement st => st.Value,
        Update u => u.Value,
        ReturnValue r => r.Value,
        _ => null,
    };

    private static Code WithValue(Code c, Expr value) => c switch
    {
        Let l => l with { Value = value },
        Set s => s with { Value = value },
        AddTo a => a with { Value = value },
        AddToElement a => a with { Value = value },
        StoreElement st => st with { Value = value },
        Update u => u with { Value = value },
        ReturnValue r => r with { Value = value },
        _ => c,
    };

    private static void Count(Expr e, Dictionary<string, (Fn, int)> counts)
    {
        if (e is Fn f)
        {
            string key = Simplify.Key(f);
            counts[key] = counts.TryGetValue(key, out var existing) ? (f, existing.Item2 + 1) : (f, 1);
        }

        foreach (Expr child in E.Children(e))
        {
            Count(child, counts);
        }
    }

    private static Expr Replace(Expr e, string key, Expr with)
    {
        if (e is Fn && Simplify.Key(e) == key)
        {
            return with;
        }

        return E.MapChildren(e, child => Replace(child, key, with));
    }
}
