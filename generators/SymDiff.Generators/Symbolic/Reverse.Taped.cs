using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Model;
using SymDiff.Generators.Parsing;
using static SymDiff.Generators.Symbolic.E;

namespace SymDiff.Generators.Symbolic;

/// <summary>
/// Reverse mode with a tape, for bodies with control flow (see DESIGN.md). The forward sweep
/// runs the lowered body, pushing every value it is about to overwrite, each branch decision
/// and each loop's iteration count; the backward sweep walks the statements in reverse, popping
/// as it goes, so that each statement's derivative is evaluated with exactly the values the
/// statement saw. Only what the backward sweep reads is saved: a push whose value nobody reads
/// is dropped along with its pop.
/// </summary>
internal sealed partial class Reverse
{
    private string tape = "tape";
    private Dictionary<string, (Ty Type, string TypeCode)> types = new();
    private HashSet<string> localArrays = new();

    /// <summary>Gradient (<paramref name="gradient"/>) or Backward of a lowered body.</summary>
    public static List<Code> BuildTaped(MethodModel model, LoweredBody lowered, bool gradient, HashSet<string> taken)
    {
        taken.Add(model.SeedName);
        var activity = new Activity(model, lowered.Body);
        var reverse = new Reverse(model, gradient, activity, taken)
        {
            tape = Names.Fresh("tape", taken),
            types = lowered.Types,
            localArrays = new HashSet<string>(lowered.Body.OfType<NewArray>().Select(a => a.Name)),
        };
        return reverse.RunTaped(lowered.Body);
    }

