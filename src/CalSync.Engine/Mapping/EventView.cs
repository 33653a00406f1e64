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

    private static string HashOf(SortedDictionary<string, string> fields)
    {
        var text = new StringBuilder();
        foreach (var pair in fields) text.Append(pair.Key).Append('=').Append(pair.Value.Replace("\n", "\\n")).Append('\n');
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        return string.Concat(bytes.Take(16).Select(b => b.ToString("x2")));
    }

    public override string ToString() => string.Join("; ", Fields.Select(p => $"{p.Key}={p.Value}"));
}
