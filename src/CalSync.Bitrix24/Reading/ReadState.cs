using System;
using System.Collections.Concurrent;
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24.Reading;

/// <summary>
/// What reads learn that writes need: the synced section's id, the rows that hold a series' exceptions (an exception
/// is edited through its own row; a second recurrence_mode=this would split it again) and the dates the last window
/// read covered (occurrence writes outside them look their row up first).
/// </summary>
internal sealed class ReadState(string? sectionId)
{
    public string? SectionId { get; set; } = sectionId;
    public ConcurrentDictionary<(string SeriesId, DateTime Date), (string RowId, string Version)> ExceptionRows { get; } = new();
    public (DateTime From, DateTime To)? ReadRange { get; set; }

    /// <summary>The part of the window the last read read now, when it kept the rest from an earlier read (null: all of it).</summary>
    public SyncWindow? Fresh { get; set; }

    /// <summary>A write of this run reached beyond <see cref="Fresh"/>: the kept far range no longer shows the calendar.</summary>
    public bool WroteBeyondFresh { get; set; }
}