    private List<Code> RunTaped(List<Stmt> body)
    {
        var code = new List<Code>();
        code.AddRange(ArrayAdjointChecks());

        code.Add(new Raw($"global::SymDiff.Generated.Tape {tape} = global::SymDiff.Generated.Tape.Current;", tape));
        if (Tracing)
        {
            code.AddRange(TraceInputs());
        }

        string mark = Names.Fresh("arenaMark", taken);
        bool arena = localArrays.Count > 0 || model.Outputs.Any();
        if (arena)
        {
            code.Add(new Raw($"long {mark} = {tape}.Mark;", mark));
        }

        // The output's adjoint is consumed as the sweep passes its writes: work on a copy.
        foreach (ParamModel output in model.Outputs)
        {
            string work = Names.Fresh(output.DerivativeName + "Remaining", taken);
            adjointOf[output.Name] = work;
            code.Add(new Raw($"global::System.Span<{model.Scalar}> {work} = {tape}.{Emit.ExprWriter.TapeArray(output.Name + ".Length")};", work));
            code.Add(new Raw($"global::SymDiff.Generated.Adjoint.RequireLength<{model.Scalar}>({output.DerivativeName}, {output.Name}.Length, nameof({output.DerivativeName}));"));
            code.Add(new Raw($"{output.DerivativeName}.CopyTo({work});", work));
        }

        // Every adjoint exists from the start of the backward sweep (declared below), so each
        // statement's contribution is an accumulation.
        var scalars = types.Keys.Where(n => types[n].Type == Ty.Double && activity.IsActive(n) && !model.Params.Any(p => p.Name == n && p.Differentiable)).OrderBy(n => n, System.StringComparer.Ordinal).ToList();
        foreach (string name in scalars)
        {
            declared.Add(AdjointName(name));
        }

        if (gradient)
        {
            declared.UnionWith(model.Params.Where(p => p.Differentiable && !p.IsArray).Select(p => p.DerivativeName));
        }

        // In Backward a parameter's adjoint holds the caller's running sum; a parameter the body
        // overwrites needs an adjoint of its own, added to the caller's at the end.
        var overwritten = new HashSet<string>(BodyParser.AllStatements(body).OfType<Assign>().Select(a => a.Name));
        assignedNames = overwritten;
        var ownAdjoints = gradient ? new List<ParamModel>() : model.Params.Where(p => p.Differentiable && !p.IsArray && overwritten.Contains(p.Name)).ToList();
        foreach (ParamModel p in ownAdjoints)
        {
            string own = Names.Fresh(p.DerivativeName + "Here", taken);
            adjointOf[p.Name] = own;
            declared.Add(own);
            scalars.Add(p.Name);
        }

        (List<Code> primal, List<Code> backward) = TapedBlock(body, inLoop: false);
        if (!model.Hessian && !model.Jacobian && !model.BackwardTangent && !Tracing)
        {
            (primal, backward) = PushResultsAfter(primal, backward);
        }

        primal.InsertRange(0, hoistedDecisions.Select(d => (Code)new Let(d, Ty.Bool, Zero(Ty.Bool)))
            .Concat(hoistedCounts.Select(c => new Let(c, Ty.Int, Zero(Ty.Int)))));

        // Keep only the saves and restores of values the backward sweep reads: first by name,
        // then by site, since a restore whose value is overwritten before anything reads it
        // (a running sum restored inside a loop nobody reads it in) is not needed either.
        HashSet<string> needed = Needed(backward);
        primal = Filter(primal, needed);
        backward = Filter(backward, needed);
        HashSet<int> read = Liveness.ReadSites(backward);
        primal = Blocks.Keep(primal, c => c is not Taped { Site: > 0 } t || read.Contains(t.Site));
        backward = Blocks.Keep(backward, c => c is not Taped { Site: > 0 } t || read.Contains(t.Site));

        code.AddRange(primal);
        string? value = null;
        if (gradient && body.LastOrDefault() is Return { Value: { } returned })
        {
            value = Names.Fresh("value", taken);
            code.Add(new Let(value, Ty.Double, Simplify.Run(returned)));
            if (Tracing)
            {
                code.Add(TraceResult(body[body.Count - 1], value));
                code.Add(new Let(model.SeedName, Ty.Double, Num.One));
            }
        }

        if (gradient)
        {
            foreach (ParamModel p in model.Params.Where(p => p.Differentiable && !p.IsArray))
            {
                code.Add(new Set(p.DerivativeName, Num.Zero));
            }
        }

        foreach (string name in scalars)
        {
            code.Add(new Let(AdjointName(name), Ty.Double, Num.Zero));
        }

        foreach (string array in localArrays.Where(activity.IsActive).OrderBy(n => n, System.StringComparer.Ordinal))
        {
            string adjoint = AdjointName(array);
            code.Add(new Raw($"global::System.Span<{model.Scalar}> {adjoint} = {tape}.{Emit.ExprWriter.TapeArray(array + ".Length")};", adjoint));
        }

        code.AddRange(backward);
        foreach (ParamModel p in ownAdjoints)
        {
            code.Add(new AddTo(p.DerivativeName, new Var(adjointOf[p.Name], Ty.Double)));
        }

        if (arena)
        {
            code.Add(new Raw($"{tape}.Release({mark});"));
        }

        if (value is not null)
        {
            code.Add(new ReturnValue(new Var(value, Ty.Double)));
        }

        if (Tracing)
        {
            return TraceTape(FinishTrace(Optimize.DropDecidedBranches(code)));
        }

        var outputs = new HashSet<string>(model.Params.Select(p => p.DerivativeName));
        return Share.Run(Optimize.DropIdleBlocks(Optimize.DropDecidedBranches(Propagate.Run(code, Propagate.PrimalNames(body))), outputs), taken);
    }

    private (List<Code> Primal, List<Code> Backward) TapedBlock(IReadOnlyList<Stmt> statements, bool inLoop)
    {
        var primal = new List<Code>();
        var pieces = new List<List<Code>>();
        foreach (Stmt s in statements)
        {
            var back = new List<Code>();
            TapedStatement(s, inLoop, primal, back);
            pieces.Add(back);
        }

        pieces.Reverse();
        return (primal, pieces.SelectMany(p => p).ToList());
    }

