using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// PHP <c>parse_str</c>: form bodies, query strings and batch command strings are all decoded this way
/// (docs/bitrix24-api.md, "Transport: routes and parameters", "Batch"). <c>a[b]=c</c> nests, <c>arr[]=x</c> appends, <c>+</c> becomes a space, later keys win.
/// PHP arrays become <see cref="JsonObject"/>s with string keys ("0", "1", ...); readers treat them as lists.
/// </summary>
internal static class PhpQuery
{
    public static JsonObject Parse(string? query, JsonObject? into = null)
    {
        var root = into ?? new JsonObject();
        if (string.IsNullOrEmpty(query)) return root;
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0) continue;
            var eq = pair.IndexOf('=');
            var key = WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]);
            var value = WebUtility.UrlDecode(eq < 0 ? "" : pair[(eq + 1)..]);
            Assign(root, key, value);
        }
        return root;
    }

    private static void Assign(JsonObject root, string key, string value)
    {
        key = key.TrimStart(' ');
        var (baseName, segments) = SplitKey(key);
        // PHP turns dots and spaces in top-level names into underscores.
        baseName = baseName.Replace('.', '_').Replace(' ', '_');
        if (baseName.Length == 0) return;

        var container = root;
        var current = baseName;
        foreach (var segment in segments)
        {
            if (container[current] is not JsonObject child)
            {
                child = new JsonObject();
                container[current] = child;
            }
            current = segment.Length == 0 ? NextIndex(child) : segment;
            container = child;
        }
        container[current] = JsonValue.Create(value);
    }

    private static (string BaseName, List<string> Segments) SplitKey(string key)
    {
        var segments = new List<string>();
        var open = key.IndexOf('[');
        if (open <= 0 || key.IndexOf(']', open) < 0) return (key, segments);
        var position = open;
        while (position < key.Length && key[position] == '[')
        {
            var close = key.IndexOf(']', position + 1);
            if (close < 0) break;
            segments.Add(key[(position + 1)..close]);
            position = close + 1;
        }
        return (key[..open], segments);
    }

    private static string NextIndex(JsonObject array)
    {
        var next = 0L;
        foreach (var (k, _) in array)
            if (long.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= next) next = n + 1;
        return next.ToString(CultureInfo.InvariantCulture);
    }
}
