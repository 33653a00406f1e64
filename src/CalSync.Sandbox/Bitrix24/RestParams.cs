using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// Method parameters with PHP reading rules: <see cref="Has"/> is <c>isset</c>, <see cref="Int"/> is <c>(int)</c>,
/// <see cref="String"/> is <c>(string)</c>. Values come either from JSON (typed) or from parse_str (all strings).
/// </summary>
internal sealed class RestParams(JsonObject values)
{
    public JsonObject Values { get; } = values;

    public bool Has(string name) => Values.TryGetPropertyValue(name, out var v) && v is not null;

    /// <summary>PHP <c>empty()</c>: absent, null, false, 0, <c>""</c>, <c>"0"</c> or an empty array.</summary>
    public bool IsEmpty(string name) => !IsTruthyPhp(this[name]);

    public JsonNode? this[string name] => Values.TryGetPropertyValue(name, out var v) ? v : null;

    /// <summary>True only for a real string (a JSON string or any form value).</summary>
    public bool IsString(string name) => this[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    public string? String(string name) => ToScalarString(this[name]);

    public int Int(string name) => ToInt(this[name]);

    public JsonObject? Object(string name) => this[name] as JsonObject;

    /// <summary>A JSON array, a PHP array (object with index keys) or a single scalar, as a list.</summary>
    public IReadOnlyList<JsonNode?> List(string name) => AsList(this[name]);

    public bool IsList(string name) => this[name] is JsonArray or JsonObject;

    public static IReadOnlyList<JsonNode?> AsList(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.ToList(),
        JsonObject obj => obj.Select(p => p.Value).ToList(),
        _ => [node],
    };

    public static string? ToScalarString(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "1",
            JsonValueKind.False => "",
            JsonValueKind.Number => value.ToJsonString(),
            _ => null,
        };
    }

    public static int ToInt(JsonNode? node)
    {
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.True: return 1;
                case JsonValueKind.Number:
                    return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                        ? (int)Math.Clamp(Math.Truncate(d), int.MinValue, int.MaxValue) : 0;
                case JsonValueKind.String: return LeadingInt(value.GetValue<string>());
            }
        }
        return 0;
    }

    /// <summary>PHP's string-to-int: the leading integer, 0 when there is none.</summary>
    private static int LeadingInt(string s)
    {
        s = s.TrimStart();
        var end = 0;
        if (end < s.Length && (s[end] == '-' || s[end] == '+')) end++;
        while (end < s.Length && char.IsAsciiDigit(s[end])) end++;
        return long.TryParse(s.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : 0;
    }

    /// <summary>PHP's own boolean reading (<c>"false"</c> and <c>"N"</c> are true).</summary>
    public static bool IsTruthyPhp(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.String => v.GetValue<string>() is not ("" or "0"),
            JsonValueKind.Number => double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d != 0,
            _ => false,
        },
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        _ => false,
    };

    /// <summary>PHP truthiness for flags such as <c>halt</c> or meeting options.</summary>
    public static bool IsTruthy(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is not ("" or "0" or "false" or "N" or "n"),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => ToInt(v) != 0,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        _ => false,
    };
}
