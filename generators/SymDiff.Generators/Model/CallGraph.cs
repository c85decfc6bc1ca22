using System.Collections.Generic;
using System.Linq;
using SymDiff.Generators.Parsing;

namespace SymDiff.Generators.Model;

/// <summary>
/// What one method contributes to the call graph: its key, whether it asks for a Hessian, whom it
/// calls, which of those are methods without <c>[Differentiable]</c> (by id), its name, and its own
/// id when it is one of those.
/// </summary>
internal sealed record CallInfo(string Key, bool Hessian, EquatableArray<string> Callees, EquatableArray<string> Implicit = default, string Name = "", string ImplicitId = "");

/// <summary>
/// Which methods need a <c>BackwardTangent</c>: those that a <c>Hessian = true</c> method calls,
/// directly or through other methods (the tangent of the caller's pullback goes through theirs).
/// A method is named by its type, name and parameter kinds, as call sites see it.
/// </summary>
internal static class CallGraph
{
    public static string Key(MethodModel m) =>
        Key("global::" + string.Join(".", new[] { m.Namespace ?? string.Empty }.Concat(m.Types.Select(t => t.Name)).Where(s => s.Length > 0)), m.Name, m.Params.Select(p => p.Kind));

    public static string Key(Callee callee, MethodModel caller) =>
        Key(callee.TypeCode.Length == 0 ? TypeOf(caller) : callee.TypeCode, callee.Name, callee.Params.Select(p => p.Kind));

    public static CallInfo Info(MethodModel m, string implicitId = "") => new(
        Key(m),
        m.Hessian,
        Calls(m.Body).Select(c => Key(c, m)).Distinct().OrderBy(k => k, System.StringComparer.Ordinal).ToEquatableArray(),
        m.ImplicitCallees,
        m.Name,
        implicitId);

    /// <summary>The keys of the methods that must generate BackwardTangent, sorted.</summary>
    public static EquatableArray<string> NeedBackwardTangent(IEnumerable<CallInfo> all)
    {
        var byKey = new Dictionary<string, CallInfo>();
        foreach (CallInfo info in all)
        {
            byKey[info.Key] = info;
        }

        var needed = new HashSet<string>();
        var work = new Stack<string>(byKey.Values.Where(i => i.Hessian).SelectMany(i => i.Callees));
        while (work.Count > 0)
        {
            string key = work.Pop();
            if (needed.Add(key) && byKey.TryGetValue(key, out CallInfo? callee))
            {
                foreach (string next in callee.Callees)
                {
                    work.Push(next);
                }
            }
        }

        return needed.OrderBy(k => k, System.StringComparer.Ordinal).ToEquatableArray();
    }

    private static string TypeOf(MethodModel m) =>
        "global::" + string.Join(".", new[] { m.Namespace ?? string.Empty }.Concat(m.Types.Select(t => t.Name)).Where(s => s.Length > 0));

    private static string Key(string type, string name, IEnumerable<ParamKind> kinds) => $"{type}.{name}({string.Join(",", kinds)})";

    private static IEnumerable<Callee> Calls(IEnumerable<Stmt> body) =>
        BodyParser.AllStatements(body).SelectMany(Expressions).SelectMany(Walk).OfType<Call>().Select(c => c.Callee);

    private static IEnumerable<Expr> Expressions(Stmt s) => s switch
    {
        Decl { Init: { } init } => [init],
        Assign a => [a.Value],
        Store st => [st.Index, st.Value],
        If i => [i.Test],
        While w => [w.Test],
        NewArray n => [n.Length],
        Return { Value: { } value } => [value],
        _ => [],
    };

    private static IEnumerable<Expr> Walk(Expr e) => Symbolic.E.Children(e).SelectMany(Walk).Prepend(e);
}

/// <summary>
/// A call from differentiated code to a method that is not <c>[Differentiable]</c> but whose body
/// is in this compilation: SymDiff differentiates that body too. <paramref name="Id"/> is the
/// callee's documentation-comment id; <paramref name="At"/> is the call.
/// </summary>
internal sealed record ImplicitCall(string Id, string Name, LocationInfo? At);

/// <summary>
/// A method to differentiate because differentiated code calls it: its key (as for an attributed
/// method) and every call that asks for it.
/// </summary>
internal sealed record ImplicitRequest(MethodKey Key, string Id, string Name, EquatableArray<LocationInfo> Sites);
