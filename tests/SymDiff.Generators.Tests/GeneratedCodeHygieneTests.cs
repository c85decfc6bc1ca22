using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using SymDiff.Generators.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generators.Tests;

/// <summary>
/// Generated code does nothing for nothing: over random programs (straight-line, taped loops,
/// branches, breaks, outputs, Hessians, traces), no generated method adds zero, leaves an empty block or
/// declares a local it never reads. Before this was checked, 61 random programs gave 411 empty
/// blocks, 69 'x += 0' and, for a while, locals holding a shared call nobody read.
/// </summary>
public sealed class GeneratedCodeHygieneTests
{
    [Fact]
    public void Random_programs_generate_no_empty_blocks_zero_additions_unread_locals_or_unnamed_steps()
    {
        var members = new List<string> { ProgramGenerator.Helpers };
        for (int i = 0; i < 60; i++)
        {
            string source = new ProgramGenerator(7000 + i).Write($"P{i}");
            members.Add(i % 4 == 1 ? source.Replace("[Differentiable]", "[Differentiable(Hessian = true)]")
                : i % 4 == 3 ? source.Replace("[Differentiable]", "[Differentiable(Trace = true)]")
                : source);
            if (i % 3 == 0)
            {
                members.Add(new ProgramGenerator(7500 + i).Write($"O{i}", outputs: true));
            }
        }

        var (_, _, run) = Harness.Generate(Harness.Compilation("Hygiene", null, Sources.InClass(string.Join("\n", members), "R")));
        var problems = new List<string>();
        int methods = 0;
        foreach (var tree in run.GeneratedTrees)
        {
            foreach ((string name, string body) in Methods(tree.GetText().ToString()))
            {
                methods++;
                string code = string.Join("\n", body.Split('\n').Where(l => !l.TrimStart().StartsWith("//", System.StringComparison.Ordinal)));
                if (Regex.IsMatch(code, @"[+-]= 0f?;"))
                {
                    problems.Add($"{name} adds zero");
                }

                if (Regex.IsMatch(code, @"\{\s*\}"))
                {
                    problems.Add($"{name} has an empty block");
                }

                // Names say what they hold: no branch12, broke, iterations2 or dLoss-style numbered tape names.
                foreach (Match bad in Regex.Matches(code, @"\b(?:branch\d+|broke\d*|skipped\d*|returned\d*|iterations\d*)\b"))
                {
                    problems.Add($"{name} names a local {bad.Value}");
                }

                // Each Branchless.Select has the ?: it stands for in a comment just above it.
                string[] lines = body.Split('\n');
                for (int k = 0; k < lines.Length; k++)
                {
                    if (lines[k].Contains("Branchless.Select(", System.StringComparison.Ordinal) && !lines[k].TrimStart().StartsWith("//", System.StringComparison.Ordinal)
                        && (k == 0 || !lines[k - 1].TrimStart().StartsWith("//", System.StringComparison.Ordinal) || !lines[k - 1].Contains(" ? ", System.StringComparison.Ordinal)))
                    {
                        problems.Add($"{name} has a Branchless.Select without its ?: above it: {lines[k].Trim()}");
                    }
                }

                // A rule factor written twice in one statement is computed once into a named local.
                if (Regex.Match(code, @"\(1 - (\w+) \* \1\)[^;]*\(1 - \1 \* \1\)") is { Success: true } twice)
                {
                    problems.Add($"{name} repeats {twice.Value}");
                }

                foreach (Match local in Regex.Matches(code, @"\b(?:double|float|int|long|bool)\s+(\w+)\s*="))
                {
                    string variable = local.Groups[1].Value;
                    if (Regex.Matches(code, $@"\b{Regex.Escape(variable)}\b").Count == 1)
                    {
                        problems.Add($"{name} never reads {variable}");
                    }
                }
            }
        }

        Assert.True(methods > 150, $"only {methods} generated methods were read");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
    }

    [Fact]
    public void A_rule_factor_read_by_several_adjoints_is_computed_once_into_a_named_local()
    {
        string code = Harness.GeneratedSource(Sources.InClass("[Differentiable] public static double F(double x, double y, double w) => Math.Tanh(x * y + w) * x + Math.Tanh(x * y + w) * 2;"), ".F.g.cs");
        string backward = Methods(code).Single(m => m.Name == "FBackward").Body;
        Assert.Single(Regex.Matches(backward, @"double oneMinusTanhSquared = 1 - tanh \* tanh;"));
        Assert.DoesNotContain("1 - tanh * tanh)", backward.Replace("double oneMinusTanhSquared = 1 - tanh * tanh;", string.Empty, System.StringComparison.Ordinal), System.StringComparison.Ordinal);
        // Declared once, read by the statements of dx, dy and dw.
        Assert.True(Regex.Matches(backward, @"\boneMinusTanhSquared\b").Count >= 4, backward);
    }

    // (name, body) of each generated method: from its signature to its closing brace.
    private static IEnumerable<(string Name, string Body)> Methods(string file)
    {
        string[] lines = file.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            Match signature = Regex.Match(lines[i], @"^\s*(?:public|internal|private)\s+static\s+\S+\s+(\w+)\(");
            if (!signature.Success)
            {
                continue;
            }

            int depth = 0;
            var body = new List<string>();
            for (int j = i + 1; j < lines.Length; j++)
            {
                depth += lines[j].Count(c => c == '{') - lines[j].Count(c => c == '}');
                body.Add(lines[j]);
                if (depth == 0)
                {
                    i = j;
                    break;
                }
            }

            yield return (signature.Groups[1].Value, string.Join("\n", body));
        }
    }
}