    private void TapedStatement(Stmt s, bool inLoop, List<Code> primal, List<Code> back)
    {
        switch (s)
        {
            case Decl d:
                primal.Add(new Let(d.Name, d.Type, d.Init ?? Zero(d.Type), d.TypeCode));
                primal.AddRange(TraceStatement(d, d.Name, d.Type, d.TypeCode));
                if (d.Type == Ty.Double && d.Init is not null && activity.IsActive(d.Name))
                {
                    var group = new Group(this);
                    group.Backprop(d.Init, new Var(AdjointName(d.Name), Ty.Double), null);
                    group.Emit(d, back);
                }

                break;
            case Assign a:
                AssignBack(a, primal, back);
                break;
            case Store st:
                StoreBack(st, primal, back);
                break;
            case NewArray n:
                primal.Add(new Raw($"global::System.Span<{model.Scalar}> {n.Name} = {tape}.{Emit.ExprWriter.TapeArray(Emit.ExprWriter.Write(n.Length))};", n.Name));
                break;
            case If i:
                BranchBack(i, inLoop, primal, back);
                break;
            case For f:
                LoopBack(f.Line, f.Body, inLoop, primal, back, body => new Loop(f.Header, body), f.Counter, f.Init.Substring(0, f.Init.IndexOf(' ')),
                    f.Init.Substring(f.Init.IndexOf('=') + 1).Trim(), f.Condition, f.Step, f.Header);
                break;
            case While w:
                LoopBack(w.Line, w.Body, inLoop, primal, back, body => new Repeat(w.Test, body, w.TestAtEnd), null, null);
                break;
            case Return { Value: { } value }:
                var seed = new Group(this);
                seed.Backprop(value, ResultSeed, null);
                seed.Emit(s, back);
                break;
        }
    }

    private void AssignBack(Assign a, List<Code> primal, List<Code> back)
    {
        (Ty type, string typeCode) = types.TryGetValue(a.Name, out var t) ? t : (Ty.Double, model.Scalar);
        if (type != Ty.Double)
        {
            // Integers step back exactly (i++ ↔ i--); anything else comes off the tape.
            bool invertible = type == Ty.Int && a.Op is AssignOp.Add or AssignOp.Sub && !Effects.VarsIn(a.Value).Contains(a.Name);
            if (!invertible)
            {
                primal.Add(new Taped(a.Name, new Push(tape, Pushed(a.Name, type, typeCode))));
            }

            primal.Add(new Update(a.Name, a.Op, a.Value));
            primal.AddRange(TraceStatement(a, a.Name, type, typeCode));
            back.Add(new Taped(a.Name, invertible
                ? new Update(a.Name, a.Op == AssignOp.Add ? AssignOp.Sub : AssignOp.Add, a.Value)
                : new Pop(tape, a.Name, null, type, typeCode)));
            return;
        }

        int site = ++sites;
        primal.Add(new Taped(a.Name, new Push(tape, new Var(a.Name, Ty.Double)), site));
        primal.Add(new Update(a.Name, a.Op, a.Value));
        primal.AddRange(TraceStatement(a, a.Name, Ty.Double, null));

        // Before its restore, the target still holds what the statement computed: a rule that is
        // written with the call's result (tanh' = 1 − y², exp' = y) reads it there instead of
        // calling the function again.
        Expr? result = null;
        if (a.Op == AssignOp.Set && a.Value is Fn call && activity.IsActive(a.Name) && Rules.UsesResult(call, activity.Depends))
        {
            string name = Names.Fresh(call.Function.ToString().ToLowerInvariant(), taken);
            declared.Add(name);
            back.Add(new Let(name, Ty.Double, new Var(a.Name, Ty.Double)));
            result = new Var(name, Ty.Double);
            results.Add((site, a.Name, name));
        }

        back.Add(new Taped(a.Name, new Pop(tape, a.Name, null, Ty.Double, model.Scalar), site));
        if (activity.IsActive(a.Name))
        {
            var adjoint = new Var(AdjointName(a.Name), Ty.Double);
            bool readsItself = Effects.VarsIn(a.Value).Contains(a.Name) && activity.Depends(a.Value);
            PushBack(adjoint, new Set(adjoint.Name, Num.Zero), a.Op, a.Value, readsItself, adjoint.Name + "Share", a, back, result);
        }
    }

