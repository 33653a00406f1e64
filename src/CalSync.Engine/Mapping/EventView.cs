using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using CalSync.Engine.Model;

namespace CalSync.Engine.Mapping;

/// <summary>
/// A meeting as it travels: the mapped fields in one shared vocabulary (Outlook's), so a faithful copy
/// has the same view, and so the same hash, as its source. Changes are changes of this hash.
/// </summary>
public sealed class EventView
{
    private IReadOnlyDictionary<string, string>? _fields;
    // What the fields are projected again from, on first use: few views are ever shown, and every item of both sides
    // has a view, so views keep their hash, not their fields.
    private readonly Projector? _projector;
    private readonly CalEvent? _event;
    private readonly Side _from;

    public EventView(SortedDictionary<string, string> fields, string matchKey)
    {
        _fields = fields;
        MatchKey = matchKey;
        Hash = HashOf(fields.ToArray());
    }

    internal EventView(Projector projector, CalEvent e, Side from, string hash, string matchKey)
    {
        _projector = projector;
        _event = e;
        _from = from;
        Hash = hash;
        MatchKey = matchKey;
    }

    public IReadOnlyDictionary<string, string> Fields => _fields ??= ToDictionary(_projector!.Fields(_event!, _from).Sorted);
    public string Hash { get; }
    /// <summary>Start, end, all-day and normalised title: how an unlinked copy is recognised.</summary>
    public string MatchKey { get; }

    internal static string HashOf(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var text = new StringBuilder(256);
        foreach (var pair in fields) text.Append(pair.Key).Append('=').Append(pair.Value.Replace("\n", "\\n")).Append('\n');
        return HashOf(text.ToString());
    }

    /// <summary>128 bits of SHA-256 in hex.</summary>
    internal static string HashOf(string text) => Hex(Sha256(text));

    /// <summary>SHA-256 of the text's UTF-8 bytes.</summary>
    internal static byte[] Sha256(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    /// <summary>The first 128 bits of a hash, in lowercase hex (32 characters).</summary>
    internal static string Hex(byte[] hash) => Convert.ToHexString(hash, 0, 16).ToLowerInvariant();

    public override string ToString() => string.Join("; ", Fields.Select(p => $"{p.Key}={p.Value}"));

    private static SortedDictionary<string, string> ToDictionary(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var dictionary = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in fields) dictionary[pair.Key] = pair.Value;
        return dictionary;
    }
}

/// <summary>
/// A view's fields as they are gathered: set like a sorted dictionary's (a key's last value wins), kept in key order
/// (<see cref="StringComparer.Ordinal"/>). A view has about ten, so a list (every item and every planned copy has a view).
/// </summary>
internal sealed class ViewFields
{
    private readonly List<KeyValuePair<string, string>> _pairs = new(16);

    public IReadOnlyList<KeyValuePair<string, string>> Sorted => _pairs;

    public string this[string key]
    {
        set
        {
            var i = 0;
            while (i < _pairs.Count && string.CompareOrdinal(_pairs[i].Key, key) < 0) i++;
            if (i < _pairs.Count && _pairs[i].Key == key) _pairs[i] = new KeyValuePair<string, string>(key, value);
            else _pairs.Insert(i, new KeyValuePair<string, string>(key, value));
        }
    }
}
