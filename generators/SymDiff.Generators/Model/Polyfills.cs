// Language features the netstandard2.0 target lacks at run time.
namespace System.Runtime.CompilerServices
{
    /// <summary>Lets records and init-only setters compile on netstandard2.0.</summary>
    internal static class IsExternalInit { }
}
