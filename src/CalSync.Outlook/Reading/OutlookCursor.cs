using System;
using System.Collections.Generic;
using System.IO;
using CalSync.Engine.Sides;
using CalSync.Outlook.Wire;

namespace CalSync.Outlook.Reading;

/// <summary>
/// What the Outlook side keeps between runs in the engine's cursor: the delta link, the window and calendar it belongs
/// to, when the last full pass ran, and the snapshot of the window (calendarView items and series masters) that the
/// next delta round is applied to. The small header, gzip-compressed and base64-encoded, is the cursor's text (kept in
/// the state file; it changes every run: a new delta link); the snapshot is the cursor's data, gzip bytes that the
/// store keeps in a file of its own, changed only when the round changed something: a round that changed nothing hands
/// back the array it was given. Both in the compact binary form of <see cref="CursorCodec"/>. A cursor in any other
/// form (or damaged, or without its data) is not read: the next read is one full pass.
/// </summary>
internal sealed class OutlookCursor
{
    private const string Prefix = "calsync.outlook.v4:";

    public DateTime WindowStartUtc { get; set; }
    public DateTime WindowEndUtc { get; set; }
    public string? CalendarId { get; set; }
    public string? DeltaLink { get; set; }
    public DateTime FullPassUtc { get; set; }
    /// <summary>The mailbox (endpoint and account) the cursor belongs to; a cursor of another one is never used.</summary>
    public string? Mailbox { get; set; }
    /// <summary>The calendar has no delta: it is read through its calendar view (asked once, on the first read).</summary>
    public bool DeltaRefused { get; set; }
    public Dictionary<string, StoredItem> Items { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, StoredItem> Masters { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The snapshot part as it was read (null for a new cursor).</summary>
    public byte[]? EncodedSnapshot { get; set; }

    /// <param name="snapshot">The snapshot part to write; null: encode <see cref="Items"/> and <see cref="Masters"/>.</param>
    public SideCursor Encode(byte[]? snapshot = null) =>
        new(Prefix + CursorCodec.Pack(w => CursorCodec.WriteHeader(w, this)),
            snapshot ?? CursorCodec.PackBytes(w => CursorCodec.WriteSnapshot(w, Items, Masters)));

    /// <summary>Null when the cursor is absent, not ours, in another form, lost its data or is damaged (the next read is then a full pass).</summary>
    public static OutlookCursor? TryDecode(SideCursor? stored)
    {
        var text = stored?.Text;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal) || stored!.Data is not { } data) return null;
        try
        {
            var cursor = new OutlookCursor();
            CursorCodec.Unpack(text.Substring(Prefix.Length), r => CursorCodec.ReadHeader(r, cursor));
            CursorCodec.Unpack(data, r => CursorCodec.ReadSnapshot(r, cursor.Items, cursor.Masters));
            cursor.EncodedSnapshot = data;
            return cursor;
        }
        catch (Exception ex) when (ex is FormatException || ex is InvalidDataException || ex is EndOfStreamException || ex is ArgumentException)
        {
            return null;
        }
    }
}
