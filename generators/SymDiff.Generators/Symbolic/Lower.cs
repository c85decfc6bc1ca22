using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>A body ready for the taped sweeps: no jumps, every local declared at the top.</summary>
/// <param name="Body">The statements: declarations first, then the lowered code, ending in the return (if any).</param>
/// <param name="Types">The type of every scalar name: parameters, locals, flags.</param>
internal sealed record LoweredBody(List<Stmt> Body, Dictionary<string, (Ty Type, string TypeCode)> Types);

/// <summary>
/// Prepares a body with control flow for the taped sweeps, in two steps.
/// <list type="number">
/// <item>Jumps become flags: <c>break</c>, <c>continue</c> and an early <c>return</c> set a bool
/// (and the result), the statements they skip are guarded by <c>if (!flag)</c> — or, when one
/// branch of an <c>if</c> always jumps, simply moved into the other branch — and a loop that
/// can be left early tests its flags in its condition. Afterwards every statement runs to its end,
/// so the backward sweep can replay blocks in reverse without knowing where a jump landed.</item>
/// <item>Locals declared in nested blocks are declared once at the top (renamed where two
/// blocks used the same name), so the backward sweep, which lives outside those blocks, can read
/// them.</item>
/// </list>
/// </summary>
internal sealed class Lower
{
    private readonly HashSet<string> taken;
    private readonly string? result;
    private readonly string? returned;
    private readonly List<Stmt> declarations = new();
    private readonly Dictionary<string, (Ty, string)> types = new();
    private readonly Stack<(string? Break, string? Continue, int Line)> loops = new();
    private readonly string scalar;

    private Lower(MethodModel model, HashSet<string> taken, bool simpleReturn)
    {
        this.taken = taken;
        scalar = model.Scalar;
        foreach (ParamModel p in model.Params)
        {
            types[p.Name] = (p.Kind == ParamKind.Double ? Ty.Double : p.IsArray ? Ty.Array : Ty.Int, p.TypeCode);
        }

        if (!simpleReturn)
        {
            returned = Flag(Names.Fresh("returnedEarly", taken), model.Line);
            if (!model.ReturnsVoid)
            {
                result = Names.Fresh(char.ToLowerInvariant(model.Name[0]) + model.Name.Substring(1), taken);
                Declare(result, Ty.Double, model.Line);
            }
        }
    }

    private sealed record Exits(HashSet<string> May, bool Always)
    {
        public static readonly Exits None = new(new HashSet<string>(), false);
    }

    public static LoweredBody Run(MethodModel model, HashSet<string> taken)
    {
        var all = BodyParser.AllStatements(model.Body).ToList();
        int returns = all.Count(s => s is Return);
        bool simple = returns == 0 || (returns == 1 && model.Body.LastOrDefault() is Return);
        var lower = new Lower(model, taken, simple);
        List<Stmt> body = lower.Block(model.Body, out _);
        if (lower.result is not null)
        {
            body.Add(new Return(new Var(lower.result, Ty.Double), model.Line, "return"));
        }

        body = lower.Hoist(body, all);
        body = DropUnreadFlags(lower.declarations.Concat(body).ToList(), lower);
        return new LoweredBody(body, lower.types);
    }

    /// <summary>The source text of a declaration Lower moved to the top, which no source line holds.</summary>
    public const string Hoisted = "declared at the top for the backward sweep";

    // Declares the (already fresh) flag 'flag' at the top.
    private string Flag(string flag, int line)
    {
        Declare(flag, Ty.Bool, line);
        return flag;
    }

    private void Declare(string name, Ty type, int line, string? typeCode = null)
    {
        Expr start = type == Ty.Int && typeCode is not null ? new Opaque("default", Ty.Int, true) : E.Zero(type);
        declarations.Add(new Decl(name, type, start, line, Hoisted, typeCode));
        types[name] = (type, typeCode ?? (type == Ty.Double ? scalar : type == Ty.Bool ? "bool" : "int"));
    }

    private static Stmt SetFlag(string flag, int line, string source) => new Assign(flag, AssignOp.Set, new Opaque("true", Ty.Bool, true), line, source);

    private static Expr NoneOf(IEnumerable<string> flags)
    {
        var list = flags.OrderBy(f => f, System.StringComparer.Ordinal).ToList();
        return list.Count == 1 ? new Opaque("!" + list[0], Ty.Bool, true) : new Opaque($"!({string.Join(" || ", list)})", Ty.Bool, true);
    }

