using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CalSync.Outlook.Mapping;

namespace CalSync.Outlook.Reading;

/// <summary>
/// What the Outlook side keeps between runs inside the engine's cursor string: the delta link, the window and
/// calendar it belongs to, when the last full pass ran, and the snapshot of the window (calendarView items and
/// series masters) that the next delta round is applied to. Stored gzip-compressed and base64-encoded.
/// </summary>
internal sealed class ReadCursor
{
    private const string Prefix = "calsync.outlook.v1:";

    public DateTime WindowStartUtc { get; set; }
    public DateTime WindowEndUtc { get; set; }
    public string? CalendarId { get; set; }
    public string? DeltaLink { get; set; }
    public DateTime FullPassUtc { get; set; }
    public Dictionary<string, StoredItem> Items { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, StoredItem> Masters { get; set; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public string Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        using var buffer = new MemoryStream();
        // Written on every run (a new delta link each round): Fastest costs a fraction of Optimal's CPU for ~15% more bytes.
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(json, 0, json.Length);
        return Prefix + Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>Null when the text is absent, not ours, or unreadable (the next read is then a full pass).</summary>
    public static ReadCursor? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text!.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            var bytes = Convert.FromBase64String(text.Substring(Prefix.Length));
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream();
            gzip.CopyTo(plain);
            var cursor = JsonSerializer.Deserialize<ReadCursor>(new ReadOnlySpan<byte>(plain.GetBuffer(), 0, (int)plain.Length), Json);
            if (cursor is null) return null;
            cursor.Items = new Dictionary<string, StoredItem>(cursor.Items ?? new(), StringComparer.Ordinal);
            cursor.Masters = new Dictionary<string, StoredItem>(cursor.Masters ?? new(), StringComparer.Ordinal);
            return cursor;
        }
        catch (Exception ex) when (ex is FormatException || ex is InvalidDataException || ex is JsonException || ex is NotSupportedException)
        {
            return null;
        }
    }
}
