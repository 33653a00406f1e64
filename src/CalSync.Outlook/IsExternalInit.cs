// netstandard2.0 lacks this marker type, which C# needs for `init` accessors and records.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
