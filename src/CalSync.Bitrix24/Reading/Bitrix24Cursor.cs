using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;
using CalSync.Bitrix24.Wire;

namespace CalSync.Bitrix24.Reading;

/// <summary>
/// What a read leaves for the next one: the resolved section, series definitions read with getbyid (by ID and
/// VERSION) and masters that were needed for exceptions seen without their series (fetched in the first batch next time).
/// </summary>
internal sealed class Bitrix24Cursor
{
    [JsonPropertyName("v")] public int SchemaVersion { get; set; } = 1;
    [JsonPropertyName("sectionId")] public string? SectionId { get; set; }
    /// <summary>The configured section name or id this section was resolved from.</summary>
    [JsonPropertyName("sectionFrom")] public string? SectionFrom { get; set; }
    [JsonPropertyName("masters")] public Dictionary<string, CachedMaster> Masters { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("orphans")] public List<string> Orphans { get; set; } = new();

    public static Bitrix24Cursor Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new Bitrix24Cursor();
        try
        {
            var cursor = JsonSerializer.Deserialize(text!, Bitrix24Json.Default.Bitrix24Cursor);
            return cursor is { SchemaVersion: 1 } ? cursor : new Bitrix24Cursor();
        }
        catch (JsonException)
        {
            return new Bitrix24Cursor();
        }
    }

    public string Serialize() => JsonSerializer.Serialize(this, Bitrix24Json.Default.Bitrix24Cursor);
}

internal sealed class CachedMaster
{
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("row")] public string Row { get; set; } = "";
}
