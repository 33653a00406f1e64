using System;
using System.Collections.Generic;
using CalEvent = CalSync.Engine.Model.CalEvent;
using Side = CalSync.Engine.Model.Side;
using CalSync.Engine.Model;

namespace CalSync.PowerShell;

/// <summary>What a mapping profile does to one meeting: whether it is synced, what travels, and the copy.</summary>
public sealed class CalSyncMappingPreview
{
    internal CalSyncMappingPreview(string mapping, Side from, CalEvent source, bool synced, IReadOnlyDictionary<string, string> view, CalEvent? copy)
    {
        Mapping = mapping; From = EnumMap.To<CalendarSide>(from); To = EnumMap.To<CalendarSide>(from.Other()); Title = source.Title; Start = source.Start.Display(); End = source.End.Display();
        Synced = synced; View = view;
        if (copy is null) return;
        CopyTitle = copy.Title; CopyDescription = copy.Description; CopyLocation = copy.Location; CopyShowAs = EnumMap.To<ShowAs>(copy.ShowAs);
        CopySensitivity = EnumMap.To<Sensitivity>(copy.Sensitivity); CopyReminderMinutes = copy.ReminderMinutes; CopyAttendees = copy.Attendees.Count;
        CopyCategories = string.Join(", ", copy.Categories);
    }

    public string Mapping { get; }
    /// <summary>The side the meeting is on.</summary>
    public CalendarSide From { get; }
    /// <summary>The side the copy would be written to.</summary>
    public CalendarSide To { get; }
    public string Title { get; }
    public string Start { get; }
    public string End { get; }
    /// <summary>False when the profile's filters leave the meeting out.</summary>
    public bool Synced { get; }
    /// <summary>The fields that travel, as the sync compares them.</summary>
    public IReadOnlyDictionary<string, string> View { get; }
    public string? CopyTitle { get; }
    public string? CopyDescription { get; }
    public string? CopyLocation { get; }
    public ShowAs? CopyShowAs { get; }
    public Sensitivity? CopySensitivity { get; }
    public int? CopyReminderMinutes { get; }
    public int CopyAttendees { get; }
    public string? CopyCategories { get; }
}
