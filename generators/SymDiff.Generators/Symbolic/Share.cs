using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Common subexpressions: a function call that a statement computes more than once is computed
/// once into a named local just before it (<c>double expZ = Math.Exp(-z);</c>), and so is
/// repeated arithmetic over locals (<c>double oneMinusTanhSquared = 1 - tanh * tanh;</c>); later
/// statements of the same block reuse such a local while nothing it reads has been assigned.
/// </summary>
internal static class Share
{
    public static List<Code> Run(IEnumerable<Code> code, HashSet<string> taken)
    {
        // Calls first; then rule factors, which read the calls' locals (1 - tanh * tanh).
        List<Code> calls = Shared(code as IReadOnlyList<Code> ?? code.ToList(), taken, CallsIn, e => NameOf((Fn)e));
        return Shared(calls, taken, FactorsIn, e => FactorName(e)!);
    }

    /// <summary>
    /// One sharing pass over a block (and, on their own, the blocks inside it): each expression
    /// <paramref name="find"/> reports that a statement computes twice, or that a later statement
    /// computes again while nothing it reads has changed, goes into a local named by
    /// <paramref name="name"/> just before the statement; later statements reuse the local while
    /// it holds. Inner expressions come first, so an outer one's local reads the inner one's
    /// (exp(-z) inside log(1 + exp(-z))).
    /// </summary>
    private static List<Code> Shared(IReadOnlyList<Code> statements, HashSet<string> taken, System.Func<Expr, List<Found>?> find, System.Func<Expr, string> name)
    {
        var result = new List<Code>(statements.Count);
        (HashSet<(int Statement, string Key)> reusedLater, List<Found>?[] found) = ReusedLater(statements, find);

        // Expressions already held in a local, by key; forgotten when a name they read is assigned.
        var held = new Calls<string>();
        for (int index = 0; index < statements.Count; index++)
        {
            Code c = statements[index];
            switch (c)
            {
                case Loop loop:
                    result.Add(loop with { Body = Shared(loop.Body, taken, find, name) });
                    held.Clear();
                    continue;
                case Branch branch:
                    result.Add(branch with { Then = Shared(branch.Then, taken, find, name), Else = Shared(branch.Else, taken, find, name) });
                    held.Clear();
                    continue;
                case Repeat repeat:
                    result.Add(repeat with { Body = Shared(repeat.Body, taken, find, name) });
                    held.Clear();
                    continue;
                case Comment or Push:
                    result.Add(c);
                    continue;
                case Pop or BackwardCall or BackwardTangentCall or ClearSpan:
                    // These assign only what Effects.Writes names (a call's pullback, its adjoint arguments).
                    result.Add(c);
                    Forget(c);
                    continue;
            }

            Expr? original = ValueOf(c);
            if (original is null)
            {
                // Anything else (raw code) may assign anything.
                result.Add(c);
                held.Clear();
                continue;
            }

            Expr value = original;

            // A statement with nothing to share holds nothing a held local could stand for either
            // (what is held is a call or a factor), so it stays as it is.
            List<Found>? findings = found[index];
            if (findings is not null && !held.IsEmpty)
            {
                Expr replaced = Replace(value, key => held.TryGet(key, out string? local) ? new Var(local!, Ty.Double) : null);
                if (!ReferenceEquals(replaced, value))
                {
                    value = replaced;
                    findings = find(value);
                }
            }

            List<Found>? shared = null;
            foreach (Found f in findings ?? [])
            {
                if (f.Count > 1 || reusedLater.Contains((index, f.Key)))
                {
                    (shared ??= new List<Found>()).Add(f);
                }
            }

            if (shared is not null)
            {
                // Shorter first (inner before outer); OrderBy keeps the order of equal lengths.
                shared = shared.Count > 1 ? shared.OrderBy(f => f.Key.Length).ToList() : shared;
                var made = new Dictionary<string, string>();
                Expr? Made(string key) => made.TryGetValue(key, out string? local) ? new Var(local, Ty.Double) : null;
                foreach ((string key, Expr expression, _) in shared)
                {
                    string local = Names.Fresh(name(expression), taken);
                    result.Add(new Let(local, Ty.Double, E.MapChildren(expression, child => Replace(child, Made))));
                    made[key] = local;
                    held.Add(key, local, Effects.VarsIn(expression).Append(local));
                }

                value = Replace(value, Made);
            }

            result.Add(ReferenceEquals(value, original) ? c : WithValue(c, value));
            Forget(c);
        }

        return result;

        // What a statement assigns no longer holds the expressions that read it.
        void Forget(Code statement)
        {
            foreach (string target in Effects.Writes(statement))
            {
                held.Assigned(target);
            }
        }
    }

    /// <summary>An expression a statement computes, by its key, and how many times the statement computes it.</summary>
    private readonly record struct Found(string Key, Expr Shared, int Count);

    // The calls in a value, in the order first met (outer before inner); null when it has none.
    private static List<Found>? CallsIn(Expr value)
    {
        Dictionary<string, Found>? counts = null;
        Count(value, IsCall, ref counts);
        return counts?.Values.ToList();
    }

