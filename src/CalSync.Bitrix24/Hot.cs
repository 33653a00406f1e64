using System.Runtime.CompilerServices;

namespace CalSync.Bitrix24;

/// <summary>
/// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name (the runtime honours the flag): for
/// the methods a window read runs for every token or row. They are compiled optimized at once, so a second read in
/// the same session does not run tier-0 code while they are compiled again in the background.
/// </summary>
internal static class Hot
{
    public const MethodImplOptions Optimized = (MethodImplOptions)512;
}
