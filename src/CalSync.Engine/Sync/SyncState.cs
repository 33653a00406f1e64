using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>One joined pair: an Outlook item and its Bitrix24 counterpart, as they were after the last write.</summary>
public sealed record Link : IJsonOnDeserialized
{
    /// <summary>
    /// Read from the state file: equal strings of the link become one instance (a hash version is almost always the
    /// version, and a pair in sync often has one hash on both sides), while the copies are still young garbage.
    /// At 50,000 links that is ~10 MB less held for the whole run.
    /// </summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        if (OutlookHashVersion is not null && OutlookHashVersion == OutlookVersion) OutlookHashVersion = OutlookVersion;
        if (Bitrix24HashVersion is not null && Bitrix24HashVersion == Bitrix24Version) Bitrix24HashVersion = Bitrix24Version;
        if (Bitrix24Hash == OutlookHash) Bitrix24Hash = OutlookHash;
    }

    public string OutlookId { get; set; } = "";
    public string Bitrix24Id { get; set; } = "";
    public string? OutlookVersion { get; set; }
    public string? Bitrix24Version { get; set; }
    /// <summary>Hash of the Outlook item's mapped projection when last in sync.</summary>
    public string OutlookHash { get; set; } = "";
    public string Bitrix24Hash { get; set; } = "";
    /// <summary>
    /// The version whose projection <see cref="OutlookHash"/> is, as last read (under the state's <see cref="SyncState.ViewFingerprint"/>):
    /// an item still at this version is not projected again. Null until a run has read and projected it.
    /// </summary>
    public string? OutlookHashVersion { get; set; }
    public string? Bitrix24HashVersion { get; set; }
    /// <summary>
    /// The side holding the original when CalSync made the other item as its copy; null for two matched originals and for
    /// links older than this field. A write to an original carries only what the mapping carries back.
    /// </summary>
    public Model.Side? Origin { get; set; }
    /// <summary>
    /// The mapping fingerprint the pair was last made under, kept only when it is not the state's: the pair was beyond
    /// the window when the mapping changed, and is made again under the new one when it comes back. Null otherwise.
    /// </summary>
    public string? Fingerprint { get; set; }
    /// <summary>Start and end (UTC) of the pair when last seen: decides whether it left the window.</summary>
    public DateTime StartUtc { get; set; }
    public DateTime EndUtc { get; set; }
}

public enum UnlinkedReason
{
    /// <summary>Present when the sync started with InitialMerge None (or outside the merge direction): synced once it changes.</summary>
    Baseline,
    /// <summary>A copy left behind (allow-delete off, or its source was filtered out): never synced again.</summary>
    Detached,
}

/// <summary>An item CalSync knows and deliberately leaves alone.</summary>
public sealed record UnlinkedItem(Model.Side Side, string Id, string Hash, UnlinkedReason Reason);

/// <summary>A create that was about to be sent: if the run dies before saving, the next run finds the copy instead of making a second one.</summary>
public sealed record JournalEntry
{
    public Model.Side TargetSide { get; set; }
    public string SourceId { get; set; } = "";
    public string OriginStamp { get; set; } = "";
    public string TransactionId { get; set; } = "";
    /// <summary>Start, end, all-day and normalised title of the copy (how a copy without a stamp is found).</summary>
    public string MatchKey { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

/// <summary>An item that failed last run (proceed-on-error): retried next run.</summary>
public sealed record FailedItem(Model.Side Side, string Id, string Reason, int Attempts);

/// <summary>
/// A removal of copies (Remove-CalSyncCopy) that started deleting and has not finished: the copies still to delete, by
/// id. Saved before the first delete, with their links already gone, so a run killed at any point is finished by the next
/// Remove-CalSyncCopy and no Start-CalSync takes a copy deleted meanwhile for a deletion to follow (on its original).
/// </summary>
public sealed record PendingRemoval
{
    /// <summary>The sides whose copies go (both: the state is forgotten once done).</summary>
    public IReadOnlyList<Model.Side> Sides { get; set; } = Array.Empty<Model.Side>();
    public IReadOnlyList<RemovalTarget> Targets { get; set; } = Array.Empty<RemovalTarget>();
    public DateTimeOffset At { get; set; }
}

/// <summary>One copy a removal deletes.</summary>
public sealed record RemovalTarget(Model.Side Side, string Id);

/// <summary>The link state of one sync (<c>state/&lt;name&gt;.json</c>).</summary>
public sealed record SyncState
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;
    /// <summary>False until the first run completed: the initial merge mode applies while false.</summary>
    public bool Initialized { get; set; }
    /// <summary>The text part of each side's read cursor (<see cref="Sides.SideCursor.Text"/>).</summary>
    public string? OutlookCursor { get; set; }
    public string? Bitrix24Cursor { get; set; }
    /// <summary>
    /// The file (in the state directory, named by the content's hash) that holds the binary part of the side's cursor
    /// (<see cref="OutlookCursorData"/>). Set by the store when it saves; null when the cursor has no binary part.
    /// </summary>
    public string? OutlookCursorFile { get; set; }
    public string? Bitrix24CursorFile { get; set; }
    /// <summary>The binary part of the side's cursor (<see cref="Sides.SideCursor.Data"/>): loaded from and saved to <see cref="OutlookCursorFile"/>, never inside this file.</summary>
    [JsonIgnore] public byte[]? OutlookCursorData { get; set; }
    [JsonIgnore] public byte[]? Bitrix24CursorData { get; set; }
    /// <summary>What the store could not load (a cursor file missing or damaged: that side is read in full), in words, for the run's log.</summary>
    [JsonIgnore] public IReadOnlyList<string> LoadWarnings { get; set; } = Array.Empty<string>();
    /// <summary>The mapping and projection code the links' hash versions were projected with (<see cref="Mapping.Projector.Fingerprint"/>).</summary>
    public string? ViewFingerprint { get; set; }
    public IReadOnlyList<Link> Links { get; set; } = Array.Empty<Link>();
    public IReadOnlyList<UnlinkedItem> Unlinked { get; set; } = Array.Empty<UnlinkedItem>();
    public IReadOnlyList<JournalEntry> Journal { get; set; } = Array.Empty<JournalEntry>();
    public IReadOnlyList<FailedItem> Failed { get; set; } = Array.Empty<FailedItem>();
    public DateTimeOffset? LastRun { get; set; }
    /// <summary>An initial merge that was asked for but has not completed yet: the next run continues it.</summary>
    public InitialMerge? PendingMerge { get; set; }
    /// <summary>A removal of copies that has not finished: runs refuse until Remove-CalSyncCopy finishes it.</summary>
    public PendingRemoval? PendingRemoval { get; set; }

    /// <summary>The side's cursor as the side reads it.</summary>
    public SideCursor CursorOf(Model.Side side) => side == Model.Side.Outlook
        ? new SideCursor(OutlookCursor, OutlookCursorData)
        : new SideCursor(Bitrix24Cursor, Bitrix24CursorData);

    /// <summary>This state with the cursors the sides handed back.</summary>
    public SyncState WithCursors(SideCursor? outlook, SideCursor? bitrix24) => this with
    {
        OutlookCursor = outlook?.Text, OutlookCursorData = outlook?.Data,
        Bitrix24Cursor = bitrix24?.Text, Bitrix24CursorData = bitrix24?.Data,
    };
}