    // The factors below a value (the value itself is the statement's own); null when it has none.
    private static List<Found>? FactorsIn(Expr value)
    {
        Dictionary<string, Found>? counts = null;
        for (int i = 0, n = E.ChildCount(value); i < n; i++)
        {
            Count(E.Child(value, i), IsFactor, ref counts);
        }

        return counts?.Values.ToList();
    }

    /// <summary>
    /// Input elements at constant indices (<c>x[0]</c>, <c>W2[3]</c>) that the method reads more than
    /// once are read once, into a local (<c>x0</c>), before the straight-line statement that reads
    /// them first, as a hand-writer would: the adjoints the method writes are spans and
    /// <c>out</c>/<c>ref</c> parameters, and the JIT must assume a write through them can change
    /// the input, so it reads the element again after every such write. Arrays the method itself
    /// writes are left alone, and so are elements first read inside a loop or branch (reading them
    /// earlier could throw where the source would not).
    /// </summary>
    public static List<Code> Elements(List<Code> code, HashSet<string> taken)
    {
        var written = new HashSet<string>(code.SelectMany(Effects.Writes));
        var counts = new Dictionary<string, int>();
        foreach (Code c in code)
        {
            foreach (Expr e in AllExprs(c))
            {
                CountElements(e, written, counts);
            }
        }

        if (!counts.Values.Any(n => n > 1))
        {
            return code;
        }

        var held = new Dictionary<string, Expr>();
        Expr Held(Expr e) => e is Elem && held.TryGetValue(ElementKey(e, written) ?? "", out Expr? local) ? local : E.MapChildren(e, Held);
        var result = new List<Code>(code.Count);
        foreach (Code c in code)
        {
            if (ValueOf(c) is { } value)
            {
                foreach (Elem element in ElementsIn(value).Where(el => ElementKey(el, written) is { } key && counts[key] > 1 && !held.ContainsKey(key)))
                {
                    string name = Names.Fresh(LocalName(element), taken);
                    result.Add(new Let(name, Ty.Double, element));
                    held[ElementKey(element, written)!] = new Var(name, Ty.Double);
                }
            }

            result.Add(held.Count == 0 ? c : MapValues(c, Held));
        }

        return result;
    }

    // "x[0]" for a constant-index read of an array the method does not write; null otherwise.
    private static string? ElementKey(Expr e, HashSet<string> written) =>
        e is Elem el && !written.Contains(el.Array) && el.Index is Opaque { Code: var index } && index.Length > 0 && index.All(char.IsDigit)
            ? el.Array + "[" + index + "]"
            : null;

    private static void CountElements(Expr e, HashSet<string> written, Dictionary<string, int> counts)
    {
        if (ElementKey(e, written) is { } key)
        {
            counts[key] = counts.TryGetValue(key, out int n) ? n + 1 : 1;
        }

        for (int i = 0, n = E.ChildCount(e); i < n; i++)
        {
            CountElements(E.Child(e, i), written, counts);
        }
    }

    private static IEnumerable<Elem> ElementsIn(Expr e) =>
        (e is Elem el ? [el] : Enumerable.Empty<Elem>()).Concat(E.Children(e).SelectMany(ElementsIn));

    // x[0] → x0, W2[3] → w2At3, this.Inputs[1] → inputs1.
    private static string LocalName(Elem element)
    {
        string array = element.Array.Substring(element.Array.LastIndexOf('.') + 1).TrimStart('@');
        string lower = char.ToLowerInvariant(array[0]) + array.Substring(1);
        string index = ((Opaque)element.Index).Code;
        return char.IsDigit(lower[lower.Length - 1]) ? lower + "At" + index : lower + index;
    }

    private static IEnumerable<Expr> AllExprs(Code c) => c switch
    {
        Loop l => l.Body.SelectMany(AllExprs),
        Branch b => b.Then.Concat(b.Else).SelectMany(AllExprs).Prepend(b.Test),
        Repeat r => r.Body.SelectMany(AllExprs).Prepend(r.Test),
        BackwardCall b => b.Args.Append(b.Seed),
        _ => ValueOf(c) is { } value ? [value] : [],
    };

    private static Code MapValues(Code c, System.Func<Expr, Expr> f) => c switch
    {
        Loop l => l with { Body = l.Body.Select(x => MapValues(x, f)).ToList() },
        Branch b => b with { Test = f(b.Test), Then = b.Then.Select(x => MapValues(x, f)).ToList(), Else = b.Else.Select(x => MapValues(x, f)).ToList() },
        Repeat r => r with { Test = f(r.Test), Body = r.Body.Select(x => MapValues(x, f)).ToList() },
        BackwardCall b => b with { Args = b.Args.Select(f).ToList(), Seed = f(b.Seed) },
        _ => ValueOf(c) is { } value ? WithValue(c, f(value)) : c,
    };

