using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SymDiff.Generators.Tests.Infrastructure;

/// <summary>
/// Writes random [Differentiable] methods <c>double P(double x, double y, double[] v)</c> (v has
/// three elements) from the supported grammar: expressions over every math function of the rule
/// table (arguments kept inside each function's domain) and ternaries, integer-valued calls
/// (<c>Math.Sign</c>) and integer code (<c>%</c>, integer ternaries, casts), switch expressions
/// (relational and <c>and</c> patterns on floating values, constant and <c>or</c> patterns on integers),
/// <c>is</c> patterns in conditions, the <c>double.Sin</c> static forms, <c>v[^k]</c>, <c>foreach</c>
/// over <c>v</c> and the local array, chained assignment <c>a = b = e</c>, locals and
/// reassignment with every compound operator, integer locals whose casts and long literals matter, if/else, counted and while loops that reassign
/// and accumulate (with break and continue), local arrays, early returns, calls to the
/// differentiable helpers <c>H1</c> and <c>H2</c> (given <c>v</c> or the range <c>v[1..]</c>), and local names that collide with generated
/// ones or are keywords (<c>o</c>, <c>dx</c>, <c>@in</c>). Values are kept moderate (squashing
/// functions, safe divisions) so that central differences stay accurate.
/// </summary>
internal sealed class ProgramGenerator(int seed)
{
    /// <summary>The helpers every batch of programs may call.</summary>
    public const string Helpers = """
        [Differentiable] public static double H1(double a, double b) => a * Math.Tanh(b) + Math.Sin(a * b);
        [Differentiable] public static double H2(double a, ReadOnlySpan<double> w) { double s = a; for (int i = 0; i < w.Length; i++) { s = s * 0.5 + w[i] * Math.Cos(s); } return s; }
        """;

    private readonly Random random = new(seed);
    private readonly List<string> scalars = new();
    private readonly StringBuilder sb = new();
    private int locals, indent;
    private string? counter;
    private bool inLoop, hasArray, output;

    public int Seed => seed;

    /// <summary>
    /// Writes a method <c>double Name(double x, double y, double[] v)</c>, or with
    /// <paramref name="outputs"/> a method <c>void Name(double x, double y, double[] v, [Output] Span&lt;double&gt; z)</c>
    /// that writes its results into z[0] and z[1] (also on early returns, and sometimes before).
    /// </summary>
    public string Write(string name, bool outputs = false)
    {
        output = outputs;
        scalars.Clear();
        scalars.AddRange(["x", "y"]);
        used.Clear();
        sb.Clear();
        locals = 0;
        Line(output
            ? $"[Differentiable] public static void {name}(double x, double y, double[] v, [Output] Span<double> z)"
            : $"[Differentiable] public static double {name}(double x, double y, double[] v)");
        Line("{");
        indent++;
        if (random.Next(3) == 0)
        {
            hasArray = true;
            Line("double[] a = new double[3];");
            Line($"for (int i = 0; i < 3; i++) a[i] = {Expr(2, withCounter: "i")};");
        }
        else
        {
            hasArray = false;
        }

        int statements = 2 + random.Next(4);
        for (int i = 0; i < statements; i++)
        {
            Statement(depth: 0);
        }

        if (output)
        {
            Line($"z[0] = {Expr(2)};");
            Line($"z[1] = {Expr(2)};");
        }
        else
        {
            Line($"return {Expr(2)};");
        }

        indent--;
        Line("}");
        return sb.ToString();
    }

    private void Line(string text) => sb.Append(' ', 4 * indent).AppendLine(text);

    // Some locals take names that collide with what SymDiff generates (the adjoint of x is dx,
    // of o would be the keyword do) or need an '@'.
    private static readonly string[] Awkward = ["o", "dx", "dy", "dT1", "@in", "@double", "tape", "value", "dP0"];

    private string NewLocal()
    {
        ++locals;
        if (random.Next(4) == 0)
        {
            string name = Pick(Awkward);
            if (!used.Contains(name))
            {
                used.Add(name);
                return name;
            }
        }

        return "t" + locals.ToString(CultureInfo.InvariantCulture);
    }

    private readonly HashSet<string> used = new();

