using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generators.Diagnostics;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>One test per diagnostic id and more per common construct: the id, its exact message, its location (marked [| |] in the source), that it is the only diagnostic, and that the rest of the project still gets its code.</summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("SD0001", "public static class [|NotPartial|] { [Differentiable] public static double F(double x) => x; }",
        "Type 'NotPartial' contains the [Differentiable] method 'F' but is not partial: add the 'partial' modifier so SymDiff can add the generated methods to it")]
    [InlineData("SD0002", "public partial struct S { double k; [Differentiable] public double [|F|](double x) => x * k; }",
        "Method 'F' is an instance method of the mutable struct 'S': SymDiff differentiates instance methods of classes and readonly structs (the receiver's fields are read as constants); mark the struct or the method readonly, or make the method static")]
    [InlineData("SD0003", "public static partial class C { [Differentiable] public static [|int|] F(double x) => 1; }",
        "Method 'F' returns 'int': a [Differentiable] method returns double or float, a struct of such values, or void when it writes its results into [Output] parameters (never both)")]
    [InlineData("SD0004", "public static partial class C { [Differentiable] public static double F(double x, [|object|] o) => x; }",
        "Parameter 'o' has type 'object': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0005", "public static partial class C { [Differentiable([|\"z\"|])] public static double F(double x) => x; }",
        "'z' is not a parameter of 'F': name parameters with nameof, e.g. [Differentiable(nameof(x))]")]
    [InlineData("SD0006", "public static partial class C { [Differentiable] public static double F(double x) => [|Math.ReciprocalEstimate(x)|]; }",
        "Call to 'Math.ReciprocalEstimate' cannot be differentiated: it is not [Differentiable], not a supported System.Math function, and not a method with a body in this project whose signature SymDiff handles; mark it [Differentiable] where it is declared, or compute its value outside")]
    [InlineData("SD0006", "public static partial class C { static double H(double x, ref int n) => x; [Differentiable] public static double F(double x) { int n = 0; return [|H(x, ref n)|]; } }",
        "Call to 'C.H' cannot be differentiated: it is not [Differentiable], not a supported System.Math function, and not a method with a body in this project whose signature SymDiff handles; mark it [Differentiable] where it is declared, or compute its value outside")]
    [InlineData("SD0029", "public static partial class C { [Differentiable] public static double F(double x) => x * [|Plain.Twice(x)|]; } public static class Plain { public static double Twice(double a) { double r = 0; for (int i = 0; i < 2; i++) { if (r > 9) return r; r += a; } return r; } }",
        "The call to 'Twice' cannot be differentiated: 'Twice' is not [Differentiable], so SymDiff differentiates its body, but its type 'Plain' is not partial, so its derivative cannot be generated beside it; make 'Plain' partial (or mark 'Twice' [Differentiable])")]
    [InlineData("SD0029", "public static partial class C { [Differentiable] public static double F(double x, double[] v) => x > 0 ? x : [|Plain.Sum(v)|]; } public static class Plain { public static double Sum(double[] v) { double s = 0; foreach (double e in v) s += e; return s; } }",
        "The call to 'Plain.Sum' cannot be differentiated: 'Plain.Sum' is not [Differentiable], so SymDiff differentiates its body, but its body has statements, which SymDiff runs before the statement that calls it, and this call runs only in one branch of a conditional expression; assign the call's result to a local first")]
    [InlineData("SD0029", "public static partial class C { [Differentiable] public static double F(double x, double[] v) { while ([|Plain.Scaled(v, x)|] > 1) x *= 0.5; return x; } } public static class Plain { public static double Scaled(double[] v, double k) { double s = 0; foreach (double e in v) s += e * k; return s; } }",
        "The call to 'Plain.Scaled' cannot be differentiated: 'Plain.Scaled' is not [Differentiable], so SymDiff differentiates its body, but its body has statements, which SymDiff runs before the statement that calls it, and this call runs only as a loop's condition, once per iteration; compute it into a local before the loop and again at the end of each iteration, and test the local")]
    [InlineData("SD0007", "public static partial class C { static readonly int[] picks = { 2, 0 }; [Differentiable] public static double F(double[] v) { double s = 0; [|foreach (int k in picks) s += v[k];|] return s; } }",
        "A foreach loop over 'picks' is not supported in a [Differentiable] method yet: loop with 'foreach (double v in values)' over a floating-point array or span parameter, a local array or an array field, or index with a for loop")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { ref double [|r = ref x|]; return r; } }",
        "The ref local 'r' is not supported in a [Differentiable] method yet: copy the value into an ordinary local")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { for (int i = 1; i < 3; i++) { double[] [|a = new double[i]|]; a[0] = x; x += a[0]; } return x; } }",
        "The local array 'a' declared inside a branch or loop with a length that can change ('i') is not supported in a [Differentiable] method yet: give it a length of constants and parameters the method never assigns, or declare it at the top level of the method and reuse it")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x) => [|(float)x|] * 2; }",
        "The conversion '(float)x' mixes floating-point types in the double method 'F': write the whole method in one precision (in a float method, a double math call such as (float)Math.Sin(x) is computed with MathF)")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x) => [|x switch { > 0 => x, <= 0 => -x }|]; }",
        "The switch expression 'x switch { > 0 => x, <= 0 => -x }' without a last '_' arm is not supported in a [Differentiable] method yet: end it with '_ => value', so that every input (NaN too) has a value instead of an exception")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x) => x is [|double d|] ? d * x : 0; }",
        "The pattern 'double d' is not supported in a [Differentiable] method yet: use constant ('0'), relational ('> 0'), 'and', 'or', 'not' and '_' patterns; assign to a local instead of declaring one in a pattern")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { double a, b, c; [|(a, (b, c)) = (x, (x, x));|] return a * b * c; } }",
        "The deconstruction '(a, (b, c)) = (x, (x, x));' is not supported in a [Differentiable] method yet: deconstruct a tuple literal '(x, y)' into locals or parameters, or assign them one by one")]
    [InlineData("SD0009", "public static partial class C { [Differentiable] public static double F(double x) { object [|o = x|]; return x; } }",
        "Local 'o' has type 'object': locals of a [Differentiable] method are floating-point (of the method's precision), integer, bool, char, string or enum values, structs of such values, or local arrays 'new double[n]'")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x, [|float y|]) => x * y; }",
        "Parameter 'y' mixes floating-point types in the double method 'F': write the whole method in one precision (in a float method, a double math call such as (float)Math.Sin(x) is computed with MathF)")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static double F(double x) { float [|f = 1|]; return x; } }",
        "The float local 'f' mixes floating-point types in the double method 'F': write the whole method in one precision (in a float method, a double math call such as (float)Math.Sin(x) is computed with MathF)")]
    [InlineData("SD0011", "public static partial class C { [Differentiable] public static extern double [|F|](double x); }",
        "Method 'F' has no body to differentiate: give it a body (extern and abstract methods cannot be differentiated)")]
    [InlineData("SD0012", "public static partial class C { [Differentiable] public static double [|F|]<T>(double x) => x; }",
        "'F' is generic in a way SymDiff cannot differentiate: a generic method may have one type parameter T constrained to System.Numerics.IFloatingPointIeee754<T> as the floating-point type of all its values (T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>), and methods of generic types are not supported; write it that way, or for double or float")]
    [InlineData("SD0012", "public static partial class C { [Differentiable] public static T [|F|]<T>(T x) where T : System.Numerics.INumber<T> => x * x; }",
        "'F' is generic in a way SymDiff cannot differentiate: a generic method may have one type parameter T constrained to System.Numerics.IFloatingPointIeee754<T> as the floating-point type of all its values (T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>), and methods of generic types are not supported; write it that way, or for double or float")]
    [InlineData("SD0012", "public static partial class C { [Differentiable] public static T [|F|]<T>(T x, double y) where T : System.Numerics.IFloatingPointIeee754<T> => x * x; }",
        "'F' is generic in a way SymDiff cannot differentiate: a generic method may have one type parameter T constrained to System.Numerics.IFloatingPointIeee754<T> as the floating-point type of all its values (T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>), and methods of generic types are not supported; write it that way, or for double or float")]
    [InlineData("SD0012", "public static partial class [|C|]<U> { [Differentiable] public static double F(double x) => x; }",
        "'C' is generic in a way SymDiff cannot differentiate: a generic method may have one type parameter T constrained to System.Numerics.IFloatingPointIeee754<T> as the floating-point type of all its values (T Loss<T>(T w, T b) where T : IFloatingPointIeee754<T>), and methods of generic types are not supported; write it that way, or for double or float")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> => x is > [|0|] ? x : -x; }",
        "The pattern constant '0' on a value of type T is not supported in a [Differentiable] method yet: on a generic T, C# matches a constant pattern only when T is the constant's own type (int here), never as a number; compare with an operator: x < T.CreateChecked(...)")]
    [InlineData("SD0010", "public static partial class C { [Differentiable] public static T F<T>(T x) where T : System.Numerics.IFloatingPointIeee754<T> { double [|d = 0.5|]; return x * T.CreateChecked(2); } }",
        "The double local 'd' mixes floating-point types in the T method 'F': write the whole method in one precision (in a float method, a double math call such as (float)Math.Sin(x) is computed with MathF)")]
    [InlineData("SD0013", "public static partial class C { [Differentiable([|\"n\"|])] public static double F(double x, int n) => x * n; }",
        "Parameter 'n' of type 'int' is named in the [Differentiable] list but is not floating-point; remove it from the list")]
    [InlineData("SD0014", "public static partial class C { [Differentiable] public static double F([|ref double x|]) => x; }",
        "Parameter 'x' is passed by reference: a [Differentiable] method takes its inputs by value; return the result instead")]
    [InlineData("SD0015", "public static partial class C { static double field; [Differentiable] public static double F(double x) { [|field|] = x; return x; } }",
        "Writing to the field 'field' is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0017", "public static partial class C { [Differentiable(nameof(a))] public static double G(double a, double b) => a * b; [Differentiable] public static double F(double x) => G(1, [|x|]); }",
        "The argument 'x' depends on differentiated values, but 'G' does not differentiate its parameter 'b' (it is [NoGradient] or left out of its [Differentiable] list), so the derivative through it would be lost; differentiate 'G' with respect to 'b' or pass a constant")]
    [InlineData("SD0018", "public static partial class C { [Differentiable] public static double F(double x) => x < 1 ? x : [|F(x - 1)|] * x; }",
        "The call to 'F' is recursive: SymDiff cannot differentiate recursion; rewrite it as a loop")]
    [InlineData("SD0019", "public static partial class C { [Differentiable] public static double F(double x) { again: x = x * 2; if (x < 1) [|goto again;|] return x; } }",
        "'goto again;' jumps with goto: a [Differentiable] method may use if, loops, break, continue and return only")]
    [InlineData("SD0020", "public static partial class C { [Differentiable] public static double F(double x) { [|try { x = x * 2; } finally { }|] return x; } }",
        "A try statement is not supported in a [Differentiable] method: validate inputs before calling it, outside the differentiated code")]
    [InlineData("SD0021", "public static partial class C { [Differentiable] public static double F(double x) { Func<double, double> sq = [|v => v * v|]; return sq(x); } }",
        "The lambda 'v => v * v' is not supported in a [Differentiable] method: SymDiff cannot see through delegates; write a local function or a method instead (SymDiff reads one of local declarations and a return in place), or write the loop out")]
    [InlineData("SD0022", "public static partial class C { [Differentiable] public static double F(double x) { dynamic [|d = x|]; return x; } }",
        "'d' is dynamic: SymDiff needs static types to differentiate; use double")]
    [InlineData("SD0023", "public static partial class C { [Differentiable] public static double F(double x) { [|unsafe { }|] return x; } }",
        "An unsafe block uses pointers or unsafe code: use arrays or spans")]
    [InlineData("SD0024", "public static partial class C { [Differentiable] public static double F(double x) { [|Console.WriteLine(x);|] return x; } }",
        "The call 'Console.WriteLine(x)' is used as a statement, so it can only matter through side effects: a [Differentiable] method may only call methods that compute values from their arguments")]
    [InlineData("SD0024", "public static partial class C { static int Bump(ref double v) { v *= 2; return 1; } [Differentiable] public static double F(double x) => x * [|Bump(ref x)|]; }",
        "The call 'Bump(ref x)' passes an argument by reference, so it may change a differentiated value: a [Differentiable] method may only call methods that compute values from their arguments")]
    [InlineData("SD0025", "public static partial class C { [[|CustomDerivative(nameof(B), nameof(D))|]] public static double F(double x) => x; public static void B(double x, double dF, double dx) { } public static double D(double x, double dx) => dx; }",
        "The custom derivative of 'F' is wrong: 'B' is static void B(double, double, double), but it must be static void B(double, double, ref double)")]
    [InlineData("SD0025", "public static partial class C { [[|CustomDerivative(nameof(B), nameof(D), SecondOrder = nameof(T))|]] public static double F(double x) => x * x; public static void B(double x, double dF, ref double dx) { dx += 2 * x * dF; } public static double D(double x, double dx) => 2 * x * dx; public static void T(double x, double tx, double dF, double hF, ref double dx) { } }",
        "The custom derivative of 'F' is wrong: 'T' is static void T(double, double, double, double, ref double), but it must be static void T(double, double, double, double, ref double, ref double)")]
    [InlineData("SD0026", "public static partial class C { public static double LossGradient(double w, out double dw) { dw = 1; return w; } [Differentiable] public static double [|Loss|](double w) => w * w; }",
        "SymDiff would generate 'LossGradient(double, out double)' for 'Loss', but the type already has the method 'LossGradient' with the same parameter types: rename one of the methods")]
    [InlineData("SD0027", "public static partial class C { [Differentiable([|Hessian = true|])] public static void G(double x, [Output] Span<double> z) { z[0] = x * x; } }",
        "Hessian = true on 'G': a Hessian is the matrix of second derivatives of one result, and this method writes [Output] parameters: ask for Jacobian = true for the derivatives of its outputs")]
    [InlineData("SD0030", "public static partial class C { [Differentiable([|Trace = true|])] public static void G(double x, [Output] Span<double> z) { z[0] = x * x; } }",
        "'G' asks for Trace = true, but it returns no value: a trace follows one result back to the parameters, and this method writes [Output] parameters; trace a method that returns a loss computed from them")]
    [InlineData("SD0030", "public record struct P(double X, double Y); public static partial class C { [Differentiable([|Trace = true|])] public static P Mid(P a, P b) => new P((a.X + b.X) / 2, (a.Y + b.Y) / 2); }",
        "'Mid' asks for Trace = true, but it returns the struct 'P': a trace follows one floating-point result back to the parameters; trace a method that returns a loss computed from the struct")]
    [InlineData("SD0027", "public static partial class C { [Differentiable([|Jacobian = true|])] public static double F(double x) => x * x; }",
        "Jacobian = true on 'F': a Jacobian is for a method that writes [Output] parameters, and this method returns one value, whose Jacobian is its gradient (FGradient): ask for Hessian = true for second derivatives")]
    [InlineData("SD0028", "public static partial class C { [CustomDerivative(nameof(B), nameof(D))] public static double Sq(double a) => a * a; public static void B(double a, double dSq, ref double da) { da += 2 * a * dSq; } public static double D(double a, double da) => 2 * a * da; [Differentiable] public static double G(double a) => a * Sq(a); [Differentiable(Hessian = true)] public static double F(double x) => x + [|G(x)|]; }",
        "'F' asks for Hessian = true, but the call 'G(x)' cannot be differentiated twice yet: 'G' calls 'Sq(a)', and 'Sq' has a custom derivative without a second-order rule; register one with [CustomDerivative(..., SecondOrder = nameof(SqBackwardTangent))], write its formula in 'G', or ask for a first-order gradient only")]
    [InlineData("SD0028", "public static partial class C { [CustomDerivative(nameof(B), nameof(D))] public static double Sq(double a) => a * a; public static void B(double a, double dSq, ref double da) { da += 2 * a * dSq; } public static double D(double a, double da) => 2 * a * da; [Differentiable(Hessian = true)] public static double F(double x) => x + [|Sq(x)|]; }",
        "'F' asks for Hessian = true, but the call 'Sq(x)' cannot be differentiated twice yet: 'Sq' has a custom derivative without a second-order rule; register one with [CustomDerivative(..., SecondOrder = nameof(SqBackwardTangent))], write its formula in 'F', or ask for a first-order gradient only")]
    [InlineData("SD0026", "public static partial class C { public static double FHessian(double x, out double dx, Span<double> h) { dx = 0; return x; } [Differentiable(Hessian = true)] public static double [|F|](double x) => x * x * x; }",
        "SymDiff would generate 'FHessian(double, out double, System.Span<double>)' for 'F', but the type already has the method 'FHessian' with the same parameter types: rename one of the methods")]
    [InlineData("SD0003", "public static partial class C { [Differentiable] public static [|double|] F(double x, [Output] Span<double> z) { z[0] = x; return x; } }",
        "Method 'F' returns 'double': a [Differentiable] method returns double or float, a struct of such values, or void when it writes its results into [Output] parameters (never both)")]
    [InlineData("SD0004", "public static partial class C { [Differentiable] public static double F([|System.Numerics.Vector2|] p, double x) { return p.X * x + p.Y; } }",
        "Parameter 'p' has type 'System.Numerics.Vector2 (its fields are float, and the method computes in double)': use double or float, their arrays and spans, a struct whose fields are such values, an array or span of structs of floating fields, or a constant type (integer, bool, char, string, enum)")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double[] v, int k) { var [|t = v[k..]|]; k++; return t[0]; } }",
        "The range local 't' over 'v[k..]', whose bound 'k' changes while 't' is in scope is not supported in a [Differentiable] method yet: read the range in place where it is used, or keep its bounds and array unchanged while the local is in scope")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { double[] a = new double[3]; a[0] = x; var [|t = a[..2]|]; a[0] = 2 * x; return t[0]; } }",
        "The range local 't' over 'a[..2]', whose array 'a' changes while 't' is in scope is not supported in a [Differentiable] method yet: read the range in place where it is used, or keep its bounds and array unchanged while the local is in scope")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double[] v) { double s = 0; int n = 1; [|foreach (var e in v[n..]) { n++; s += e; }|] return s; } }",
        "A foreach loop over the range 'v[n..]', whose bound 'n' changes in the loop is not supported in a [Differentiable] method yet: keep the range's bounds and array unchanged in the loop, or index with a for loop")]
    [InlineData("SD0008", "public static partial class C { static readonly System.Range R = 1..3; [Differentiable] public static double F(double[] v) => [|v[R]|][0]; }",
        "The range 'v[R]' is not supported in a [Differentiable] method yet: cut ranges with 'v[a..b]', 'v.AsSpan(start, length)' or 'span.Slice(start, length)', with integer or '^k' bounds")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double G(double[] v) => v[0] * v[0]; [Differentiable] public static double F(double[] v) => G([|v[1..]|]); }",
        "The range argument 'v[1..]' of 'G' is not supported in a [Differentiable] method yet: its parameter 'v' is an array, and a range is passed as a read-only span: declare 'v' as ReadOnlySpan<double>")]
    [InlineData("SD0015", "public static partial class C { [Differentiable] public static double F(double x) { double[] a = new double[3]; System.Span<double> t = a.AsSpan(1..); [|t[0]|] = x; return a[1]; } }",
        "Writing to the span element 't[0]' is not supported in a [Differentiable] method: assign to a local, an element of a local array, or an element of an [Output] parameter instead")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x) => [|x is double|] ? x : 1; }",
        "The type test 'x is double' is not supported in a [Differentiable] method yet: compare values with <, <=, >, >=, == or != or with constant and relational patterns")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x) => [|x % 2|]; }",
        "The operator '%' on floating-point values in 'x % 2' is not supported in a [Differentiable] method yet: differentiable arithmetic is +, -, * and /; write the operation with those or with a System.Math function")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x, int i) { int j = i; return x * (x > 0 ? [|j++|] : 1); } }",
        "'j++' inside a branch of '&&', '||' or '?:' is not supported in a [Differentiable] method yet: update the variable in a statement of its own, before the condition")]
    [InlineData("SD0007", "public static partial class C { [Differentiable] public static double F(double x) { string s = \"a\"; [|s = \"b\";|] return x; } }",
        "Assigning the string 's' after its declaration is not supported in a [Differentiable] method yet: declare a second string local instead (the tape keeps numbers only)")]
    [InlineData("SD0008", "public static partial class C { [Differentiable] public static double F(double x, [NoGradient] double[]? data) { double s = x; if ([|data|] is not null) { foreach (double d in data) s += d * x; } return s; } }",
        "The double[]? value 'data' is not supported in a [Differentiable] method yet: constant code may use literals, locals, parameters, fields, .Length, arithmetic, comparisons and calls that return integers")]
    public void Each_diagnostic_is_reported_at_its_construct(string id, string marked, string message)
    {
        int start = marked.IndexOf("[|", System.StringComparison.Ordinal);
        int end = marked.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string code = "using System; using SymDiff; namespace Cases; " + marked.Replace("[|", "").Replace("|]", "");
        int offset = "using System; using SymDiff; namespace Cases; ".Length;

        // A healthy method elsewhere in the project must still get its generated code.
        const string healthy = "namespace Cases; public static partial class Healthy { [SymDiff.Differentiable] public static double Sq(double x) => x * x; }";
        var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Diag", null, code, healthy));

        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(offset + start, d.Location.SourceSpan.Start);
        Assert.Equal(end - start, d.Location.SourceSpan.Length);
        Assert.Equal(Descriptors.ById(id).Title.ToString(), d.Descriptor.Title.ToString());
        Assert.Equal(message, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(run.GeneratedTrees, t => t.FilePath.EndsWith("Cases.Healthy.Sq.g.cs", System.StringComparison.Ordinal));
        Assert.Null(run.Results.Single().Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), x => x.Id == "CS8785");
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_readme_row()
    {
        var tested = typeof(DiagnosticTests).GetMethod(nameof(Each_diagnostic_is_reported_at_its_construct))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).First()[0]).ToHashSet();
        string readme = System.IO.File.ReadAllText(Paths.Repo("README.md"));
        foreach (DiagnosticDescriptor descriptor in Descriptors.Every.Where(d => d.Id != "SD0099"))
        {
            Assert.Contains(descriptor.Id, tested);
            Assert.Contains($"| {descriptor.Id} |", readme);
        }

        Assert.Contains("| SD0099 |", readme);
    }

    [Fact]
    public void An_internal_failure_becomes_SD0099_and_other_methods_still_generate()
    {
        const string code = "namespace Cases; public static partial class C { [SymDiff.Differentiable] public static double Boom(double x) => x; [SymDiff.Differentiable] public static double Fine(double x) => x * x; }";
        Parsing.MethodParser.FaultInjection = name => { if (name == "Boom") throw new System.InvalidOperationException("injected"); };
        try
        {
            var (output, diagnostics, run) = Harness.Generate(Harness.Compilation("Fault", null, code));
            Diagnostic d = Assert.Single(diagnostics);
            Assert.Equal("SD0099", d.Id);
            Assert.Contains("injected", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Null(run.Results.Single().Exception);
            Assert.Contains(run.GeneratedTrees, t => t.FilePath.EndsWith("Cases.C.Fine.g.cs", System.StringComparison.Ordinal));
            Assert.DoesNotContain(output.GetDiagnostics(), x => x.Id == "CS8785");
        }
        finally
        {
            Parsing.MethodParser.FaultInjection = null;
        }
    }
}
