namespace SymDiff.Generators.Model;

/// <summary>How a parameter is passed, which decides its adjoint and tangent types.</summary>
internal enum ParamKind
{
    /// <summary><c>double</c>: adjoint <c>out</c>/<c>ref double</c>, tangent <c>double</c>.</summary>
    Double,

    /// <summary>An integer, <c>bool</c>, <c>char</c>, <c>string</c> or enum: a constant, never differentiated.</summary>
    Int,

    /// <summary><c>double[]</c>: adjoint <c>Span&lt;double&gt;</c>, tangent <c>ReadOnlySpan&lt;double&gt;</c>.</summary>
    DoubleArray,

    /// <summary><c>ReadOnlySpan&lt;double&gt;</c>.</summary>
    ReadOnlySpan,

    /// <summary><c>Span&lt;double&gt;</c> (read-only use).</summary>
    Span,
}

/// <summary>One parameter of the user's method.</summary>
/// <param name="Name">The name as written.</param>
/// <param name="TypeCode">The type as the generated signature spells it.</param>
/// <param name="Kind">How it is passed.</param>
/// <param name="Differentiable">True when the generated methods carry its adjoint and tangent.</param>
/// <param name="DerivativeName">The adjoint/tangent parameter name (<c>dx</c>, <c>dW1</c>).</param>
/// <param name="IsOutput">True for an <c>[Output]</c> span or array the method writes its results into.</param>
/// <param name="TangentName">Its tangent in <c>HessianVectorProduct</c> (<c>tx</c>).</param>
/// <param name="ProductName">Its component of H·t in <c>HessianVectorProduct</c> (<c>hx</c>).</param>
/// <param name="Struct">For a floating-point field of a struct parameter, which SymDiff differentiates as a scalar of its own: that parameter's name; otherwise null.</param>
/// <param name="Member">For a field of a struct parameter, its path in the struct (<c>W</c>, <c>Inner.X</c>).</param>
internal sealed record ParamModel(string Name, string TypeCode, ParamKind Kind, bool Differentiable, string DerivativeName, bool IsOutput = false, string TangentName = "", string ProductName = "", string? Struct = null, string Member = "")
{
    /// <summary>How documentation names it: <c>x</c>, or <c>p.W</c> for a field of a struct parameter.</summary>
    public string Display => Struct is null ? Name : Parsing.StructLayout.Access(Parsing.Names.Plain(Struct), Member);

    public bool IsArray => Kind is ParamKind.DoubleArray or ParamKind.ReadOnlySpan or ParamKind.Span;
}

/// <summary>
/// A struct parameter. The generated methods take it, and its adjoint and tangent, as the struct
/// type; inside them each floating-point field is a scalar (<see cref="ParamModel.Struct"/>).
/// </summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="TypeCode">The struct type, fully qualified.</param>
/// <param name="DerivativeName">Its adjoint and tangent (<c>dp</c>).</param>
/// <param name="Build">C# that builds a value from the floating fields, with a placeholder per field path (<c>new P { W = {W} }</c>).</param>
/// <param name="TangentName">Its tangent in the second-order methods (<c>tp</c>).</param>
/// <param name="ProductName">Its part of H·t in HessianVectorProduct (<c>hp</c>).</param>
internal sealed record StructParam(string Name, string TypeCode, string DerivativeName, string Build, string TangentName = "", string ProductName = "");

/// <summary>
/// An array or span of structs whose fields are all the method's floating-point type. Inside the
/// generated methods it is a span of those fields, element after element (<see cref="Fields"/>:
/// <c>pts[i].Y</c> is <c>ptsFields[2 * i + 1]</c>), read from the array through
/// <c>MemoryMarshal.Cast</c>; the signatures take it, and its adjoint and tangent, as spans of the struct.
/// </summary>
/// <param name="Fields">The span of fields inside the generated methods, a parameter of the flat model.</param>
/// <param name="Name">The parameter's name.</param>
/// <param name="TypeCode">The parameter's type as declared (<c>global::P[]</c>, <c>global::System.ReadOnlySpan&lt;global::P&gt;</c>).</param>
/// <param name="ElementTypeCode">The struct type.</param>
/// <param name="DerivativeName">Its adjoint and tangent (<c>dpts</c>), a span of the struct.</param>
/// <param name="Paths">The fields of one element in layout order (their count is the stride).</param>
/// <param name="IsArray">True for a <c>P[]</c> parameter.</param>
/// <param name="TangentName">Its tangent in the second-order methods (<c>tpts</c>), a read-only span of the struct.</param>
/// <param name="ProductName">Its part of H·t in HessianVectorProduct (<c>hpts</c>), a span of the struct.</param>
internal sealed record StructArrayParam(string Fields, string Name, string TypeCode, string ElementTypeCode, string DerivativeName, EquatableArray<string> Paths, bool IsArray, string TangentName = "", string ProductName = "");

