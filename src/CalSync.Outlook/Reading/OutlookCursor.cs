using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using CalSync.Engine.Sides;
using CalSync.Outlook.Wire;

namespace CalSync.Outlook.Reading;

/// <summary>
/// What the Outlook side keeps between runs in the engine's cursor: the delta link, the window and calendar it belongs
/// to, when the last full pass ran, and the snapshot of the window (calendarView items and series masters) that the
/// next delta round is applied to. v4: the small header, gzip-compressed and base64-encoded, is the cursor's text (kept
/// in the state file; it changes every run: a new delta link); the snapshot is the cursor's data, gzip bytes that the
/// store keeps in a file of its own, changed only when the round changed something: a round that changed nothing hands
/// back the array it was given. Both in the compact binary form of <see cref="CursorCodec"/>. v3 (the same parts, both
/// base64 in the text), v2 and v1 (JSON) are still read and written as v4 from then on.
/// </summary>
internal sealed class OutlookCursor
{
    private const string Prefix = "calsync.outlook.v4:";
    /// <summary>Binary header and snapshot, both base64 inside the text: still read.</summary>
    private const string PrefixV3 = "calsync.outlook.v3:";
    /// <summary>JSON header and snapshot: still read.</summary>
    private const string PrefixV2 = "calsync.outlook.v2:";
    /// <summary>The earliest format (JSON, header and snapshot in one part): still read.</summary>
    private const string PrefixV1 = "calsync.outlook.v1:";

    public DateTime WindowStartUtc { get; set; }
    public DateTime WindowEndUtc { get; set; }
    public string? CalendarId { get; set; }
    public string? DeltaLink { get; set; }
    public DateTime FullPassUtc { get; set; }
    /// <summary>The mailbox (endpoint and account) the cursor belongs to; a cursor of another one is never used.</summary>
    public string? Mailbox { get; set; }
    /// <summary>The calendar has no delta: it is read through its calendar view (asked once, on the first read).</summary>
    public bool DeltaRefused { get; set; }
    [JsonIgnore] public Dictionary<string, StoredItem> Items { get; set; } = new(StringComparer.Ordinal);
    [JsonIgnore] public Dictionary<string, StoredItem> Masters { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The snapshot part as it was read (null for a new cursor, or one read from an earlier format).</summary>
    [JsonIgnore] public byte[]? EncodedSnapshot { get; set; }

    private sealed class Snapshot
    {
        public Dictionary<string, StoredItem>? Items { get; set; }
        public Dictionary<string, StoredItem>? Masters { get; set; }
    }

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <param name="snapshot">The snapshot part to write; null: encode <see cref="Items"/> and <see cref="Masters"/>.</param>
    public SideCursor Encode(byte[]? snapshot = null) =>
        new(Prefix + CursorCodec.Pack(w => CursorCodec.WriteHeader(w, this)),
            snapshot ?? CursorCodec.PackBytes(w => CursorCodec.WriteSnapshot(w, Items, Masters)));

    /// <summary>An earlier JSON part.</summary>
    private static T? UnpackJson<T>(string base64)
    {
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(base64)), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return JsonSerializer.Deserialize<T>(new ReadOnlySpan<byte>(plain.GetBuffer(), 0, (int)plain.Length), Json);
    }

    /// <summary>Null when the text is absent, not ours, or unreadable (the next read is then a full pass).</summary>
    public static OutlookCursor? TryDecode(SideCursor? stored)
    {
        var text = stored?.Text;
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            if (text!.StartsWith(Prefix, StringComparison.Ordinal))
            {
                // The snapshot is lost (its file missing or damaged): a full pass.
                if (stored!.Data is not { } data) return null;
                var cursor = new OutlookCursor();
                CursorCodec.Unpack(text.Substring(Prefix.Length), r => CursorCodec.ReadHeader(r, cursor));
                CursorCodec.Unpack(data, r => CursorCodec.ReadSnapshot(r, cursor.Items, cursor.Masters));
                cursor.EncodedSnapshot = data;
                return cursor;
            }
            if (text.StartsWith(PrefixV3, StringComparison.Ordinal))
            {
                // Written before v4 (the snapshot as base64 inside the state file): read once, then saved as v4.
                var dot = text.IndexOf('.', PrefixV3.Length); // not a base64 character
                if (dot < 0) return null;
                var cursor = new OutlookCursor();
                CursorCodec.Unpack(text.Substring(PrefixV3.Length, dot - PrefixV3.Length), r => CursorCodec.ReadHeader(r, cursor));
                CursorCodec.Unpack(Convert.FromBase64String(text.Substring(dot + 1)), r => CursorCodec.ReadSnapshot(r, cursor.Items, cursor.Masters));
                return cursor;
            }
            OutlookCursor? old;
            Snapshot? snapshot;
            if (text.StartsWith(PrefixV2, StringComparison.Ordinal))
            {
                var dot = text.IndexOf('.', PrefixV2.Length);
                if (dot < 0) return null;
                old = UnpackJson<OutlookCursor>(text.Substring(PrefixV2.Length, dot - PrefixV2.Length));
                snapshot = UnpackJson<Snapshot>(text.Substring(dot + 1));
            }
            else if (text.StartsWith(PrefixV1, StringComparison.Ordinal))
            {
                var whole = text.Substring(PrefixV1.Length);
                old = UnpackJson<OutlookCursor>(whole);
                snapshot = UnpackJson<Snapshot>(whole);
            }
            else return null;
            if (old is null || snapshot is null) return null;
            old.Items = new Dictionary<string, StoredItem>(snapshot.Items ?? new(), StringComparer.Ordinal);
            old.Masters = new Dictionary<string, StoredItem>(snapshot.Masters ?? new(), StringComparer.Ordinal);
            return old;
        }
        catch (Exception ex) when (ex is FormatException || ex is InvalidDataException || ex is JsonException || ex is NotSupportedException
                                   || ex is EndOfStreamException || ex is ArgumentException)
        {
            return null;
        }
    }
}
