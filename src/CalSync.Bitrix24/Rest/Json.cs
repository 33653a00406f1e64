using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Tolerant reads of Bitrix24 JSON: numbers as strings, <c>""</c>/<c>false</c>/<c>null</c> where an object is
/// expected, <c>[]</c> for empty maps.
/// </summary>
internal static class Json
{
    public static JsonElement? Prop(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return e.TryGetProperty(name, out var v) ? v : null;
    }

    public static string? Str(this JsonElement e, string name) => e.Prop(name) is { } v ? AsString(v) : null;

    public static string? AsString(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => null,
        _ => null,
    };

    public static long? Long(this JsonElement e, string name) => e.Prop(name) is { } v ? AsLong(v) : null;

    public static long? AsLong(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                if (v.TryGetInt64(out var l)) return l;
                return v.TryGetDouble(out var d) ? (long)d : null;
            case JsonValueKind.String:
                return ParseLong(v.GetString());
            default:
                return null;
        }
    }

    /// <summary>A number that came as a string: an integer, or a decimal cut to one.</summary>
    public static long? ParseLong(string? s)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ls)) return ls;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var ds) ? (long)ds : null;
    }

    public static double? AsDouble(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>The entries of a map that may come as an object or (PHP's empty or list-like array) as a JSON array.</summary>
    public static IEnumerable<KeyValuePair<string, JsonElement>> MapEntries(JsonElement? map)
    {
        if (map is not { } m) yield break;
        if (m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject()) yield return new KeyValuePair<string, JsonElement>(p.Name, p.Value);
        }
        else if (m.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in m.EnumerateArray()) yield return new KeyValuePair<string, JsonElement>((i++).ToString(CultureInfo.InvariantCulture), item);
        }
    }

    public static IEnumerable<JsonElement> Items(JsonElement? list)
    {
        if (list is not { } l) yield break;
        if (l.ValueKind == JsonValueKind.Array) foreach (var i in l.EnumerateArray()) yield return i;
        else if (l.ValueKind == JsonValueKind.Object) foreach (var p in l.EnumerateObject()) yield return p.Value;
    }
}
