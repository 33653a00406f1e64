namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// A recurrence rule as Bitrix24 stores it (docs/bitrix24-api.md, "RRULE in and out"). <see cref="Until"/> null means "no end"
/// (stored as 2038-01-01); <see cref="ByDay"/> is only kept for WEEKLY (empty expands as Monday).
/// </summary>
public sealed record Bitrix24RecurrenceRule(string Frequency, int Interval, IReadOnlyList<DayOfWeek> ByDay, int? Count, DateOnly? Until);

/// <summary>A reminder: <c>{type: min|hour|day, count}</c>.</summary>
public sealed record Bitrix24Reminder(string Type, int Count);

/// <summary>The MEETING flags set through the <c>meeting</c> parameter.</summary>
public sealed record Bitrix24MeetingOptions(bool Notify, bool Reinvite, bool AllowInvite, bool HideGuests);

/// <summary>A calendar ("section") row.</summary>
public sealed record Bitrix24Section
{
    public required int Id { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public string Color { get; init; } = "#E6A469";
    public string TextColor { get; init; } = "#000000";
    public required string CalType { get; init; }
    public required int OwnerId { get; init; }
    public required int CreatedBy { get; init; }
    public required DateTime CreatedUtc { get; init; }
    public required DateTime ModifiedUtc { get; init; }
    /// <summary><c>local</c> for native calendars; <c>google</c>, <c>office365</c>, <c>caldav</c>, ... for connector-synced ones.</summary>
    public string ExternalType { get; init; } = "local";
    public bool ExportAllow { get; init; } = true;
    public string? ExportSet { get; init; }
    public IReadOnlyDictionary<string, int> Access { get; init; } = new Dictionary<string, int>();
    public bool Active { get; init; } = true;
}

/// <summary>
/// One stored event row, as the stand-in keeps it. Times are wall clock in <see cref="TimeZoneFrom"/> /
/// <see cref="TimeZoneTo"/>; all-day rows have no zones and <see cref="To"/> is the inclusive last day at 00:00.
/// Recurring masters are stored once; <c>calendar.event.get</c> expands them.
/// </summary>
public sealed record Bitrix24Event
{
    public required int Id { get; init; }
    public required int ParentId { get; init; }
    public required string CalType { get; init; }
    public required int OwnerId { get; init; }
    public required int SectionId { get; init; }
    public required int CreatedBy { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required DateTime From { get; init; }
    public required DateTime To { get; init; }
    public string? TimeZoneFrom { get; init; }
    public string? TimeZoneTo { get; init; }
    public bool AllDay { get; init; }
    public Bitrix24RecurrenceRule? RecurrenceRule { get; init; }
    /// <summary>EXDATE: occurrence dates that are skipped.</summary>
    public IReadOnlyList<DateOnly> ExcludedDates { get; init; } = [];
    /// <summary>For exceptions ("this occurrence" edits): the master's ID.</summary>
    public int? RecurrenceId { get; init; }
    /// <summary>For exceptions: the original start of the replaced occurrence (wall clock).</summary>
    public DateTime? OriginalDateFrom { get; init; }
    /// <summary>RELATIONS.ORIGINAL_RECURSION_ID: set on the new series after a <c>next</c> split.</summary>
    public int? OriginalRecursionId { get; init; }
    /// <summary>RELATIONS.COMMENT_XML_ID: <c>EVENT_&lt;masterId&gt;_&lt;date&gt;</c> on exceptions.</summary>
    public string? CommentXmlId { get; init; }
    public required string DavXmlId { get; init; }
    public int Version { get; init; } = 1;
    public required DateTime CreatedUtc { get; init; }
    public required DateTime ModifiedUtc { get; init; }
    public bool Deleted { get; init; }
    public string Accessibility { get; init; } = "busy";
    public string Importance { get; init; } = "normal";
    public bool Private { get; init; }
    public bool IsMeeting { get; init; }
    public required int MeetingHost { get; init; }
    /// <summary>MEETING_STATUS of this row's owner: <c>H</c> host (and every non-meeting row), <c>Q</c> not answered, <c>Y</c>, <c>N</c>.</summary>
    public string MeetingStatus { get; init; } = "H";
    /// <summary>An attendee's own row of someone else's meeting (its <see cref="ParentId"/> is the host's row).</summary>
    public bool IsInvitation => IsMeeting && ParentId != Id;
    public Bitrix24MeetingOptions Meeting { get; init; } = new(false, false, false, false);
    public string Location { get; init; } = "";
    public IReadOnlyList<Bitrix24Reminder> Reminders { get; init; } = [];
    public string Color { get; init; } = "";
    public string TextColor { get; init; } = "";
    /// <summary>Attendee user IDs (the owner is always the first, as host).</summary>
    public IReadOnlyList<int> Attendees { get; init; } = [];
    public IReadOnlyList<string> CrmFields { get; init; } = [];
}
