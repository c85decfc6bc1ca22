using System.Globalization;
using System.Text;

namespace SymDiff.GeneratorBench;

/// <summary>
/// Writes a project of realistic <c>[Differentiable]</c> methods in four kinds, a quarter each:
/// straight-line losses, loops over arrays, taped loops (a loop-carried reassignment) and
/// methods that call the others. Twenty methods per file, plus one file of ordinary code that
/// the incremental measurement edits.
/// </summary>
internal static class ProjectWriter
{
    public const string UnrelatedFile = "Unrelated.cs";

    /// <summary>File name → source, for <paramref name="methods"/> methods; <paramref name="annotate"/> false drops the attributes.</summary>
    public static Dictionary<string, string> Write(int methods, bool annotate = true)
    {
        var files = new Dictionary<string, string>();
        const int PerFile = 20;
        for (int first = 0; first < methods; first += PerFile)
        {
            var text = new StringBuilder();
            text.Append("using System;\nusing SymDiff;\n\nnamespace Project;\n\n");
            text.Append(CultureInfo.InvariantCulture, $"public static partial class Models{first / PerFile}\n{{\n");
            for (int i = first; i < Math.Min(methods, first + PerFile); i++)
            {
                text.Append(Method(i)).Append('\n');
            }

            text.Append("}\n");
            string source = annotate ? text.ToString() : text.ToString().Replace("[Differentiable]", "", StringComparison.Ordinal).Replace("[NoGradient] ", "", StringComparison.Ordinal);
            files[$"Models{first / PerFile}.cs"] = source;
        }

        files[UnrelatedFile] = Unrelated(0);
        return files;
    }

    /// <summary>Ordinary code outside any differentiable method; <paramref name="edit"/> changes one constant.</summary>
    public static string Unrelated(int edit) => $$"""
        namespace Project;

        public static class Reporting
        {
            public static string Describe(double loss) => "loss " + loss.ToString("G4") + " after edit {{edit}}";
        }
        """;

    // Methods come in fours, so a Combined method always finds the Loss and Relax before it in its file.
    private static string Method(int i)
    {
        string c = (0.1 + (i % 17) * 0.05).ToString("0.00", CultureInfo.InvariantCulture);
        return (i % 4) switch
        {
            0 => $$"""
                    [Differentiable]
                    public static double Loss{{i}}(double w, double b, double x, double y)
                    {
                        double z = w * x + b;
                        double p = 1.0 / (1.0 + Math.Exp(-z));
                        double error = p - y;
                        double penalty = {{c}} * (w * w + b * b);
                        return error * error + penalty + Math.Log(1 + x * x) * Math.Tanh(w);
                    }

                """,
            1 => $$"""
                    [Differentiable]
                    public static double Fit{{i}}(double w, double b, [NoGradient] double[] xs, [NoGradient] double[] ys)
                    {
                        double sum = 0;
                        for (int k = 0; k < xs.Length; k++)
                        {
                            double residual = w * xs[k] + b - ys[k];
                            sum += residual * residual;
                        }

                        return sum / xs.Length + {{c}} * w * w;
                    }

                """,
            2 => $$"""
                    [Differentiable]
                    public static double Relax{{i}}(double rate, double start, int steps)
                    {
                        double x = start;
                        for (int k = 0; k < steps; k++)
                        {
                            x = x - rate * Math.Sin(x) * {{c}};
                        }

                        return x * x + rate;
                    }

                """,
            _ => $$"""
                    [Differentiable]
                    public static double Combined{{i}}(double w, double b)
                    {
                        double loss = Loss{{i - 3}}(w, b, 0.5, 1.0);
                        double relaxed = Relax{{i - 1}}(w, b, 3);
                        return loss * Math.Sqrt(1 + b * b) + relaxed * {{c}};
                    }

                """,
        };
    }
}
