using System;
using System.Collections.Concurrent;

namespace CalSync.PowerShell.Sides;

/// <summary>
/// Access tokens given with Connect-OutlookCalendar -AccessToken: kept for this PowerShell process only (never
/// written to disk), keyed by store root and connection name. A new process connects again.
/// </summary>
internal static class SessionTokens
{
    private static readonly ConcurrentDictionary<string, string> Tokens = new(StringComparer.Ordinal);

    private static string Key(string storeRoot, string connection) => storeRoot + "\n" + connection.ToLowerInvariant();

    public static void Set(string storeRoot, string connection, string token) => Tokens[Key(storeRoot, connection)] = token;

    public static string? Get(string storeRoot, string connection) => Tokens.TryGetValue(Key(storeRoot, connection), out var t) ? t : null;

    public static void Remove(string storeRoot, string connection) => Tokens.TryRemove(Key(storeRoot, connection), out _);
}
