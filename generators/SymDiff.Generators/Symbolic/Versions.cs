using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Gives every overwritten value its own name, so the backward sweep can still read it:
/// <c>x = x * x</c> becomes <c>double x2 = x * x</c>. An accumulation <c>s += e</c> keeps its
/// name when nobody has read the old value (its adjoint passes through unchanged); a loop that
/// accumulates into a value read before the loop gets a copy to accumulate into. A bare
/// declaration takes its first assignment as its initializer.
/// </summary>
internal static class Versions
{
    public static List<Stmt> Run(IEnumerable<Stmt> body, HashSet<string> taken)
    {
        var scope = new Scope(new Dictionary<string, string>(), new Dictionary<string, int>(), new HashSet<string>(), new HashSet<string>());
        return Block(body, scope, taken);
    }

    private sealed record Scope(Dictionary<string, string> Current, Dictionary<string, int> Reads, HashSet<string> Bare, HashSet<string> OuterOfLoop)
    {
        public string Name(string user) => Current.TryGetValue(user, out string? v) ? v : user;

        public Scope EnterLoop() => new(new Dictionary<string, string>(Current), Reads, new HashSet<string>(Bare), new HashSet<string>(Current.Keys.Concat(OuterOfLoop)));
    }

    private static List<Stmt> Block(IEnumerable<Stmt> statements, Scope scope, HashSet<string> taken)
    {
        var output = new List<Stmt>();
        foreach (Stmt s in statements)
        {
            switch (s)
            {
                case Decl d when d.Init is null:
                    scope.Current[d.Name] = d.Name;
                    scope.Bare.Add(d.Name);
                    break;
                case Decl d:
                    Expr init = Rename(d.Init!, scope);
                    scope.Current[d.Name] = d.Name;
                    scope.Reads[d.Name] = 0;
                    output.Add(d with { Init = init });
                    break;
                case Assign a:
                    output.Add(Assignment(a, scope, taken));
                    break;
                case For f:
                    foreach (string accumulator in Accumulators(f))
                    {
                        string current = scope.Name(accumulator);
                        if (scope.Reads.TryGetValue(current, out int reads) && reads > 0)
                        {
                            string copy = Names.Fresh(accumulator, taken);
                            output.Add(new Decl(copy, Ty.Double, new Var(current, Ty.Double), f.Line, f.Source));
                            scope.Current[accumulator] = copy;
                            scope.Reads[copy] = 0;
                        }
                    }

                    output.Add(f with { Body = Block(f.Body, scope.EnterLoop(), taken).ToEquatableArray() });
                    break;
                case Return r:
                    output.Add(r with { Value = Rename(r.Value!, scope) });
                    break;
            }
        }

        return output;
    }

    private static Stmt Assignment(Assign a, Scope scope, HashSet<string> taken)
    {
        string current = scope.Name(a.Name);
        Expr value = Rename(a.Value, scope);
        if (a.Op == AssignOp.Set && scope.Bare.Remove(a.Name))
        {
            scope.Reads[current] = 0;
            return new Decl(current, Ty.Double, value, a.Line, a.Source);
        }

        bool accumulate = a.Op is AssignOp.Add or AssignOp.Sub;
        bool unread = !scope.Reads.TryGetValue(current, out int reads) || reads == 0;
        if (accumulate && (scope.OuterOfLoop.Contains(a.Name) || unread))
        {
            return a with { Name = current, Value = value };
        }

        string next = Names.Fresh(a.Name, taken);
        Expr init = a.Op switch
        {
            AssignOp.Set => value,
            AssignOp.Add => new Binary(BinOp.Add, new Var(current, Ty.Double), value),
            AssignOp.Sub => new Binary(BinOp.Sub, new Var(current, Ty.Double), value),
            AssignOp.Mul => new Binary(BinOp.Mul, new Var(current, Ty.Double), value),
            _ => new Binary(BinOp.Div, new Var(current, Ty.Double), value),
        };
        scope.Current[a.Name] = next;
        scope.Reads[next] = 0;
        return new Decl(next, Ty.Double, init, a.Line, a.Source);
    }

    /// <summary>Variables a loop accumulates into that live outside it.</summary>
    public static IEnumerable<string> Accumulators(For loop)
    {
        var all = BodyParser.AllStatements(loop.Body).ToList();
        var inner = new HashSet<string>(all.OfType<Decl>().Select(d => d.Name));
        return all.OfType<Assign>().Select(a => a.Name).Where(n => !inner.Contains(n)).Distinct();
    }

    private static Expr Rename(Expr e, Scope scope)
    {
        if (e is Opaque o)
        {
            // Constant code may read floating values (Math.Sign(s)): it reads their current version.
            foreach (string read in Effects.Identifiers(o.Code))
            {
                scope.Reads[scope.Name(read)] = (scope.Reads.TryGetValue(scope.Name(read), out int n) ? n : 0) + 1;
            }

            return o with { Code = Lower.RenameCode(o.Code, scope.Current) };
        }

        if (e is not Var { Type: Ty.Double } v)
        {
            return E.MapChildren(e, child => Rename(child, scope));
        }

        string name = scope.Name(v.Name);
        scope.Reads[name] = (scope.Reads.TryGetValue(name, out int r) ? r : 0) + 1;
        return v with { Name = name };
    }
}
