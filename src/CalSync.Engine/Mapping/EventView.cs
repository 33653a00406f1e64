using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace CalSync.Engine.Mapping;

/// <summary>
/// A meeting as it travels: the mapped fields in one shared vocabulary (Outlook's), so a faithful copy
/// has the same view, and so the same hash, as its source. Changes are changes of this hash.
/// </summary>
public sealed class EventView
{
    public EventView(SortedDictionary<string, string> fields, string matchKey)
    {
        Fields = fields;
        MatchKey = matchKey;
        Hash = HashOf(fields);
    }

    public IReadOnlyDictionary<string, string> Fields { get; }
    public string Hash { get; }
    /// <summary>Start, end, all-day and normalised title: how an unlinked copy is recognised.</summary>
    public string MatchKey { get; }

    // Every item of both sides is hashed on every run: one hasher and one buffer per thread, no per-byte strings.
    [ThreadStatic] private static SHA256? _sha;
    [ThreadStatic] private static StringBuilder? _text;

    private static string HashOf(SortedDictionary<string, string> fields)
    {
        var text = _text ??= new StringBuilder(256);
        text.Clear();
        foreach (var pair in fields)
        {
            text.Append(pair.Key).Append('=');
            if (pair.Value.IndexOf('\n') < 0) text.Append(pair.Value); else text.Append(pair.Value.Replace("\n", "\\n"));
            text.Append('\n');
        }
        return HashOf(text.ToString());
    }

    /// <summary>128 bits of SHA-256 in hex.</summary>
    internal static string HashOf(string text)
    {
        var sha = _sha ??= SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        const string digits = "0123456789abcdef";
        var hex = new char[32];
        for (var i = 0; i < 16; i++)
        {
            hex[2 * i] = digits[bytes[i] >> 4];
            hex[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        return new string(hex);
    }

    public override string ToString() => string.Join("; ", Fields.Select(p => $"{p.Key}={p.Value}"));
}