    private List<Stmt> Block(IReadOnlyList<Stmt> statements, out Exits exits)
    {
        var output = new List<Stmt>();
        var may = new HashSet<string>();
        for (int i = 0; i < statements.Count; i++)
        {
            Stmt s = statements[i];
            IReadOnlyList<Stmt> rest = statements.Skip(i + 1).ToList();
            if (s is If branch)
            {
                List<Stmt> then = Block(branch.Then, out Exits thenExits);
                List<Stmt> otherwise = Block(branch.Else, out Exits elseExits);
                may.UnionWith(thenExits.May);
                may.UnionWith(elseExits.May);
                bool thenJumps = thenExits.Always && elseExits.May.Count == 0;
                bool elseJumps = elseExits.Always && thenExits.May.Count == 0;
                if ((thenJumps || elseJumps) && rest.Count > 0)
                {
                    // The branch that always jumps skips the rest; the other one runs it.
                    List<Stmt> tail = Block(rest, out Exits restExits);
                    may.UnionWith(restExits.May);
                    output.Add(thenJumps
                        ? branch with { Then = then.ToEquatableArray(), Else = otherwise.Concat(tail).ToEquatableArray() }
                        : branch with { Then = then.Concat(tail).ToEquatableArray(), Else = otherwise.ToEquatableArray() });
                    exits = new Exits(may, restExits.Always);
                    return output;
                }

                output.Add(branch with { Then = then.ToEquatableArray(), Else = otherwise.ToEquatableArray() });
                if (thenExits.Always && elseExits.Always)
                {
                    exits = new Exits(may, true);
                    return output;
                }

                if (thenExits.May.Count + elseExits.May.Count > 0 && rest.Count > 0)
                {
                    output.Add(Guarded(thenExits.May.Concat(elseExits.May), rest, s, may, out bool always));
                    exits = new Exits(may, always);
                    return output;
                }

                continue;
            }

            List<Stmt> lowered = Statement(s, out Exits own);
            output.AddRange(lowered);
            may.UnionWith(own.May);
            if (own.Always)
            {
                exits = new Exits(may, true);
                return output;
            }

            if (own.May.Count > 0 && rest.Count > 0)
            {
                output.Add(Guarded(own.May, rest, s, may, out bool always));
                exits = new Exits(may, always);
                return output;
            }
        }

        exits = new Exits(may, false);
        return output;
    }

    // if (!(flags)) { rest }: the statements a possible jump skips.
    private Stmt Guarded(IEnumerable<string> flags, IReadOnlyList<Stmt> rest, Stmt after, HashSet<string> may, out bool always)
    {
        List<Stmt> tail = Block(rest, out Exits restExits);
        may.UnionWith(restExits.May);
        always = false;
        return new If(NoneOf(flags.Distinct()), tail.ToEquatableArray(), EquatableArray<Stmt>.Empty, after.Line, $"unless a jump above skipped the rest (after line {after.Line})");
    }

    private List<Stmt> Statement(Stmt s, out Exits exits)
    {
        exits = Exits.None;
        switch (s)
        {
            case Break b:
                exits = new Exits(new HashSet<string> { LoopFlag(isBreak: true) }, true);
                return [SetFlag(LoopFlag(isBreak: true), b.Line, b.Source)];
            case Continue c:
                exits = new Exits(new HashSet<string> { LoopFlag(isBreak: false) }, true);
                return [SetFlag(LoopFlag(isBreak: false), c.Line, c.Source)];
            case Return r when returned is null:
                return [r];
            case Return r:
                var jump = new List<Stmt>();
                if (r.Value is not null)
                {
                    jump.Add(new Assign(result!, AssignOp.Set, r.Value, r.Line, r.Source));
                }

                jump.Add(SetFlag(returned, r.Line, r.Source));
                exits = new Exits(new HashSet<string> { returned }, true);
                return jump;
            case For f:
                return Loop(f, f.Body, EquatableArray<Stmt>.Empty, out exits, (body, stop) =>
                    f with { Condition = stop is null ? f.Condition : $"{stop} && ({f.Condition})", Body = body.ToEquatableArray() });
            case While w:
                return Loop(w, w.Body, w.Step, out exits, (body, stop) =>
                    w with { Test = stop is null ? w.Test : new Binary(BinOp.And, new Opaque(stop, Ty.Bool, false), w.Test), Body = body.ToEquatableArray(), Step = EquatableArray<Stmt>.Empty });
            default:
                return [s];
        }
    }

    private string LoopFlag(bool isBreak)
    {
        var (brk, cont, line) = loops.Pop();
        if (isBreak)
        {
            brk ??= Flag(Names.FreshAt("leftLoop", line, taken), line);
        }
        else
        {
            cont ??= Flag(Names.FreshAt("continuedLoop", line, taken), line);
        }

        loops.Push((brk, cont, line));
        return isBreak ? brk! : cont!;
    }

