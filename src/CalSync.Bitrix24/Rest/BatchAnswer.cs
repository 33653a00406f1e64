using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using CalSync.Bitrix24.Mapping;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Reads a <c>batch</c> answer in one pass: the results of row commands (event lists, megabytes in a window read)
/// become <see cref="EventRow"/>s as they are read and stand as <c>[]</c> in the envelope; everything else (errors,
/// totals, times, other results: small) is kept as it came, in a small document of its own.
/// </summary>
internal static class BatchAnswer
{
    /// <exception cref="JsonException">The answer is not JSON (as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> would refuse it).</exception>
    public static (JsonElement Envelope, Dictionary<string, List<EventRow>> Rows) Read(ReadOnlySpan<byte> json, Func<string, bool> rowKeys)
    {
        var rows = new Dictionary<string, List<EventRow>>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            if (!reader.Read()) throw new JsonException("The answer is empty.");
            CopyObject(ref reader, writer, depth: 0, rowKeys, rows);
            writer.Flush();
        }
        if (reader.Read()) throw new JsonException("The answer goes on after its value.");
        var document = JsonDocument.Parse(output.ToArray());
        return (document.RootElement, rows);
    }

    /// <summary>
    /// Copies the value at the reader; descends into the answer's <c>result</c> and that one's <c>result</c> (the
    /// map of results by command key, an object or PHP's <c>[]</c>), where row commands are read as rows.
    /// </summary>
    private static void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer, int depth, Func<string, bool> rowKeys, Dictionary<string, List<EventRow>> rows)
    {
        if (depth == 2 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            CopyResults(ref reader, writer, rowKeys, rows);
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            JsonElement.ParseValue(ref reader).WriteTo(writer);
            return;
        }
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            writer.WritePropertyName(name);
            reader.Read();
            if (name == "result") CopyObject(ref reader, writer, depth + 1, rowKeys, rows);
            else JsonElement.ParseValue(ref reader).WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static void CopyResults(ref Utf8JsonReader reader, Utf8JsonWriter writer, Func<string, bool> rowKeys, Dictionary<string, List<EventRow>> rows)
    {
        var isArray = reader.TokenType == JsonTokenType.StartArray;
        if (isArray) writer.WriteStartArray();
        else writer.WriteStartObject();
        var index = 0;
        while (reader.Read() && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
        {
            // As Json.MapEntries: an array's entries are keyed by their position.
            string key;
            if (isArray)
            {
                key = (index++).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                key = reader.GetString()!;
                writer.WritePropertyName(key);
                reader.Read();
            }
            if (rowKeys(key) && reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                rows[key] = ReadRows(ref reader);
                writer.WriteStartArray();
                writer.WriteEndArray();
            }
            else
            {
                JsonElement.ParseValue(ref reader).WriteTo(writer);
            }
        }
        if (isArray) writer.WriteEndArray();
        else writer.WriteEndObject();
    }

    /// <summary>As <see cref="Json.Items"/> then <see cref="EventRow.Parse"/>: a list, or a map whose values are the rows.</summary>
    private static List<EventRow> ReadRows(ref Utf8JsonReader reader)
    {
        var list = new List<EventRow>();
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        while (reader.Read() && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
        {
            if (isObject) reader.Read(); // the map's key
            list.Add(EventRow.Read(ref reader));
        }
        return list;
    }
}