    private void StoreBack(Store st, List<Code> primal, List<Code> back)
    {
        var element = new Elem(st.Array, st.Index, true);
        primal.Add(new Taped(st.Array, new Push(tape, element)));
        primal.Add(new StoreElement(st.Array, st.Index, st.Op, st.Value));
        primal.AddRange(TraceStatement(st, st.Array, Ty.Double, null, st.Index));
        back.Add(new Taped(st.Array, new Pop(tape, st.Array, st.Index, Ty.Double, model.Scalar)));
        if (activity.IsActive(st.Array))
        {
            var adjoint = new Elem(AdjointName(st.Array), st.Index, IsParameter: false);
            bool readsItself = Effects.VarsIn(st.Value).Contains(st.Array) && activity.Depends(st.Value);
            string share = "d" + Names.Capitalized(st.Array) + "Element";
            PushBack(adjoint, new AddToElement(adjoint.Array, st.Index, Num.Zero, First: true), st.Op, st.Value, readsItself, share, st, back);
        }
    }

    // The adjoint of `target op= value` (a scalar or an element) flows into the value; after '=' the
    // target's old adjoint is zero (<paramref name="clear"/>). When the value reads the target
    // itself, the adjoint is copied first, so no contribution lands on it before it is read.
    private void PushBack(Expr adjoint, Code clear, AssignOp op, Expr value, bool readsItself, string shareName, Stmt s, List<Code> back, Expr? result = null)
    {
        string comment = $"back through line {s.Line}: {s.Source}";
        Expr Signed(Expr g) => op == AssignOp.Sub ? Neg(g) : g;
        var group = new Group(this);
        if (!readsItself)
        {
            group.Backprop(value, Signed(adjoint), result);
            group.Emit(s, comment, back);
            if (op == AssignOp.Set)
            {
                back.Add(clear);
            }

            return;
        }

        string share = Names.Fresh(shareName, taken);
        declared.Add(share);
        otherAdjoints.Add(share);
        back.Add(new Comment(comment));
        back.Add(new Let(share, Ty.Double, adjoint));
        if (op == AssignOp.Set)
        {
            back.Add(clear);
        }

        group.Backprop(value, Signed(new Var(share, Ty.Double)), result);
        var contributions = new List<Code>();
        group.Emit(s, comment, contributions);
        back.AddRange(contributions.Where(c => c is not Comment));
    }

    private void BranchBack(If i, bool inLoop, List<Code> primal, List<Code> back)
    {
        depth++;
        (List<Code> thenPrimal, List<Code> thenBack) = TapedBlock(i.Then, inLoop);
        (List<Code> elsePrimal, List<Code> elseBack) = TapedBlock(i.Else, inLoop);
        depth--;
        if (Idle(thenBack) && Idle(elseBack))
        {
            if (Tracing)
            {
                primal.Add(TraceDecision(i, Emit.ExprWriter.Write(i.Test)));
            }

            primal.Add(new Branch(i.Test, thenPrimal, elsePrimal));
            return;
        }

        // The decision is saved in a bool; inside a loop it also goes on the tape, after the
        // branch's own saves, so the backward sweep pops it first.
        string decision = Names.FreshAt("tookBranch", i.Line, taken);
        primal.Add(depth > 0 ? new Set(decision, i.Test) : new Let(decision, Ty.Bool, i.Test));
        if (Tracing)
        {
            primal.Add(TraceDecision(i, decision));
        }

        if (depth > 0)
        {
            hoistedDecisions.Add(decision);
        }

        primal.Add(new Branch(new Opaque(decision, Ty.Bool, true), thenPrimal, elsePrimal));
        if (inLoop)
        {
            primal.Add(new Push(tape, new Opaque(decision, Ty.Bool, true)));
        }

        back.Add(new Comment($"back through line {i.Line}: {i.Source}"));
        if (inLoop)
        {
            back.Add(new Pop(tape, decision, null, Ty.Bool, "bool"));
        }

        back.Add(new Branch(new Opaque(decision, Ty.Bool, true), thenBack, elseBack));
    }

    private readonly List<string> hoistedDecisions = new();

    // How many branches and loops enclose the statement being differentiated.
    private int depth;

