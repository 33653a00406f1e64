using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Turns a parameter tree (dictionaries, lists, scalars) into a <c>batch</c> command string
/// <c>method?a=1&amp;b[]=x&amp;c[k]=y</c>. The server parses it with PHP <c>parse_str</c>, which URL-decodes
/// and turns a literal <c>+</c> into a space, so every value is percent-encoded (<c>+</c> → <c>%2B</c>).
/// </summary>
public static class CommandEncoder
{
    public static string Encode(string method, IEnumerable<KeyValuePair<string, object?>> parameters)
    {
        var sb = new StringBuilder(method);
        var first = true;
        foreach (var pair in parameters) Append(sb, EscapeName(pair.Key), pair.Value, ref first);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string name, object? value, ref bool first)
    {
        switch (value)
        {
            case null:
                return;
            case IDictionary<string, object?> map:
                foreach (var pair in map) Append(sb, name + "[" + EscapeName(pair.Key) + "]", pair.Value, ref first);
                return;
            case string s:
                Write(sb, name, s, ref first);
                return;
            case BatchReference r:
                sb.Append(first ? '?' : '&').Append(name).Append('=').Append(r.Expression);
                first = false;
                return;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    var nested = item is IDictionary<string, object?> || (item is IEnumerable && item is not string);
                    Append(sb, nested ? name + "[" + index.ToString(CultureInfo.InvariantCulture) + "]" : name + "[]", item, ref first);
                    index++;
                }
                return;
            case bool b:
                Write(sb, name, b ? "1" : "0", ref first);
                return;
            case IFormattable f:
                Write(sb, name, f.ToString(null, CultureInfo.InvariantCulture), ref first);
                return;
            default:
                Write(sb, name, value.ToString() ?? "", ref first);
                return;
        }
    }

    private static void Write(StringBuilder sb, string name, string value, ref bool first)
    {
        sb.Append(first ? '?' : '&').Append(name).Append('=').Append(EscapeValue(value));
        first = false;
    }

    /// <summary>RFC 3986 escaping of a value: everything but unreserved characters, so '+', '&amp;', '=', '#', '[' are all escaped.</summary>
    public static string EscapeValue(string value)
    {
        var escaped = Uri.EscapeDataString(value);
        // netstandard2.0's EscapeDataString leaves these sub-delims alone on some runtimes; parse_str treats them literally
        // except '+', but escape them all for a stable wire form.
        return escaped.Replace("+", "%2B").Replace("!", "%21").Replace("'", "%27").Replace("(", "%28").Replace(")", "%29").Replace("*", "%2A");
    }

    private static string EscapeName(string name) => Uri.EscapeDataString(name);
}

/// <summary>A <c>$result[key]</c> reference to an earlier command of the same batch (sent unescaped).</summary>
public sealed record BatchReference(string Expression)
{
    public static BatchReference Result(string key) => new("$result[" + key + "]");
}
