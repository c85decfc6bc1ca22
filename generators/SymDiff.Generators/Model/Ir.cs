namespace SymDiff.Generators.Model;

// The intermediate representation of a [Differentiable] method body. Parsing builds it from
// Roslyn's IOperation tree; everything after parsing works on these records only, so every
// later stage is pure and can be tested with hand-made input.

/// <summary>The value types the differentiator distinguishes.</summary>
internal enum Ty
{
    /// <summary>A floating-point value: the only kind that carries a derivative.</summary>
    Double,

    /// <summary>An integer: loop counters, sizes, indices. Constant for differentiation.</summary>
    Int,

    /// <summary>A comparison result, used in the tie rules of max, min and abs.</summary>
    Bool,

    /// <summary>A whole array or span, passed to another differentiable method.</summary>
    Array,
}

/// <summary>Binary operators: arithmetic, then comparisons and logic (results of type <see cref="Ty.Bool"/>).</summary>
internal enum BinOp { Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, And, Or }

/// <summary>The <c>System.Math</c> functions the rule table knows.</summary>
internal enum MathFn
{
    Sin, Cos, Tan, Exp, Log, Log10, Sqrt, Pow, Abs, Tanh, Sinh, Cosh, Asin, Acos, Atan, Atan2, Max, Min,
    Clamp, Floor, Ceiling, Round, Truncate, LogBase, Log2, Cbrt, FusedMultiplyAdd,

    /// <summary>‖x‖ = √(x₁² + … + xₙ²) of its arguments: Length and Distance of System.Numerics vectors.</summary>
    Norm,

    /// <summary>a·b = a₁b₁ + … + aₙbₙ of its arguments a₁…aₙ, b₁…bₙ: Dot, LengthSquared and DistanceSquared.</summary>
    Dot,

    /// <summary>p·q − r·s, a 2×2 determinant: each component of Vector3.Cross.</summary>
    Det2,

    /// <summary>a·(1 − t) + b·t: each component of Lerp.</summary>
    Lerp,

    /// <summary>xₖ / ‖x‖, component k of Normalize; its arguments are x₁…xₙ, k and ‖x‖ (so the norm is computed once).</summary>
    Normalize,
}

/// <summary>An expression of the IR. Records, so structural equality comes for free.</summary>
internal abstract record Expr(Ty Type);

/// <summary>A numeric literal (or a folded constant).</summary>
internal sealed record Num(double Value) : Expr(Ty.Double)
{
    public static readonly Num Zero = new(0);
    public static readonly Num One = new(1);
}

/// <summary>A scalar local or parameter, by its name in the generated code.</summary>
internal sealed record Var(string Name, Ty VarType) : Expr(VarType);

/// <summary>
/// C# code that is constant for differentiation: a field, <c>X.Length</c>, <c>Math.PI</c>, an
/// integer index expression. <paramref name="Atomic"/> says whether it needs no parentheses.
/// </summary>
internal sealed record Opaque(string Code, Ty CodeType, bool Atomic) : Expr(CodeType);

/// <summary>An element read <c>Array[Index]</c>; <paramref name="Array"/> is a parameter name or field code.</summary>
internal sealed record Elem(string Array, Expr Index, bool IsParameter) : Expr(Ty.Double);

/// <summary>
/// An array argument (or, in generated calls, an adjoint span or <c>default</c>): the whole of
/// <paramref name="Code"/>, or with <paramref name="Slice"/> (<c>start, length</c>, as code) the
/// elements a range cut from it, passed as a read-only span.
/// </summary>
internal sealed record ArrayRef(string Code, bool IsParameter, string? Slice = null) : Expr(Ty.Array)
{
    /// <summary>The same range of another array: an argument's adjoint or tangent (<c>dv.Slice(1, n)</c> for <c>v[1..]</c>).</summary>
    public string Of(string array) => Slice is null ? array : $"{array}.Slice({Slice})";
}

/// <summary>Unary minus.</summary>
internal sealed record Neg(Expr Operand) : Expr(Ty.Double);

/// <summary>Logical negation of a condition.</summary>
internal sealed record Not(Expr Operand) : Expr(Ty.Bool);

/// <summary>A binary operation; arithmetic is <see cref="Ty.Double"/>, comparisons are <see cref="Ty.Bool"/>.</summary>
internal sealed record Binary(BinOp Op, Expr Left, Expr Right) : Expr(Op >= BinOp.Lt ? Ty.Bool : Ty.Double);

/// <summary><c>Test ? WhenTrue : WhenFalse</c>: the user's conditional expressions and the max/min/abs rules.</summary>
internal sealed record Cond(Expr Test, Expr WhenTrue, Expr WhenFalse) : Expr(Ty.Double);

