using System;
using System.Collections.Generic;

namespace CalSync.Engine.Model;

public enum AttendeeResponse { None, Accepted, Tentative, Declined }

public sealed record Attendee(string Name, string Email, bool Required = true, AttendeeResponse Response = AttendeeResponse.None);

/// <summary>
/// Someone else's meeting the user is invited to, as their side holds it (a Bitrix24 attendee's own row): CalSync copies
/// it, but on its own side only answers it, never edits or deletes it (docs/bitrix24-api.md, "Invitations").
/// </summary>
public sealed record Invitation(string Organizer, AttendeeResponse Response);

/// <summary>
/// The one canonical meeting both connectors read into and write from. A series carries its
/// <see cref="Recurrence"/> (with exceptions); one occurrence of a series, when it travels on its own,
/// carries <see cref="SeriesId"/> and <see cref="OriginalDate"/>.
/// </summary>
public sealed record CalEvent
{
    /// <summary>The id on its own side (for an occurrence: see <see cref="OccurrenceKey"/>).</summary>
    public string Id { get; init; } = "";
    /// <summary>The side's change token (Graph changeKey, Bitrix24 VERSION); null when the side has none.</summary>
    public string? Version { get; init; }
    public string Title { get; init; } = "";
    /// <summary>Plain text (connectors convert HTML / BBCode).</summary>
    public string Description { get; init; } = "";
    public string Location { get; init; } = "";
    public EventTime Start { get; init; } = EventTime.AllDay(new DateTime(2000, 1, 1));
    public EventTime End { get; init; } = EventTime.AllDay(new DateTime(2000, 1, 2));
    public ShowAs ShowAs { get; init; } = ShowAs.Busy;
    public Sensitivity Sensitivity { get; init; } = Sensitivity.Normal;
    public Importance Importance { get; init; } = Importance.Normal;
    /// <summary>Minutes before the start; null: no reminder.</summary>
    public int? ReminderMinutes { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = Array.Empty<string>();
    public IReadOnlyList<Attendee> Attendees { get; init; } = Array.Empty<Attendee>();
    public Recurrence? Recurrence { get; init; }
    public DateTimeOffset LastModified { get; init; }
    /// <summary>Set on copies CalSync made: which sync and source item this is a copy of (Outlook only; Bitrix24 has no custom fields).</summary>
    public string? OriginStamp { get; init; }
    /// <summary>For one occurrence travelling on its own: the series it belongs to.</summary>
    public string? SeriesId { get; init; }
    /// <summary>For one occurrence travelling on its own: its original local date in the series.</summary>
    public DateTime? OriginalDate { get; init; }
    /// <summary>Set when this is an invitation to someone else's meeting on its own side.</summary>
    public Invitation? Invitation { get; init; }

    public bool IsAllDay => Start.IsAllDay;
    public bool IsSeries => Recurrence is not null;
}