    private List<Stmt> Loop(Stmt loop, IReadOnlyList<Stmt> body, IReadOnlyList<Stmt> step, out Exits exits, System.Func<List<Stmt>, string?, Stmt> rebuild)
    {
        loops.Push((null, null, loop.Line));
        List<Stmt> lowered = Block(body, out Exits bodyExits);
        var (brk, cont, _) = loops.Pop();
        var before = new List<Stmt>();
        if (brk is not null)
        {
            before.Add(new Assign(brk, AssignOp.Set, new Opaque("false", Ty.Bool, true), loop.Line, loop.Source));
        }

        if (cont is not null)
        {
            lowered.Insert(0, new Assign(cont, AssignOp.Set, new Opaque("false", Ty.Bool, true), loop.Line, loop.Source));
        }

        // A lowered for loop's increment runs after 'continue' but not after 'break' or 'return'.
        var leave = new List<string>();
        if (brk is not null)
        {
            leave.Add(brk);
        }

        if (returned is not null && bodyExits.May.Contains(returned))
        {
            leave.Add(returned);
        }

        if (step.Count > 0)
        {
            List<Stmt> steps = Block(step, out _);
            if (leave.Count == 0)
            {
                lowered.AddRange(steps);
            }
            else
            {
                lowered.Add(new If(NoneOf(leave), steps.ToEquatableArray(), EquatableArray<Stmt>.Empty, loop.Line, "the loop's increment"));
            }
        }

        string? stop = leave.Count == 0 ? null : string.Join(" && ", leave.OrderBy(f => f, System.StringComparer.Ordinal).Select(f => "!" + f));
        exits = returned is not null && bodyExits.May.Contains(returned) ? new Exits(new HashSet<string> { returned }, false) : Exits.None;
        before.Add(rebuild(lowered, stop));
        return before;
    }

    // Declarations in nested blocks move to the top; a name two blocks share gets a fresh name in the second.
    private List<Stmt> Hoist(List<Stmt> body, List<Stmt> original)
    {
        var counters = new HashSet<string>(original.OfType<For>().Select(f => f.Counter));
        var hoisted = new HashSet<string>();
        return Walk(body, new Dictionary<string, string>(), top: true, counters, hoisted);
    }

    private string Default(Ty type) => type == Ty.Double ? scalar : type == Ty.Bool ? "bool" : "int";

    private List<Stmt> Walk(IReadOnlyList<Stmt> block, Dictionary<string, string> outer, bool top, HashSet<string> counters, HashSet<string> hoisted)
    {
        var map = new Dictionary<string, string>(outer);
        var output = new List<Stmt>();
        foreach (Stmt s in block)
        {
            switch (s)
            {
                case Decl d when top:
                    types[d.Name] = (d.Type, d.TypeCode ?? Default(d.Type));
                    output.Add(Rename(d, map));
                    break;
                case Decl d:
                    string name = d.Name;
                    if (!hoisted.Add(name) || counters.Contains(name))
                    {
                        name = Names.Fresh(d.Name, taken);
                        hoisted.Add(name);
                    }

                    map[d.Name] = name;
                    Declare(name, d.Type, d.Line, d.TypeCode);
                    types[name] = (d.Type, d.TypeCode ?? Default(d.Type));
                    if (d.Init is not null)
                    {
                        output.Add(new Assign(name, AssignOp.Set, Rename(d.Init, map), d.Line, d.Source));
                    }

                    break;
                case If i when Simplify.Truth(Simplify.Run(i.Test)) is { } known:
                    // A condition decided at generation time: only the branch taken remains.
                    output.AddRange(Walk(known ? i.Then : i.Else, map, false, counters, hoisted));
                    break;
                case If i:
                    output.Add(i with { Test = Simplify.Run(Rename(i.Test, map)), Then = Walk(i.Then, map, false, counters, hoisted).ToEquatableArray(), Else = Walk(i.Else, map, false, counters, hoisted).ToEquatableArray() });
                    break;
                case For f:
                    output.Add(f with { Init = RenameCode(f.Init, map), Condition = RenameCode(f.Condition, map), Step = RenameCode(f.Step, map), Body = Walk(f.Body, map, false, counters, hoisted).ToEquatableArray() });
                    break;
                case While w when !w.TestAtEnd && Simplify.Truth(Simplify.Run(w.Test)) == false:
                    break;
                case While w:
                    output.Add(w with { Test = Simplify.Run(Rename(w.Test, map)), Body = Walk(w.Body, map, false, counters, hoisted).ToEquatableArray() });
                    break;
                default:
                    output.Add(Expand(Rename(s, map)));
                    break;
            }
        }

        return output;
    }

    private static Stmt Rename(Stmt s, Dictionary<string, string> map) => map.Count == 0 ? s : s switch
    {
        Decl d => d with { Init = d.Init is null ? null : Rename(d.Init, map) },
        Assign a => a with { Name = Map(a.Name, map), Value = Rename(a.Value, map) },
        Store st => st with { Array = Map(st.Array, map), Index = Rename(st.Index, map), Value = Rename(st.Value, map) },
        NewArray n => n with { Length = Rename(n.Length, map) },
        Return r => r with { Value = r.Value is null ? null : Rename(r.Value, map) },
        _ => s,
    };

