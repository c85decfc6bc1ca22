namespace SymDiff.Generators;

/// <summary>Names of the pipeline steps, so tests can check what the driver cached.</summary>
internal static class TrackingNames
{
    public const string Shape = nameof(Shape);
    public const string Parse = nameof(Parse);
    public const string Models = nameof(Models);
    public const string Diagnostics = nameof(Diagnostics);
    public const string CustomDerivatives = nameof(CustomDerivatives);
    public const string CallGraph = nameof(CallGraph);
    public const string Emitted = nameof(Emitted);
    public const string ImplicitRequests = nameof(ImplicitRequests);
    public const string ImplicitParse = nameof(ImplicitParse);
    public const string ImplicitOutcome = nameof(ImplicitOutcome);
    public const string ImplicitEmitted = nameof(ImplicitEmitted);
}
