using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text.Json;

namespace CalSync.Bitrix24.Reading;

/// <summary>
/// The window split for change-proportional reads (docs/architecture.md, "Bitrix24 reads: hot and far"): the hot
/// range (yesterday to <see cref="Bitrix24ConnectionOptions.HotDays"/> ahead) is read every run; the rest of the
/// window, the far range, is read when due and kept between runs as the answers Bitrix24 gave (<see cref="FarCache"/>).
/// </summary>
internal readonly record struct ReadRanges(DateTime ReadFrom, DateTime ReadTo, DateTime HotFrom, DateTime HotTo)
{
    public static ReadRanges For(DateTime readFrom, DateTime readTo, DateTime todayUtc, int hotDays)
    {
        var hotFrom = todayUtc.AddDays(-1);
        var hotTo = todayUtc.AddDays(hotDays);
        if (hotFrom < readFrom) hotFrom = readFrom;
        if (hotTo > readTo) hotTo = readTo;
        return new ReadRanges(readFrom, readTo, hotFrom, hotTo);
    }

    /// <summary>False when the hot range is the whole read range (or empty): then there is nothing to keep.</summary>
    public bool HasFar => HotFrom <= HotTo && (HotFrom > ReadFrom || HotTo < ReadTo);

    /// <summary>The date ranges outside the hot range.</summary>
    public IEnumerable<(DateTime From, DateTime To)> Far()
    {
        if (HotFrom > ReadFrom) yield return (ReadFrom, HotFrom.AddDays(-1));
        if (HotTo < ReadTo) yield return (HotTo.AddDays(1), ReadTo);
    }
}

/// <summary>
/// What the last far read saw, kept in the side's cursor data between runs: the far range's <c>calendar.event.get</c>
/// answers as Bitrix24 sent them, when they were read, and the ID and VERSION of every hot row of the last run (a hot
/// row gone or changed in a way that may have left the hot range makes the next run read the far range too).
/// Damage of any kind reads as no cache: the run then reads the whole window.
/// </summary>
internal sealed class FarCache
{
    public ReadRanges Ranges { get; init; }
    public string SectionId { get; init; } = "";
    public DateTime ReadAtUtc { get; init; }
    public IReadOnlyList<string> Answers { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, string> HotVersions { get; init; } = new Dictionary<string, string>();

    /// <summary>The bytes this cache was decoded from: handed back unchanged when nothing in it changed (the store then writes nothing).</summary>
    public byte[]? Bytes { get; private init; }

    public bool SameHot(IReadOnlyDictionary<string, string> hot)
    {
        if (hot.Count != HotVersions.Count) return false;
        foreach (var pair in hot)
            if (!HotVersions.TryGetValue(pair.Key, out var v) || v != pair.Value) return false;
        return true;
    }

    private const int Schema = 1;

    public byte[] Encode()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new Utf8JsonWriter(gzip))
        {
            w.WriteStartObject();
            w.WriteNumber("v", Schema);
            w.WriteString("section", SectionId);
            w.WriteString("readFrom", Ranges.ReadFrom);
            w.WriteString("readTo", Ranges.ReadTo);
            w.WriteString("hotFrom", Ranges.HotFrom);
            w.WriteString("hotTo", Ranges.HotTo);
            w.WriteString("readAt", ReadAtUtc);
            w.WriteStartArray("answers");
            foreach (var a in Answers) w.WriteRawValue(a, skipInputValidation: true);
            w.WriteEndArray();
            w.WriteStartObject("hot");
            foreach (var pair in HotVersions) w.WriteString(pair.Key, pair.Value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static FarCache? Decode(byte[]? data)
    {
        if (data is null || data.Length == 0) return null;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data, writable: false), CompressionMode.Decompress);
            using var doc = JsonDocument.Parse(gzip);
            var root = doc.RootElement;
            if (root.GetProperty("v").GetInt32() != Schema) return null;
            var answers = new List<string>();
            foreach (var a in root.GetProperty("answers").EnumerateArray()) answers.Add(a.GetRawText());
            var hot = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in root.GetProperty("hot").EnumerateObject()) hot[p.Name] = p.Value.GetString() ?? "";
            return new FarCache
            {
                SectionId = root.GetProperty("section").GetString() ?? "",
                Ranges = new ReadRanges(root.GetProperty("readFrom").GetDateTime(), root.GetProperty("readTo").GetDateTime(),
                    root.GetProperty("hotFrom").GetDateTime(), root.GetProperty("hotTo").GetDateTime()),
                ReadAtUtc = DateTime.SpecifyKind(root.GetProperty("readAt").GetDateTime(), DateTimeKind.Utc),
                Answers = answers,
                HotVersions = hot,
                Bytes = data,
            };
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