    // x *= e → x = x * e, a[i] /= e → a[i] = a[i] / e: the sweeps then know only =, += and -=.
    // (The parser already expanded integer *= and /=.)
    private static Stmt Expand(Stmt s) => s switch
    {
        Assign { Op: AssignOp.Mul or AssignOp.Div } a => a with { Op = AssignOp.Set, Value = new Binary(a.Op == AssignOp.Mul ? BinOp.Mul : BinOp.Div, new Var(a.Name, Ty.Double), a.Value) },
        Store { Op: AssignOp.Mul or AssignOp.Div } st => st with { Op = AssignOp.Set, Value = new Binary(st.Op == AssignOp.Mul ? BinOp.Mul : BinOp.Div, new Elem(st.Array, st.Index, true), st.Value) },
        _ => s,
    };

    private static string Map(string name, Dictionary<string, string> map) => map.TryGetValue(name, out string? renamed) ? renamed : name;

    private static Expr Rename(Expr e, Dictionary<string, string> map) => map.Count == 0 ? e : e switch
    {
        Var v => v with { Name = Map(v.Name, map) },
        Opaque o => o with { Code = RenameCode(o.Code, map) },
        Elem el => el with { Array = Map(el.Array, map), Index = Rename(el.Index, map) },
        ArrayRef a => a with { Code = Map(a.Code, map), Slice = a.Slice is null ? null : RenameCode(a.Slice, map) },
        _ => E.MapChildren(e, child => Rename(child, map)),
    };

    /// <summary>Renames whole identifiers in a piece of constant code, leaving member names and literals alone.</summary>
    public static string RenameCode(string code, Dictionary<string, string> map)
    {
        if (map.Count == 0)
        {
            return code;
        }

        var sb = new StringBuilder();
        int i = 0;
        while (i < code.Length)
        {
            char c = code[i];
            if (c is '"' or '\'')
            {
                int end = i + 1;
                while (end < code.Length && code[end] != c)
                {
                    end += code[end] == '\\' ? 2 : 1;
                }

                end = System.Math.Min(end + 1, code.Length);
                sb.Append(code, i, end - i);
                i = end;
            }
            else if (char.IsLetter(c) || c == '_' || (c == '@' && i + 1 < code.Length && (char.IsLetter(code[i + 1]) || code[i + 1] == '_')))
            {
                int start = i++;
                while (i < code.Length && (char.IsLetterOrDigit(code[i]) || code[i] == '_'))
                {
                    i++;
                }

                string word = code.Substring(start, i - start);
                bool member = start > 0 && code[start - 1] == '.';
                sb.Append(!member && map.TryGetValue(word, out string? renamed) ? renamed : word);
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        return sb.ToString();
    }

    // A flag nobody tests (a 'continue' that was absorbed into an else branch) is dropped.
    private static List<Stmt> DropUnreadFlags(List<Stmt> body, Lower lower)
    {
        var flags = lower.types.Where(t => t.Value.Item1 == Ty.Bool).Select(t => t.Key).ToList();
        var read = new HashSet<string>(BodyParser.AllStatements(body).SelectMany(ReadsOf));
        var unread = new HashSet<string>(flags.Where(f => !read.Contains(f)));
        return unread.Count == 0 ? body : Drop(body, unread);
    }

    private static IEnumerable<string> ReadsOf(Stmt s) => s switch
    {
        Assign a => Effects.VarsIn(a.Value),
        If i => Effects.VarsIn(i.Test),
        While w => Effects.VarsIn(w.Test),
        For f => Effects.Identifiers(f.Condition),
        Decl d when d.Init is not null => Effects.VarsIn(d.Init),
        Store st => Effects.VarsIn(st.Value).Concat(Effects.VarsIn(st.Index)),
        Return r when r.Value is not null => Effects.VarsIn(r.Value),
        NewArray n => Effects.VarsIn(n.Length),
        _ => [],
    };

    private static List<Stmt> Drop(IEnumerable<Stmt> block, HashSet<string> unread) => block
        .Where(s => !(s is Decl d && unread.Contains(d.Name)) && !(s is Assign a && unread.Contains(a.Name)))
        .Select(s => s switch
        {
            If i => i with { Then = Drop(i.Then, unread).ToEquatableArray(), Else = Drop(i.Else, unread).ToEquatableArray() },
            For f => f with { Body = Drop(f.Body, unread).ToEquatableArray() },
            While w => w with { Body = Drop(w.Body, unread).ToEquatableArray() },
            _ => s,
        })
        .ToList();
}