    private void LoopBack(int line, IReadOnlyList<Stmt> body, bool inLoop, List<Code> primal, List<Code> back, System.Func<List<Code>, Code> loop, string? counter, string? counterType, string? start = null, string? condition = null, string? step = null, string? header = null)
    {
        depth++;
        (List<Code> bodyPrimal, List<Code> bodyBack) = TapedBlock(body, inLoop: true);
        depth--;
        if (Tracing && counter is not null)
        {
            bodyPrimal.Insert(0, TraceIteration(line, header!, counter));
        }

        if (Idle(bodyBack))
        {
            primal.Add(loop(bodyPrimal));
            return;
        }

        if (counter is not null && ReversedHeader(counter, counterType!, start, condition, step) is { } reversed)
        {
            // for (int i = 0; i < x.Length; i++) with a bound nothing changes: the backward loop
            // counts down over the same range, with nothing saved (and the JIT sees i < x.Length).
            primal.Add(loop(bodyPrimal));
            back.Add(new Comment($"back through the loop at line {line}, last iteration first"));
            back.Add(new Loop(reversed, Tracing ? bodyBack.Prepend(TraceIteration(line, header!, counter)).ToList() : bodyBack));
            return;
        }

        // The backward sweep runs the iterations in reverse; it needs their number and, for a
        // counted loop, the counter of each one.
        string count = Names.FreshAt("iterations", line, taken);
        primal.Add(depth > 0 ? new Set(count, Zero(Ty.Int)) : new Let(count, Ty.Int, Zero(Ty.Int)));
        if (depth > 0)
        {
            hoistedCounts.Add(count);
        }

        if (counter is not null && CounterFromCount(counter, counterType!, start, step, count) is { } recounted)
        {
            // The k-th iteration (from 0) had counter start + k·step: no need to save it.
            bodyBack.Insert(0, new Taped(counter, new Raw(recounted, counter)));
        }
        else if (counter is not null)
        {
            bodyPrimal.Add(new Taped(counter, new Push(tape, Pushed(counter, Ty.Int, counterType!))));
            bodyBack.Insert(0, new Taped(counter, new Raw($"{counterType} {counter} = {(counterType == "int" ? $"{tape}.PopInt()" : counterType == "long" ? $"{tape}.PopLong()" : $"({counterType}){tape}.PopLong()")};", counter)));
        }

        if (Tracing && counter is not null)
        {
            bodyBack.Insert(1, TraceIteration(line, header!, counter));
        }

        bodyPrimal.Add(new Raw($"{count}++;", count));
        primal.Add(loop(bodyPrimal));
        if (inLoop)
        {
            primal.Add(new Push(tape, new Opaque(count, Ty.Int, true)));
            back.Add(new Pop(tape, count, null, Ty.Int, "int"));
        }

        back.Add(new Comment($"back through the loop at line {line}, last iteration first"));
        back.Add(new Repeat(new Opaque($"{count}-- > 0", Ty.Bool, false), bodyBack));
    }

    private readonly List<string> hoistedCounts = new();

    // The scalar saves and restores made so far (each pair's site).
    private int sites;

    // Assignments y = f(u) whose backward reads f's result from y before restoring it: (site, y, local).
    private readonly List<(int Site, string Name, string Result)> results = new();

