using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CalSync.Bitrix24;

/// <summary>
/// What a read leaves for the next one: the resolved section, series definitions read with getbyid (by ID and
/// VERSION) and masters that were needed for exceptions seen without their series (fetched in the first batch next time).
/// </summary>
internal sealed class ReadCursor
{
    [JsonPropertyName("v")] public int SchemaVersion { get; set; } = 1;
    [JsonPropertyName("sectionId")] public string? SectionId { get; set; }
    /// <summary>The configured section name or id this section was resolved from.</summary>
    [JsonPropertyName("sectionFrom")] public string? SectionFrom { get; set; }
    [JsonPropertyName("masters")] public Dictionary<string, CachedMaster> Masters { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("orphans")] public List<string> Orphans { get; set; } = new();

    public static ReadCursor Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new ReadCursor();
        try
        {
            var cursor = JsonSerializer.Deserialize<ReadCursor>(text!);
            return cursor is { SchemaVersion: 1 } ? cursor : new ReadCursor();
        }
        catch (JsonException)
        {
            return new ReadCursor();
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this);
}

internal sealed class CachedMaster
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("row")] public string Row { get; set; } = "";
}
