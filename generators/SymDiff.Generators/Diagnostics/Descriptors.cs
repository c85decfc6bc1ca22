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

    public static readonly DiagnosticDescriptor NotStatic = Error(
        "SD0002", "Differentiable method must be static",
        "Method '{0}' is an instance method: SymDiff differentiates static methods only for now; make it static and pass what it reads as parameters");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "SD0003", "Return type cannot be differentiated",
        "Method '{0}' returns '{1}': a [Differentiable] method must return double");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Error(
        "SD0004", "Parameter type cannot be differentiated",
        "Parameter '{0}' has type '{1}': use double, an integer type, double[], ReadOnlySpan<double> or Span<double>");

    public static readonly DiagnosticDescriptor UnknownWrtName = Error(
        "SD0005", "Unknown parameter in the [Differentiable] list",
        "'{0}' is not a parameter of '{1}': name parameters with nameof, e.g. [Differentiable(nameof(x))]");

    public static readonly DiagnosticDescriptor UnsupportedCall = Error(
        "SD0006", "Call cannot be differentiated",
        "Call to '{0}' cannot be differentiated: it is neither a [Differentiable] method nor a supported System.Math function; mark it [Differentiable] or compute its value outside");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "SD0007", "Statement not supported",
        "{0} is not supported in a [Differentiable] method yet: {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "SD0008", "Expression not supported",
        "{0} is not supported in a [Differentiable] method yet: {1}");

    public static readonly DiagnosticDescriptor UnsupportedLocalType = Error(
        "SD0009", "Local type not supported",
        "Local '{0}' has type '{1}': locals of a [Differentiable] method must be double or an integer type");

    public static readonly DiagnosticDescriptor LoopCarriedAssignment = Error(
        "SD0010", "Loop-carried assignment not supported",
        "'{0}' is declared outside this loop and {1}: only accumulation ('{0} += ...' or '{0} -= ...', not reading '{0}' elsewhere in the loop) is supported; declare the value inside the loop or accumulate it");

    public static readonly DiagnosticDescriptor NoBody = Error(
        "SD0011", "Method has no body",
        "Method '{0}' has no body to differentiate");

    public static readonly DiagnosticDescriptor Generic = Error(
        "SD0012", "Generic methods and types not supported",
        "'{0}' is generic: SymDiff does not differentiate generic methods or methods of generic types yet");

    public static readonly DiagnosticDescriptor WrtNotDifferentiable = Error(
        "SD0013", "Parameter cannot be differentiated",
        "Parameter '{0}' of type '{1}' is named in the [Differentiable] list but is not floating-point; remove it from the list");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "SD0014", "ref, out and in parameters not supported",
        "Parameter '{0}' is passed by reference: a [Differentiable] method takes its inputs by value; return the result instead");

    public static readonly DiagnosticDescriptor UnsupportedWrite = Error(
        "SD0015", "Write not supported",
        "Writing to {0} is not supported in a [Differentiable] method: assign to a local instead");

    public static readonly DiagnosticDescriptor NameClash = Error(
        "SD0016", "Name clashes with a generated name",
        "'{0}' has the name SymDiff gives to the derivative of parameter '{1}': rename it");

    public static readonly DiagnosticDescriptor ConstantParameterGetsActiveArgument = Error(
        "SD0017", "Derivative would be lost through a constant parameter",
        "The argument '{0}' depends on differentiated values, but '{1}' does not differentiate its parameter '{2}' (it is [NoGradient] or left out of its [Differentiable] list), so the derivative through it would be lost; differentiate '{1}' with respect to '{2}' or pass a constant");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "SD0099", "Internal error in the SymDiff generator",
        "SymDiff could not process '{0}' ({1}: {2}); please report this with the method's source");

    private static readonly Dictionary<string, DiagnosticDescriptor> All = Index(
        TypeNotPartial, NotStatic, UnsupportedReturnType, UnsupportedParameterType, UnknownWrtName, UnsupportedCall,
        UnsupportedStatement, UnsupportedExpression, UnsupportedLocalType, LoopCarriedAssignment, NoBody, Generic,
        WrtNotDifferentiable, RefParameter, UnsupportedWrite, NameClash, ConstantParameterGetsActiveArgument, InternalError);

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