    // A y = f(u) whose only reader in the backward sweep is its own rule (a tanh computed in a
    // loop, kept for 1 − y²) saves its new value after the assignment rather than the old one
    // before it: the backward pops it straight into the rule's local, and no old value of y is
    // carried across the loop body. (A value carried across the body kept the JIT from holding
    // the body's running sums in registers: the dense layer's backward ran at twice the cost.)
    // Not for methods whose second-order code is derived from these sweeps.
    private (List<Code> Primal, List<Code> Backward) PushResultsAfter(List<Code> primal, List<Code> backward)
    {
        var posts = new HashSet<string>(results.Select(r => r.Result));
        var readElsewhere = new HashSet<string>();
        void Reads(IEnumerable<Code> code)
        {
            foreach (Code c in code)
            {
                switch (c)
                {
                    case Let { Value: Var } l when posts.Contains(l.Name):
                    case Taped { Action: Pop { Index: null } }:
                        break;
                    case Loop l:
                        readElsewhere.UnionWith(Effects.Identifiers(l.Header));
                        Reads(l.Body);
                        break;
                    case Branch b:
                        readElsewhere.UnionWith(Effects.VarsIn(b.Test));
                        Reads(b.Then);
                        Reads(b.Else);
                        break;
                    case Repeat r:
                        readElsewhere.UnionWith(Effects.VarsIn(r.Test));
                        Reads(r.Body);
                        break;
                    default:
                        readElsewhere.UnionWith(Effects.Reads(c));
                        break;
                }
            }
        }

        Reads(backward);
        var eligible = new HashSet<int>(results.Where(r => !readElsewhere.Contains(r.Name) && !model.Params.Any(p => p.Name == r.Name)).Select(r => r.Site));
        if (eligible.Count == 0)
        {
            return (primal, backward);
        }

        List<Code> Forward(IReadOnlyList<Code> code)
        {
            var output = new List<Code>();
            for (int i = 0; i < code.Count; i++)
            {
                if (code[i] is Taped { Action: Push } push && eligible.Contains(push.Site) && i + 1 < code.Count && code[i + 1] is Update { Op: AssignOp.Set } update && update.Name == push.Name)
                {
                    output.Add(update);
                    output.Add(new Push(tape, new Var(update.Name, Ty.Double)));
                    i++;
                    continue;
                }

                output.Add(Nested(code[i], Forward));
            }

            return output;
        }

        List<Code> Backward(IReadOnlyList<Code> code)
        {
            var output = new List<Code>();
            for (int i = 0; i < code.Count; i++)
            {
                if (code[i] is Let { Value: Var } post && posts.Contains(post.Name) && i + 1 < code.Count && code[i + 1] is Taped { Action: Pop } restore && eligible.Contains(restore.Site))
                {
                    output.Add(new Raw($"{model.Scalar} {post.Name} = {tape}.{Emit.ExprWriter.TapePop};", post.Name));
                    i++;
                    continue;
                }

                output.Add(Nested(code[i], Backward));
            }

            return output;
        }

        return (Forward(primal), Backward(backward));
    }

    private static Code Nested(Code c, System.Func<IReadOnlyList<Code>, List<Code>> map) => c switch
    {
        Loop l => l with { Body = map(l.Body) },
        Branch b => b with { Then = map(b.Then), Else = map(b.Else) },
        Repeat r => r with { Body = map(r.Body) },
        _ => c,
    };

    // "int i = n - 1; i >= 0; i--" for "int i = 0; i < n; i++" when the counter starts from a
    // literal, steps up by one and runs to a bound made of parameters the body never assigns
    // (and their lengths): the loop's range is the same when the backward sweep reaches it.
    private string? ReversedHeader(string counter, string counterType, string? start, string? condition, string? step)
    {
        if (counterType is not ("int" or "long") || start is null || condition is null || !long.TryParse(start, out _)
            || (step != counter + "++" && step != "++" + counter))
        {
            return null;
        }

        bool inclusive = condition.StartsWith(counter + " <= ", System.StringComparison.Ordinal);
        if (!inclusive && !condition.StartsWith(counter + " < ", System.StringComparison.Ordinal))
        {
            return null;
        }

        string bound = condition.Substring(counter.Length + (inclusive ? 4 : 3));
        bool fixedBound = Effects.Identifiers(bound).All(name => name == "Length"
            || model.Params.Any(p => p.Name == name && !assignedNames.Contains(name)));
        if (!fixedBound || bound.IndexOfAny(new[] { '(', '[', '?', '=', '+', '-', '*', '/', '%', '&', '|', '<', '>', '!' }) >= 0 && !IsSimpleProduct(bound))
        {
            return null;
        }

        string first = inclusive ? bound : bound + " - 1";
        return $"{counterType} {counter} = {first}; {counter} >= {start}; {counter}--";
    }