    // A first pass over the same statements with the same rules: the statements whose call is
    // computed again by a later statement while nothing it reads has changed (the primal's
    // Math.Exp(-z), read again by the backward sweep), so the first one keeps it in a local; and
    // what each statement computes, for the second pass.
    private static (HashSet<(int Statement, string Key)> Reused, List<Found>?[] Found) ReusedLater(IReadOnlyList<Code> statements, System.Func<Expr, List<Found>?> find)
    {
        var reused = new HashSet<(int, string)>();
        var found = new List<Found>?[statements.Count];
        var live = new Calls<int>();
        for (int index = 0; index < statements.Count; index++)
        {
            Code c = statements[index];
            if (c is Comment or Push)
            {
                continue;
            }

            Expr? value = ValueOf(c);
            if (value is null)
            {
                live.Clear();
                continue;
            }

            found[index] = find(value);
            foreach ((string key, Expr shared, _) in found[index] ?? [])
            {
                if (live.TryGet(key, out int first))
                {
                    reused.Add((first, key));
                }
                else
                {
                    live.Add(key, index, Effects.VarsIn(shared));
                }
            }

            foreach (string target in Effects.Writes(c))
            {
                live.Assigned(target);
            }
        }

        return (reused, found);
    }

    /// <summary>Calls by key, each with what is known of it, and which calls each name makes stale when assigned.</summary>
    private sealed class Calls<T>
    {
        private readonly Dictionary<string, T> known = new();
        private readonly Dictionary<string, List<string>> readers = new();

        public bool IsEmpty => known.Count == 0;

        public bool TryGet(string key, out T value) => known.TryGetValue(key, out value!);

        public void Add(string key, T value, IEnumerable<string> reads)
        {
            known[key] = value;
            foreach (string name in reads)
            {
                if (!readers.TryGetValue(name, out List<string>? list))
                {
                    readers[name] = list = new List<string>();
                }

                list.Add(key);
            }
        }

        // The name is assigned: the calls it was given for (the names a call reads, or its local) are stale.
        public void Assigned(string name)
        {
            if (readers.TryGetValue(name, out List<string>? stale))
            {
                foreach (string key in stale)
                {
                    known.Remove(key);
                }

                readers.Remove(name);
            }
        }

        public void Clear()
        {
            known.Clear();
            readers.Clear();
        }
    }

    public static string NameOf(Fn call)
    {
        string function = call.Function switch { MathFn.Norm => "length", MathFn.Det2 => "cross", _ => call.Function.ToString().ToLowerInvariant() };
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

    private static bool IsCall(Expr e) => e is Fn;

    // A factor of the rule table (see FactorName).
    private static bool IsFactor(Expr e) => FactorName(e) is not null;

    // Every expression at or below e that 'shared' picks, counted by key, in the order first met;
    // the last instance met stands for its key (they are all equal).
    private static void Count(Expr e, System.Func<Expr, bool> shared, ref Dictionary<string, Found>? counts)
    {
        if (shared(e))
        {
            string key = Simplify.Key(e);
            counts ??= new Dictionary<string, Found>();
            counts[key] = new Found(key, e, counts.TryGetValue(key, out Found existing) ? existing.Count + 1 : 1);
        }

        for (int i = 0, n = E.ChildCount(e); i < n; i++)
        {
            Count(E.Child(e, i), shared, ref counts);
        }
    }

    // The factors of the rule table worth a local of their own when repeated, by a name that says
    // what they are: 1 - t * t (tanh'), t * (1 - t) (the logistic's), 1 + u * u (atan's); null for
    // any other expression, which stays as it is written.
    private static string? FactorName(Expr e) => e switch
    {
        Binary { Op: BinOp.Sub, Left: Num { Value: 1 }, Right: Binary { Op: BinOp.Mul, Left: Var a, Right: Var b } } when a.Name == b.Name => "oneMinus" + Names.Capitalized(a.Name) + "Squared",
        Binary { Op: BinOp.Add, Left: Num { Value: 1 }, Right: Binary { Op: BinOp.Mul, Left: Var a, Right: Var b } } when a.Name == b.Name => "onePlus" + Names.Capitalized(a.Name) + "Squared",
        Binary { Op: BinOp.Mul, Left: Var a, Right: Binary { Op: BinOp.Sub, Left: Num { Value: 1 }, Right: Var b } } when a.Name == b.Name => a.Name + "TimesOneMinus" + Names.Capitalized(a.Name),
        Binary { Op: BinOp.Mul, Left: Binary { Op: BinOp.Sub, Left: Num { Value: 1 }, Right: Var b }, Right: Var a } when a.Name == b.Name => a.Name + "TimesOneMinus" + Names.Capitalized(a.Name),
        _ => null,
    };

    // Each call whose key the lookup knows becomes what it gives, outer calls first; then each factor.
    private static Expr Replace(Expr e, System.Func<string, Expr?> lookup)
    {
        System.Func<Expr, Expr>? replace = null;
        replace = x =>
        {
            if (x is Fn && lookup(Simplify.Key(x)) is { } call)
            {
                return call;
            }

            // A factor is looked up once its own calls are locals, as it was when it was held.
            Expr mapped = E.MapChildren(x, replace!);
            return IsFactor(mapped) && lookup(Simplify.Key(mapped)) is { } factor ? factor : mapped;
        };
        return replace(e);
    }
}
