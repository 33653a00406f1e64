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
    // What the fields are projected again from, on first use: few views are ever shown, and a view kept with its
    // fields (every item of both sides) was most of what the planner's garbage collections had to copy.
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

    // Every item of both sides (and every copy the plan writes) is hashed on every run: one hasher and one set of
    // buffers per thread, so a hash allocates only its result.
    [ThreadStatic] private static SHA256? _sha;
    [ThreadStatic] private static StringBuilder? _text;
    [ThreadStatic] private static char[]? _chars;
    [ThreadStatic] private static byte[]? _bytes;
    [ThreadStatic] private static char[]? _hex;

    internal static string HashOf(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var text = _text ??= new StringBuilder(256);
        text.Clear();
        for (var i = 0; i < fields.Count; i++)
        {
            var pair = fields[i];
            text.Append(pair.Key).Append('=');
            if (pair.Value.IndexOf('\n') < 0) text.Append(pair.Value); else text.Append(pair.Value.Replace("\n", "\\n"));
            text.Append('\n');
        }
        var chars = _chars is { } c && c.Length >= text.Length ? c : _chars = new char[Math.Max(256, text.Length * 2)];
        text.CopyTo(0, chars, 0, text.Length);
        return Hex(Sha256(chars, text.Length));
    }

    /// <summary>128 bits of SHA-256 in hex.</summary>
    internal static string HashOf(string text) => Hex(Sha256(text));

    /// <summary>SHA-256 of the text's UTF-8 bytes.</summary>
    internal static byte[] Sha256(string text)
    {
        var bytes = Utf8Buffer(text.Length);
        return (_sha ??= SHA256.Create()).ComputeHash(bytes, 0, Encoding.UTF8.GetBytes(text, 0, text.Length, bytes, 0));
    }

    private static byte[] Sha256(char[] chars, int count)
    {
        var bytes = Utf8Buffer(count);
        return (_sha ??= SHA256.Create()).ComputeHash(bytes, 0, Encoding.UTF8.GetBytes(chars, 0, count, bytes, 0));
    }

    private static byte[] Utf8Buffer(int chars)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(chars);
        return _bytes is { } b && b.Length >= needed ? b : _bytes = new byte[Math.Max(1024, needed)];
    }

    /// <summary>The first 128 bits of a hash, in lowercase hex (32 characters).</summary>
    internal static string Hex(byte[] hash)
    {
        const string digits = "0123456789abcdef";
        var hex = _hex ??= new char[32];
        for (var i = 0; i < 16; i++)
        {
            hex[2 * i] = digits[hash[i] >> 4];
            hex[2 * i + 1] = digits[hash[i] & 0xF];
        }
        return new string(hex);
    }

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
/// (<see cref="StringComparer.Ordinal"/>). A view has about ten; a list costs far less than the sorted tree it replaced
/// (every item and every planned copy has a view).
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

    public void Clear() => _pairs.Clear();
}