/// <summary>
/// A struct return value. Inside the generated methods the method writes its floating fields, in
/// layout order, into an output span (as an <c>[Output]</c> method does); the signatures take the
/// result's adjoint and give its tangent as the struct type.
/// </summary>
/// <param name="Output">The internal output span (<c>result</c>).</param>
/// <param name="Adjoint">The internal adjoint and tangent span of the output (<c>dResult</c>).</param>
/// <param name="TypeCode">The struct type, fully qualified.</param>
/// <param name="Build">C# that builds a value from the floating fields, with a placeholder per field path.</param>
/// <param name="Fields">The floating fields' paths, in output order.</param>
internal sealed record StructResult(string Output, string Adjoint, string TypeCode, string Build, EquatableArray<string> Fields);

/// <summary>A containing type, outermost first, as its partial declaration must be repeated.</summary>
/// <param name="Keyword">"class", "struct", "record", "record struct" or "interface".</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingTypeInfo(string Keyword, string Name);

/// <summary>Everything the later stages need about one <c>[Differentiable]</c> method.</summary>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="Types">The containing types, outermost first.</param>
/// <param name="Name">The method's name.</param>
/// <param name="Accessibility">The method's accessibility, repeated on the generated methods.</param>
/// <param name="Params">The parameters in order.</param>
/// <param name="Body">The body in IR.</param>
/// <param name="FileName">The source file's name, for comments.</param>
/// <param name="Line">The declaration's one-based line.</param>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="SeedName">The name of the output adjoint parameter of <c>Backward</c> (<c>dLoss</c>).</param>
/// <param name="ReservedNames">Every name the body uses, so generated names never clash.</param>
/// <param name="Scalar">The method's floating-point type, <c>double</c> or <c>float</c>.</param>
/// <param name="IsStatic">False for an instance method: the generated methods are instance methods too.</param>
/// <param name="ReturnsVoid">True for a method whose results are its <c>[Output]</c> parameters.</param>
/// <param name="Hessian">True when <c>[Differentiable(Hessian = true)]</c> asks for Hessian and HessianVectorProduct.</param>
/// <param name="Jacobian">True when <c>[Differentiable(Jacobian = true)]</c> asks for Jacobian.</param>
/// <param name="TypeParameters">For a generic method, its type parameter list (<c>&lt;T&gt;</c>), repeated on every generated method; otherwise empty.</param>
/// <param name="ImplicitCallees">The ids of the methods without <c>[Differentiable]</c> that the body calls, whose derivatives SymDiff generates too: when one of them cannot be differentiated, this method's code is not emitted.</param>
/// <param name="Constraints">For a generic method, its <c>where</c> clause, fully qualified; otherwise empty.</param>
/// <param name="Structs">The struct parameters, whose fields are scalars in <see cref="Params"/>.</param>
/// <param name="Result">A struct return value, which the generated methods write as an output; null otherwise.</param>
/// <param name="StructArrays">The arrays and spans of structs, whose fields are spans in <see cref="Params"/>.</param>
/// <param name="Trace">True when <c>[Differentiable(Trace = true)]</c> asks for Trace, the gradient recorded step by step in a <c>GradientTrace</c>.</param>
/// <param name="BackwardTangent">True when a <c>Hessian = true</c> method calls this one: it then gets BackwardTangent, the tangent of its pullback (set by the pipeline's call graph).</param>
internal sealed record MethodModel(
    string? Namespace,
    EquatableArray<ContainingTypeInfo> Types,
    string Name,
    string Accessibility,
    EquatableArray<ParamModel> Params,
    EquatableArray<Stmt> Body,
    string FileName,
    int Line,
    string HintName,
    string SeedName,
    EquatableArray<string> ReservedNames,
    string Scalar = "double",
    bool IsStatic = true,
    bool ReturnsVoid = false,
    bool Hessian = false,
    bool Jacobian = false,
    bool BackwardTangent = false,
    string TypeParameters = "",
    string Constraints = "",
    EquatableArray<string> ImplicitCallees = default,
    EquatableArray<StructParam> Structs = default,
    StructResult? Result = null,
    EquatableArray<StructArrayParam> StructArrays = default,
    bool Trace = false)
{
    /// <summary>True for a generic method over its floating-point type <c>T</c>.</summary>
    public bool IsGeneric => TypeParameters.Length > 0;

    /// <summary>The output parameters of a method that returns <c>void</c>.</summary>
    public System.Collections.Generic.IEnumerable<ParamModel> Outputs => System.Linq.Enumerable.Where(Params, p => p.IsOutput);

    /// <summary>The array of structs whose span of fields is the flat parameter <paramref name="p"/>, or null.</summary>
    public StructArrayParam? StructArrayOf(ParamModel p) => System.Linq.Enumerable.FirstOrDefault(StructArrays, a => a.Fields == p.Name);

    /// <summary>How documentation names a parameter: the array of structs a span of fields stands for, <c>p.W</c> for a struct's field, else its name.</summary>
    public string Shown(ParamModel p) => StructArrayOf(p)?.Name ?? p.Display;
}
