using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace SymDiff.Generators.Model;

/// <summary>An equatable stand-in for <see cref="Location"/> that the pipeline can cache.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>One-based line number, as people count lines.</summary>
    public int Line => LineSpan.Start.Line + 1;

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is null || location.SourceTree is null
            ? null
            : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());
}