    /// <summary>
    /// The same program in single precision: float types and literals, MathF (Math.Clamp, which
    /// has a float overload, and calls of double literals stay Math), and Math.Tanh kept as a
    /// double call converted back, <c>(float)Math.Tanh(a)</c>, which SymDiff computes with MathF.
    /// </summary>
    public static string ToFloat(string program)
    {
        string text = program.Replace("double", "float");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"(?<![\w.])(\d+\.\d+)(?![\w.])", "$1f");
        text = text.Replace("Math.Tanh(", "(float)Math.Tanh(");
        text = System.Text.RegularExpressions.Regex.Replace(text, @"Math\.(\w+)\((-?[\d.]+d)\)", "(float)Math.$1($2)");
        return System.Text.RegularExpressions.Regex.Replace(text, @"(?<!\(float\))Math\.(?!Clamp\()(\w+)\((?!-?[\d.]+d\b)", "MathF.$1(");
    }

    private string Pick(IReadOnlyList<string> list) => list[random.Next(list.Count)];

    // Returns true when the statement ends its block (a return).
    private bool Statement(int depth)
    {
        int kind = random.Next(depth >= 2 ? 3 : 9);
        switch (kind)
        {
            case 0 when random.Next(5) == 0:
                {
                    // Integer arithmetic whose types matter: a cast of a sum wraps in short, a long literal
                    // keeps a product from overflowing int.
                    string n = NewLocal(), local = NewLocal();
                    Line($"int {n} = (int)Math.Floor((double)({Expr(1)}) * 3) % 4 + {random.Next(3)};");
                    Line($"double {local} = {Expr(2)} * (double)(short)({n} * 20000 + {random.Next(50)}) * 0.0001 + (double)({n} * 2000000000L) * 0.0000000001;");
                    scalars.Add(local);
                    break;
                }

            case 0:
                {
                    string local = NewLocal();
                    Line($"double {local} = {Expr(3)};");
                    scalars.Add(local);
                    break;
                }

            case 1:
                {
                    string target = Pick(scalars);
                    string other = Pick(scalars);
                    Line(random.Next(8) switch
                    {
                        6 when other != target => $"{target} = {other} = {Expr(2)};",
                        0 => $"{target} = Math.Tanh({target} * {Expr(1)}) + {Expr(2)};",
                        1 => $"{target} += {Expr(2)};",
                        2 => $"{target} -= {Expr(2)};",
                        3 => $"{target} *= Math.Tanh({Expr(1)});",
                        4 => $"{target} /= 1.5 + Math.Sin({Expr(1)});",
                        5 => $"{target}{Pick(["++", "--"])};",
                        _ => $"{target} = {Expr(2)} * 0.5 + Math.Sin({target});",
                    });
                    break;
                }

            case 2 when hasArray:
                Line($"a[{random.Next(3)}] = {Expr(2)};");
                break;
            case 2 when output && random.Next(2) == 0:
                Line($"z[{random.Next(2)}] = {Expr(2)};");
                break;
            case 2:
            case 3:
                {
                    Line($"if ({Condition()})");
                    Block(depth);
                    if (random.Next(2) == 0)
                    {
                        Line("else");
                        Block(depth);
                    }

                    break;
                }

            case 4:
            case 5:
                Loop(depth, counted: true);
                break;
            case 6:
                Loop(depth, counted: false);
                break;
            case 8:
                ForEach(depth);
                break;
            default:
                if (!inLoop && depth > 0)
                {
                    Line(output ? $"{{ z[0] = {Expr(2)}; z[1] = {Expr(2)}; return; }}" : $"return {Expr(2)};");
                    return true;
                }
                else
                {
                    string local = NewLocal();
                    Line($"double {local} = H1({Expr(1)}, {Expr(1)}) + H2({Expr(1)}, {(random.Next(3) == 0 ? "v[1..]" : "v")});");
                    scalars.Add(local);
                }

                break;
        }

        return false;
    }

    private void Block(int depth)
    {
        Line("{");
        indent++;
        int count = scalars.Count;
        int statements = 1 + random.Next(2);
        for (int i = 0; i < statements && !Statement(depth + 1); i++)
        {
        }

        scalars.RemoveRange(count, scalars.Count - count);
        indent--;
        Line("}");
    }

    private void Loop(int depth, bool counted)
    {
        string? savedCounter = counter;
        bool savedInLoop = inLoop;
        int count = scalars.Count;
        string target = Pick(scalars);
        if (counted)
        {
            string c = "i" + depth.ToString(CultureInfo.InvariantCulture);
            Line($"for (int {c} = 0; {c} < {1 + random.Next(3)}; {c}++)");
            counter = c;
        }
        else
        {
            string k = "k" + (++locals).ToString(CultureInfo.InvariantCulture);
            Line($"int {k} = 0;");
            Line($"while ({k} < {1 + random.Next(3)})");
            counter = k;
        }

        Line("{");
        indent++;
        inLoop = true;
        if (!counted)
        {
            Line($"{counter}++;");
        }

        LoopBody(target, $"v[{counter} % 3]", depth, count);
        counter = savedCounter;
        inLoop = savedInLoop;
    }

    // The rest of a loop's body: one update of target that reads `read`, perhaps a break or
    // continue, perhaps a nested statement; then the body's own locals go out of scope.
    private void LoopBody(string target, string read, int depth, int count)
    {
        Line(random.Next(2) == 0
            ? $"{target} = Math.Sin({target}) * 0.8 + {read} * {Expr(1)};"
            : $"{target} += {read} * {Expr(2)};");
        if (random.Next(3) == 0)
        {
            Line($"if ({Condition()}) {(random.Next(2) == 0 ? "break" : "continue")};");
        }

        if (depth < 1 && random.Next(2) == 0)
        {
            Statement(depth + 1);
        }

        scalars.RemoveRange(count, scalars.Count - count);
        indent--;
        Line("}");
    }

    // foreach over v or the local array, reading each element once; the element is read-only.
    private void ForEach(int depth)
    {
        bool savedInLoop = inLoop;
        int count = scalars.Count;
        string target = Pick(scalars);
        string element = "e" + (++locals).ToString(CultureInfo.InvariantCulture);
        Line($"foreach (double {element} in {(hasArray && random.Next(2) == 0 ? "a" : "v")})");
        Line("{");
        indent++;
        inLoop = true;
        LoopBody(target, element, depth, count);
        inLoop = savedInLoop;
    }

    private string Condition()
    {
        string Compare() => $"{Expr(1)} {Pick(["<", ">", "<=", ">="])} {Constant()}";
        return random.Next(6) switch
        {
            0 => $"{Compare()} && {Compare()}",
            1 => $"!({Compare()})",
            2 => $"{Subject(1, null)} is {Interval()}",
            3 => $"{Subject(1, null)} is {Pick(["not ", "<= -1 or ", ">= 1 or "])}({Interval()})",
            _ => Compare(),
        };
    }

    // > c and < c + w: a pattern that some values match and some do not.
    private string Interval()
    {
        double low = (random.NextDouble() * 2 - 1) * 1.2;
        return string.Create(CultureInfo.InvariantCulture, $"> {low:0.##} and < {low + 0.3 + random.NextDouble():0.##}");
    }

    // The tested value of a pattern: never a literal, which C# would reject as always or never
    // matching, and never an integer, which relational patterns with fractions do not fit.
    private string Subject(int depth, string? withCounter)
    {
        string e = Expr(depth, withCounter);
        if (double.TryParse(e.Trim('(', ')'), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            return Pick(scalars);
        }

        // Math.Sign(a) * 1, (i % 2 == 0 ? 1 : -1) * 1 and (i % 3) switch { 0 => 1, ... } may be integers: test them as doubles.
        return e.Contains("Math.Sign(") || e.Contains("% 2 == 0 ?") || e.Contains("% 3) switch") ? $"(double)({e})" : e;
    }

    // x switch { < c => a, > c - 0.3 and < c + 0.6 => b, _ => d }: no arm is subsumed by an earlier one.
    private string SwitchExpression(string a, string b, int depth, string? withCounter, string? loopCounter)
    {
        if (random.Next(3) == 0)
        {
            return $"(({loopCounter ?? "v.Length"} % 3) switch {{ 0 => {a}, 1 or 4 => {b}, _ => -{a} }})";
        }

        double c = (random.NextDouble() * 2 - 1) * 1.2;
        string subject = Subject(depth - 1, withCounter);
        // The subject in parentheses: 'a * b switch { … }' would switch on b alone (an integer, for a literal).
        return string.Create(CultureInfo.InvariantCulture, $"(({subject}) switch {{ < {c:0.##} => {a}, > {c - 0.3:0.##} and < {c + 0.6:0.##} => {b}, _ => {Leaf(withCounter)} }})");
    }

    // Always a floating literal: a bare 0 would make Math.Abs(0) an int, and an int subject of a
    // pattern with floating constants (is > -0.57) does not compile.
    private string Constant()
    {
        string text = ((random.NextDouble() * 2 - 1) * 1.5).ToString("0.##", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    private string Leaf(string? withCounter)
    {
        int kind = random.Next(10);
        string? loopCounter = withCounter ?? counter;
        if (kind < 5)
        {
            return Pick(scalars);
        }

        if (kind < 7)
        {
            return random.Next(5) == 0
                ? $"v[^{1 + random.Next(3)}]"
                : $"v[{(loopCounter is not null && random.Next(2) == 0 ? loopCounter + " % 3" : random.Next(3).ToString(CultureInfo.InvariantCulture))}]";
        }

        if (kind < 8 && hasArray && withCounter is null)
        {
            return $"a[{random.Next(3)}]";
        }

        string constant = Constant();
        return constant.StartsWith("-", StringComparison.Ordinal) ? "(" + constant + ")" : constant;
    }

    private string Expr(int depth, string? withCounter = null)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            return Leaf(withCounter);
        }

        string a = Expr(depth - 1, withCounter), b = Expr(depth - 1, withCounter);
        string? loopCounter = withCounter ?? counter;
        return random.Next(37) switch
        {
            34 => SwitchExpression(a, b, depth, withCounter, loopCounter),
            35 => $"double.{Pick(["Sin", "Cos", "Tanh", "Atan"])}({a})",
            36 => $"double.Exp(double.Sin({a})) * double.Max({b}, -0.5)",
            13 => $"Math.Cos({a})",
            14 => $"Math.Tan(0.7 * Math.Tanh({a}))",
            15 => $"Math.Sinh(Math.Tanh({a}))",
            16 => $"Math.Cosh(Math.Tanh({a}))",
            17 => $"Math.Asin(0.8 * Math.Tanh({a}))",
            18 => $"Math.Acos(0.8 * Math.Tanh({a}))",
            19 => $"Math.Atan2({a}, 1.5 + Math.Tanh({b}))",
            20 => $"Math.Min({a}, {b})",
            21 => $"Math.Clamp({a}, -0.75, 0.75)",
            22 => $"Math.Abs({a})",
            23 => $"Math.Pow(1.25 + Math.Tanh({a}), {random.Next(4)})",
            24 => $"Math.Pow(1.25 + Math.Tanh({a}), 0.5 + 0.25 * Math.Tanh({b}))",
            25 => $"Math.Cbrt(1 + {a} * {a})",
            26 => $"Math.{Pick(["Log10", "Log2"])}(1 + {a} * {a})",
            27 => $"Math.Log(1.5 + {a} * {a}, 2.5 + Math.Tanh({b}))",
            28 => $"Math.FusedMultiplyAdd({a}, {b}, {Constant()})",
            29 => $"Math.{Pick(["Floor", "Ceiling", "Round", "Truncate"])}({Constant()}d) * {a}",
            30 => $"Math.Sign({a}) * {b}",
            31 => $"({loopCounter ?? "v.Length"} % 2 == 0 ? 1 : -1) * {a}",
            32 => $"(double)(int)Math.Round({Constant()}d * 3) * {a}",
            33 => $"Math.{Pick(["Exp", "Sqrt"])}(Math.Tanh({a}) + 1.25)",
            0 => $"({a} + {b})",
            1 => $"({a} - {b})",
            2 or 3 => $"{a} * {b}",
            4 => $"{a} / (1 + {b} * {b})",
            5 => $"Math.Sin({a})",
            6 => $"Math.Tanh({a})",
            7 => $"Math.Exp(Math.Sin({a}))",
            8 => $"Math.Sqrt(1 + {a} * {a})",
            9 => $"Math.Log(1 + {a} * {a})",
            10 => $"Math.Max({a}, {b})",
            11 => $"({Condition()} ? {a} : {b})",
            _ => $"Math.Atan({a})",
        };
    }
}
