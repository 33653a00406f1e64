using System;
using System.Collections.Generic;
using CalSync.Engine.Model;

namespace CalSync.Outlook.Wire;

/// <summary>
/// One Graph event as CalSync keeps it between runs (inside the read cursor): what the model needs, already
/// converted (UTC instants, IANA zones, plain-text body). Series masters also carry their pattern and cancelled dates.
/// </summary>
internal sealed class StoredItem
{
    public string Id { get; set; } = "";
    /// <summary>singleInstance, occurrence, exception or seriesMaster.</summary>
    public string Type { get; set; } = "singleInstance";
    public string? SeriesMasterId { get; set; }
    public string? ChangeKey { get; set; }
    /// <summary>A delta occurrence that came without its content (subject etc.): the content is the master's.</summary>
    public bool Thin { get; set; }
    public DateTime? OriginalStartUtc { get; set; }
    public string Subject { get; set; } = "";
    public string Body { get; set; } = "";
    public string Location { get; set; } = "";
    /// <summary>UTC instant, or the date (all-day).</summary>
    public DateTime Start { get; set; }
    public DateTime End { get; set; }
    public string StartZone { get; set; } = Zones.Utc;
    public string EndZone { get; set; } = Zones.Utc;
    public bool IsAllDay { get; set; }
    public bool IsCancelled { get; set; }
    public ShowAs ShowAs { get; set; } = ShowAs.Busy;
    public Sensitivity Sensitivity { get; set; }
    public Importance Importance { get; set; } = Importance.Normal;
    public int? ReminderMinutes { get; set; }
    public List<string> Categories { get; set; } = new();
    public List<StoredAttendee> Attendees { get; set; } = new();
    public DateTimeOffset LastModified { get; set; }
    public StoredRecurrence? Recurrence { get; set; }
    public List<DateTime> CancelledDates { get; set; } = new();
    /// <summary>The origin stamp (single-value extended property); null when the item has none.</summary>
    public string? Stamp { get; set; }
    /// <summary>Whether <see cref="Stamp"/> was read (delta pages cannot carry extended properties).</summary>
    public bool StampKnown { get; set; }

    public bool IsSeriesMember => Type is "occurrence" or "exception";
    public bool IsSingle => !IsSeriesMember && Type != "seriesMaster";
}

internal sealed class StoredAttendee
{
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public bool Required { get; set; } = true;
    public AttendeeResponse Response { get; set; }
}

internal sealed class StoredRecurrence
{
    public RecurrenceKind Kind { get; set; }
    public int Interval { get; set; } = 1;
    public List<DayOfWeek> DaysOfWeek { get; set; } = new();
    public int DayOfMonth { get; set; }
    public int Month { get; set; }
    public WeekIndex Index { get; set; }
    public DayOfWeek FirstDayOfWeek { get; set; }
    public int? Count { get; set; }
    public DateTime? Until { get; set; }
    public string? Zone { get; set; }
}
