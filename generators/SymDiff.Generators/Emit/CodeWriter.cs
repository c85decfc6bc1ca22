using System.Text;

namespace SymDiff.Generators.Emit;

/// <summary>A minimal indented text writer for generated source.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder text = new();
    private int depth;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            text.Append(' ', depth * 4);
        }

        text.Append(line).Append('\n');
        return this;
    }

    public CodeWriter Open(string header)
    {
        Line(header);
        Line("{");
        depth++;
        return this;
    }

    public CodeWriter Close(string after = "")
    {
        depth--;
        return Line("}" + after);
    }

    public override string ToString() => text.ToString();
}