/// <summary>A call to a function of the rule table.</summary>
internal sealed record Fn(MathFn Function, EquatableArray<Expr> Args) : Expr(Ty.Double);

/// <summary>A call to another <c>[Differentiable]</c> method (its value).</summary>
internal sealed record Call(Callee Callee, EquatableArray<Expr> Args) : Expr(Ty.Double);

/// <summary>A call to the generated <c>Derivative</c> of another method: arguments, then tangents.</summary>
internal sealed record DerivativeCall(Callee Callee, EquatableArray<Expr> Args, EquatableArray<Expr> Tangents) : Expr(Ty.Double);

/// <summary>
/// A differentiable method called from user code. <paramref name="TypeCode"/> is empty when the
/// callee lives in the same type, otherwise its fully qualified name.
/// </summary>
/// <paramref name="BackwardName"/> and <paramref name="DerivativeName"/> are set for a method with
/// registered custom derivatives, whose pullback and derivative the user wrote.
/// <paramref name="BackwardTangentName"/> is the custom second-order rule, when one is registered.
internal sealed record Callee(string TypeCode, string Name, EquatableArray<CalleeParam> Params, string? BackwardName = null, string? DerivativeName = null, string? BackwardTangentName = null)
{
    public string Qualified(string suffix)
    {
        string name = suffix switch
        {
            "Backward" when BackwardName is not null => BackwardName,
            "Derivative" when DerivativeName is not null => DerivativeName,
            "BackwardTangent" when BackwardTangentName is not null => BackwardTangentName,
            _ => Name + suffix,
        };
        return TypeCode.Length == 0 ? name : TypeCode + "." + name;
    }
}

/// <summary>One parameter of a called differentiable method.</summary>
internal sealed record CalleeParam(string Name, ParamKind Kind, bool Differentiable);

/// <summary>A statement of the IR. <paramref name="Line"/> and <paramref name="Source"/> point back to the user's code.</summary>
internal abstract record Stmt(int Line, string Source);

/// <summary>
/// <c>double Name = Init;</c> (or an integer or <c>bool</c>); <c>Init</c> is null for a bare declaration.
/// <paramref name="TypeCode"/> spells an integer type other than <c>int</c>.
/// </summary>
internal sealed record Decl(string Name, Ty Type, Expr? Init, int Line, string Source, string? TypeCode = null) : Stmt(Line, Source);

/// <summary>Assignment operators that survive into the IR.</summary>
internal enum AssignOp { Set, Add, Sub, Mul, Div }

/// <summary><c>Name op= Value;</c></summary>
internal sealed record Assign(string Name, AssignOp Op, Expr Value, int Line, string Source) : Stmt(Line, Source);

/// <summary>
/// A counted <c>for</c> loop over an integer counter that only its header changes. The header
/// parts are integer-only code kept as written (<c>int i = 0</c>, <c>i &lt; n</c>, <c>i++</c>); the body is IR.
/// </summary>
internal sealed record For(string Counter, string Init, string Condition, string Step, EquatableArray<Stmt> Body, int Line, string Source) : Stmt(Line, Source)
{
    public string Header => $"{Init}; {Condition}; {Step}";
}

/// <summary>
/// <c>while (Test) { Body; Step }</c>, or a <c>do</c> loop when <paramref name="TestAtEnd"/>.
/// <paramref name="Step"/> holds a lowered <c>for</c> loop's increment, which <c>continue</c> still runs.
/// </summary>
internal sealed record While(Expr Test, EquatableArray<Stmt> Body, EquatableArray<Stmt> Step, bool TestAtEnd, int Line, string Source) : Stmt(Line, Source);

/// <summary><c>if (Test) { Then } else { Else }</c>.</summary>
internal sealed record If(Expr Test, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, int Line, string Source) : Stmt(Line, Source);

/// <summary><c>break;</c> out of the innermost loop.</summary>
internal sealed record Break(int Line, string Source) : Stmt(Line, Source);

/// <summary><c>continue;</c> with the innermost loop's next iteration.</summary>
internal sealed record Continue(int Line, string Source) : Stmt(Line, Source);

/// <summary><c>double[] Name = new double[Length];</c>: a local array, zero-filled.</summary>
internal sealed record NewArray(string Name, Expr Length, int Line, string Source) : Stmt(Line, Source);

/// <summary><c>Array[Index] op= Value;</c>: a write into a local array or an output parameter.</summary>
internal sealed record Store(string Array, Expr Index, AssignOp Op, Expr Value, int Line, string Source) : Stmt(Line, Source);

/// <summary><c>return Value;</c> (<c>Value</c> is null in a method that returns <c>void</c>).</summary>
internal sealed record Return(Expr? Value, int Line, string Source) : Stmt(Line, Source);