    // "rows * cols": a product of plain names, safe to subtract one from without parentheses.
    private static bool IsSimpleProduct(string bound) =>
        bound.Split('*').All(part => part.Trim().Length > 0 && part.Trim().All(ch => char.IsLetterOrDigit(ch) || ch is '_' or '.' or '@'));

    // Names the body assigns somewhere.
    private HashSet<string> assignedNames = new();

    // "int i = iterations;" when a counted loop's counter is a known function of the iteration
    // number: an int or long counter starting from a literal and stepping by a literal (the body
    // never writes it, or the loop would not be a For). The backward loop's count, after its
    // decrement, is the number of the iteration being undone.
    private static string? CounterFromCount(string counter, string counterType, string? start, string? step, string count)
    {
        if (counterType is not ("int" or "long") || start is null || step is null || !long.TryParse(start, out long first))
        {
            return null;
        }

        long by = step == counter + "++" || step == "++" + counter ? 1
            : step == counter + "--" || step == "--" + counter ? -1
            : step.StartsWith(counter + " += ", System.StringComparison.Ordinal) && long.TryParse(step.Substring(counter.Length + 4), out long up) ? up
            : step.StartsWith(counter + " -= ", System.StringComparison.Ordinal) && long.TryParse(step.Substring(counter.Length + 4), out long down) ? -down
            : 0;
        if (by == 0)
        {
            return null;
        }

        string scaled = by == 1 ? count : by == -1 ? "-" + count : $"{by} * {count}";
        string value = first == 0 ? scaled
            : by == -1 ? $"{first} - {count}"
            : by < 0 ? $"{first} - {-by} * {count}"
            : $"{first} + {scaled}";
        return $"{counterType} {counter} = {value};";
    }

    // A backward block with nothing to do but say where it is: its branch or loop needs no
    // decision or count on the tape, and no empty block in the backward sweep.
    private static bool Idle(List<Code> back) => back.All(c => c is Comment);

    // The tape keeps integers as long: a ulong, char or enum goes on it through an explicit cast
    // (a ulong would otherwise bind to the double overload and come back from the wrong stack).
    private static Expr Pushed(string name, Ty type, string typeCode) =>
        type != Ty.Int || typeCode is "int" or "long" ? new Opaque(name, type, true) : new Opaque("(long)" + name, type, false);

    // Names whose values the backward sweep reads (so their saves and restores must stay).
    private static HashSet<string> Needed(List<Code> backward)
    {
        var needed = new HashSet<string>();
        bool changed = true;
        while (changed)
        {
            int before = needed.Count;
            Collect(backward, needed);
            changed = needed.Count != before;
        }

        return needed;
    }

    private static void Collect(IEnumerable<Code> code, HashSet<string> needed)
    {
        foreach (Code c in code)
        {
            switch (c)
            {
                case Taped t when !needed.Contains(t.Name):
                    break;
                case Taped { Action: Pop p }:
                    if (p.Index is not null)
                    {
                        needed.UnionWith(Effects.VarsIn(p.Index));
                    }

                    break;
                case Taped { Action: Update inverse }:
                    // q -= step restores q only with step's value of the same iteration.
                    needed.UnionWith(Effects.VarsIn(inverse.Value));
                    break;
                case Taped:
                    break;
                case Branch b:
                    needed.UnionWith(Effects.VarsIn(b.Test));
                    Collect(b.Then, needed);
                    Collect(b.Else, needed);
                    break;
                case Repeat r:
                    needed.UnionWith(Effects.VarsIn(r.Test));
                    Collect(r.Body, needed);
                    break;
                case Loop l:
                    // A header's "x.Length" reads no element of x.
                    needed.UnionWith(Effects.Identifiers(System.Text.RegularExpressions.Regex.Replace(l.Header, @"@?\w+\.Length\b", "")));
                    Collect(l.Body, needed);
                    break;
                default:
                    needed.UnionWith(Effects.Reads(c));
                    break;
            }
        }
    }

    private static List<Code> Filter(IEnumerable<Code> code, HashSet<string> needed) =>
        Blocks.Keep(code, c => c is not Taped t || needed.Contains(t.Name));
}
