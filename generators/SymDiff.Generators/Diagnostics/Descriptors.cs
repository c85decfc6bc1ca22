using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generators.Diagnostics;

/// <summary>Every diagnostic SymDiff reports. The README's table lists the same ids.</summary>
internal static class Descriptors
{
    private const string Category = "SymDiff";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "SD0001", "Containing type must be partial",
        "Type '{0}' contains the [Differentiable] method '{1}' but is not partial: add the 'partial' modifier so SymDiff can add the generated methods to it");

    public static readonly DiagnosticDescriptor MutableReceiver = Error(
        "SD0002", "Instance method of a mutable struct",
        "Method '{0}' is an instance method of the mutable struct '{1}': SymDiff differentiates instance methods of classes and readonly structs (the receiver's fields are read as constants); mark the struct or the method readonly, or make the method static");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "SD0003", "Return type cannot be differentiated",
        "Method '{0}' returns '{1}': a [Differentiable] method returns double or float, a struct of such values, or void when it writes its results into [Output] parameters (never both)");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "SD0004", "Parameter type cannot be differentiated",
        "Parameter '{0}' has type '{1}': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)");

    public static readonly DiagnosticDescriptor UnknownWrtName = Error(
        "SD0005", "Unknown parameter in the [Differentiable] list",
        "'{0}' is not a parameter of '{1}': name parameters with nameof, e.g. [Differentiable(nameof(x))]");

    public static readonly DiagnosticDescriptor UnsupportedCall = Error(
        "SD0006", "Call cannot be differentiated",
        "Call to '{0}' cannot be differentiated: it is not [Differentiable], not a supported System.Math function, and not a method with a body in this project whose signature SymDiff handles; mark it [Differentiable] where it is declared, or compute its value outside");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "SD0007", "Statement not supported",
        "{0} is not supported in a [Differentiable] method yet: {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "SD0008", "Expression not supported",
        "{0} is not supported in a [Differentiable] method yet: {1}");

    public static readonly DiagnosticDescriptor UnsupportedLocalType = Error(
        "SD0009", "Local type not supported",
        "Local '{0}' has type '{1}': locals of a [Differentiable] method are floating-point (of the method's precision), integer, bool, char, string or enum values, structs of such values, or local arrays 'new double[n]'");

    public static readonly DiagnosticDescriptor MixedPrecision = Error(
        "SD0010", "double and float mixed",
        "{0} mixes floating-point types in the {1} method '{2}': write the whole method in one precision (in a float method, a double math call such as (float)Math.Sin(x) is computed with MathF)");

    public static readonly DiagnosticDescriptor NoBody = Error(
        "SD0011", "Method has no body",
        "Method '{0}' has no body to differentiate: give it a body (extern and abstract methods cannot be differentiated)");

    public static readonly DiagnosticDescriptor Generic = Error(
        "SD0012", "Generic methods and types not supported",
        "'{0}' is generic in a way SymDiff cannot differentiate: a generic method may have one type parameter T constrained to System.Numerics.IFloatingPointIeee754<T> as the floating-point type of all its values (T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>), and methods of generic types are not supported; write it that way, or for double or float");

    public static readonly DiagnosticDescriptor WrtNotDifferentiable = Error(
        "SD0013", "Parameter cannot be differentiated",
        "Parameter '{0}' of type '{1}' is named in the [Differentiable] list but is not floating-point; remove it from the list");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "SD0014", "ref, out and in parameters not supported",
        "Parameter '{0}' is passed by reference: a [Differentiable] method takes its inputs by value; return the result instead");

    public static readonly DiagnosticDescriptor UnsupportedWrite = Error(
        "SD0015", "Write not supported",
        "Writing to {0} is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead");

    public static readonly DiagnosticDescriptor ConstantParameterGetsActiveArgument = Error(
        "SD0017", "Derivative would be lost through a constant parameter",
        "The argument '{0}' depends on differentiated values, but '{1}' does not differentiate its parameter '{2}' (it is [NoGradient] or left out of its [Differentiable] list), so the derivative through it would be lost; differentiate '{1}' with respect to '{2}' or pass a constant");

    public static readonly DiagnosticDescriptor Recursion = Error(
        "SD0018", "Recursion not supported",
        "The call to '{0}' is recursive: SymDiff cannot differentiate recursion; rewrite it as a loop");

    public static readonly DiagnosticDescriptor Goto = Error(
        "SD0019", "goto not supported",
        "'{0}' jumps with goto: a [Differentiable] method may use if, loops, break, continue and return only");

    public static readonly DiagnosticDescriptor ExceptionHandling = Error(
        "SD0020", "Exception handling not supported",
        "{0} is not supported in a [Differentiable] method: validate inputs before calling it, outside the differentiated code");

    public static readonly DiagnosticDescriptor FunctionValue = Error(
        "SD0021", "Lambdas and LINQ not supported",
        "{0} is not supported in a [Differentiable] method: SymDiff cannot see through delegates; write a local function or a method instead (SymDiff reads one of local declarations and a return in place), or write the loop out");

    public static readonly DiagnosticDescriptor Dynamic = Error(
        "SD0022", "dynamic not supported",
        "'{0}' is dynamic: SymDiff needs static types to differentiate; use double");

    public static readonly DiagnosticDescriptor Unsafe = Error(
        "SD0023", "Pointers and unsafe code not supported",
        "{0} uses pointers or unsafe code: use arrays or spans");

    public static readonly DiagnosticDescriptor SideEffectCall = Error(
        "SD0024", "Call with side effects not supported",
        "The call '{0}' {1}: a [Differentiable] method may only call methods that compute values from their arguments");

    public static readonly DiagnosticDescriptor BadCustomDerivative = Error(
        "SD0025", "Custom derivative does not match",
        "The custom derivative of '{0}' is wrong: {1}");

    public static readonly DiagnosticDescriptor GeneratedNameTaken = Error(
        "SD0026", "A generated method's name and parameters are taken",
        "SymDiff would generate '{0}' for '{1}', but the type already has {2} with the same parameter types: rename one of the methods");

    public static readonly DiagnosticDescriptor SecondOrderMisplaced = Error(
        "SD0027", "Second-order switch on the wrong kind of method",
        "{0} = true on '{1}': {2}");

    public static readonly DiagnosticDescriptor SecondOrderUnsupported = Error(
        "SD0028", "Construct not supported at second order",
        "'{0}' asks for Hessian = true, but {1} cannot be differentiated twice yet: {2}");

    public static readonly DiagnosticDescriptor ImplicitCallee = Error(
        "SD0029", "Called method cannot be differentiated",
        "The call to '{0}' cannot be differentiated: '{0}' is not [Differentiable], so SymDiff differentiates its body, but {1}");

    public static readonly DiagnosticDescriptor TraceUnsupported = Error(
        "SD0030", "Method cannot be traced",
        "'{0}' asks for Trace = true, but {1}: {2}");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "SD0099", "Internal error in the SymDiff generator",
        "SymDiff could not process '{0}' ({1}: {2}); please report this with the method's source");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = Index(
        TypeNotPartial, MutableReceiver, UnsupportedReturnType, UnsupportedParameterType, UnknownWrtName, UnsupportedCall,
        UnsupportedStatement, UnsupportedExpression, UnsupportedLocalType, MixedPrecision, NoBody, Generic,
        WrtNotDifferentiable, RefParameter, UnsupportedWrite, ConstantParameterGetsActiveArgument,
        Recursion, Goto, ExceptionHandling, FunctionValue, Dynamic, Unsafe, SideEffectCall, BadCustomDerivative, GeneratedNameTaken, SecondOrderMisplaced, SecondOrderUnsupported, ImplicitCallee, TraceUnsupported, InternalError);

    public static DiagnosticDescriptor ById(string id) => All[id];

    public static IEnumerable<DiagnosticDescriptor> Every => All.Values;

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: "https://github.com/symdiff/symdiff#diagnostics");

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
    {
        var map = new Dictionary<string, DiagnosticDescriptor>();
        foreach (DiagnosticDescriptor d in descriptors)
        {
            map.Add(d.Id, d);
        }

        return map;
    }
}
