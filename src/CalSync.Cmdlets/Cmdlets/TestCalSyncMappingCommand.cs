using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using Side = CalSync.Engine.Model.Side;
using M = CalSync.Engine.Model;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>
/// Shows what a mapping profile does to meetings before any sync runs: for each given meeting (hashtables or objects
/// with Subject, Start, End, ...) or, with -Sample, a set of typical meetings, whether it is synced, the fields that
/// travel and the copy the other side would get. Reads and writes no calendar.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CalSyncMapping", DefaultParameterSetName = BuiltInSet, HelpUri = CalSyncCmdlet.HelpBase + "test-calsyncmapping")]
[OutputType(typeof(CalSyncMappingPreview))]
public sealed class TestCalSyncMappingCommand : CalSyncCmdlet
{
    private const string BuiltInSet = "BuiltIn";
    private const string FileSet = "File";
    private const string SyncSet = "Sync";

    /// <summary>A built-in profile (default: default).</summary>
    [Parameter(ParameterSetName = BuiltInSet, Position = 0)]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    public string Mapping { get; set; } = "default";

    /// <summary>A mapping profile file.</summary>
    [Parameter(ParameterSetName = FileSet, Mandatory = true)]
    public string? MappingPath { get; set; }

    /// <summary>Use the mapping of this sync.</summary>
    [Parameter(ParameterSetName = SyncSet, Mandatory = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    public string? SyncName { get; set; }

    /// <summary>Meetings: hashtables or objects with Subject, Start, End and optionally TimeZone, IsAllDay, Body, Location, ShowAs, Sensitivity, Importance, ReminderMinutes, Categories, Attendees.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject[]? Meeting { get; set; }

    /// <summary>The side the meetings are on (default Outlook).</summary>
    [Parameter]
    public CalendarSide From { get; set; } = CalendarSide.Outlook;

    /// <summary>Also show a set of typical sample meetings (the default when no meeting is given).</summary>
    [Parameter]
    public SwitchParameter Sample { get; set; }

    private Projector? _projector;
    private bool _any;

    protected override void Begin()
    {
        try
        {
            MappingProfile profile;
            if (SyncName is not null)
            {
                var d = Store.Definitions.Get(SyncName) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{SyncName}'.");
                profile = MappingLoader.Resolve(d.Mapping);
            }
            else if (MappingPath is not null) profile = MappingLoader.LoadFile(GetUnresolvedProviderPathFromPSPath(MappingPath));
            else profile = MappingLoader.BuiltIn(SyncSettings.ValidateMapping(Mapping, null, ""));
            _projector = new Projector(profile);
        }
        catch (Exception e) when (Known(e, SyncName ?? MappingPath ?? Mapping) is { } error)
        {
            ThrowTerminatingError(error);
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var item in Meeting ?? Array.Empty<PSObject>())
        {
            _any = true;
            CalEvent e;
            try { e = MeetingReader.Read(item); }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or PSInvalidCastException or UnknownTimeZoneException)
            {
                WriteError(Error(ErrorIds.MeetingInvalid, ErrorCategory.InvalidArgument, item, $"Not a meeting: {ex.Message}", ex));
                continue;
            }
            if (CalSync.Engine.Sync.MeetingValidator.Problem(e) is { } problem)
            {
                // What Start-CalSync would refuse to copy (end before start, control characters, oversized text).
                WriteError(Error(ErrorIds.MeetingInvalid, ErrorCategory.InvalidArgument, item, $"CalSync would not copy the meeting '{CalSync.Engine.Sync.MeetingValidator.Printable(e.Title, 60)}': {problem}."));
                continue;
            }
            WriteObject(Preview(e, EnumMap.To<Side>(From)));
        }
    }

    protected override void EndProcessing()
    {
        if (_any && !Sample) return;
        foreach (var (side, e) in MeetingReader.Samples(DateTime.UtcNow)) WriteObject(Preview(e, side));
    }

    private CalSyncMappingPreview Preview(CalEvent e, Side from)
    {
        var projector = _projector!;
        var synced = projector.IsSynced(e, from);
        var view = projector.View(e, from).Fields;
        var copy = synced ? projector.Apply(e, from, null) : null;
        return new CalSyncMappingPreview(projector.Profile.Name, from, e, synced, view, copy);
    }
}

/// <summary>Reads a meeting from a hashtable or object (for Test-CalSyncMapping), and the sample meetings.</summary>
internal static class MeetingReader
{
    public static CalEvent Read(PSObject item)
    {
        object? Get(params string[] names)
        {
            if (item.BaseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                    if (names.Any(n => string.Equals(entry.Key?.ToString(), n, StringComparison.OrdinalIgnoreCase))) return Unwrap(entry.Value);
                return null;
            }
            foreach (var n in names)
                if (item.Properties[n] is { } p) return Unwrap(p.Value);
            return null;
        }
        static object? Unwrap(object? v) => v is PSObject p ? p.BaseObject : v;
        string Text(params string[] names) => Get(names)?.ToString() ?? "";
        T Enum<T>(T fallback, params string[] names) where T : struct => Get(names) is { } v ? LanguagePrimitives.ConvertTo<T>(v) : fallback;

        var zone = Text("TimeZone", "Zone");
        if (zone.Length == 0) zone = "UTC";
        var allDay = Get("IsAllDay", "AllDay") is { } a && LanguagePrimitives.IsTrue(a);
        var startValue = Get("Start") ?? throw new ArgumentException("a meeting needs a Start");
        var start = Time(startValue, zone, allDay);
        var end = Get("End") is { } endValue ? Time(endValue, zone, allDay) : allDay ? EventTime.AllDay(start.Value.AddDays(1)) : start.Add(TimeSpan.FromHours(1));
        if (end.CompareTo(start) < 0) throw new ArgumentException("the meeting ends before it starts");
        return new CalEvent
        {
            Id = Text("Id") is { Length: > 0 } id ? id : "preview-" + Guid.NewGuid().ToString("N").Substring(0, 8),
            Title = Text("Subject", "Title", "Name"),
            Description = Text("Body", "Description"),
            Location = Text("Location"),
            Start = start,
            End = end,
            ShowAs = Enum(M.ShowAs.Busy, "ShowAs"),
            Sensitivity = Enum(M.Sensitivity.Normal, "Sensitivity"),
            Importance = Enum(M.Importance.Normal, "Importance"),
            ReminderMinutes = Get("ReminderMinutes", "Reminder") is { } r ? LanguagePrimitives.ConvertTo<int>(r) : null,
            Categories = List(Get("Categories")),
            Attendees = List(Get("Attendees")).Select(s => new Attendee(s, s.Contains("@") ? s : "")).ToArray(),
            LastModified = DateTimeOffset.UtcNow,
        };
    }

    private static EventTime Time(object value, string zone, bool allDay)
    {
        if (allDay) return EventTime.AllDay(LanguagePrimitives.ConvertTo<DateTime>(value).Date);
        if (value is DateTimeOffset dto) return EventTime.Timed(dto.UtcDateTime, zone);
        var dt = LanguagePrimitives.ConvertTo<DateTime>(value);
        return dt.Kind == DateTimeKind.Unspecified ? EventTime.FromLocal(dt, zone) : EventTime.Timed(dt.ToUniversalTime(), zone);
    }

    private static IReadOnlyList<string> List(object? value) => value switch
    {
        null => Array.Empty<string>(),
        string s => new[] { s },
        IEnumerable e => e.Cast<object?>().Select(o => (o is PSObject p ? p.BaseObject : o)?.ToString() ?? "").Where(s => s.Length > 0).ToArray(),
        _ => new[] { value.ToString() ?? "" },
    };

    public static IEnumerable<(Side Side, CalEvent Event)> Samples(DateTime nowUtc)
    {
        var day = nowUtc.Date.AddDays(1);
        CalEvent Timed(string title, int hour, int minutes, Action<CalEvent>? _ = null) => new()
        {
            Id = "sample-" + title.GetHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture),
            Title = title,
            Start = EventTime.FromLocal(day.AddHours(hour), "Europe/Berlin"),
            End = EventTime.FromLocal(day.AddHours(hour).AddMinutes(minutes), "Europe/Berlin"),
            LastModified = DateTimeOffset.UtcNow,
        };
        yield return (Side.Outlook, Timed("Therapy – Dr X", 14, 60) with
        {
            Description = "Bring the referral letter.", Location = "Praxis Dr X, Hauptstr. 1", Sensitivity = M.Sensitivity.Private, ReminderMinutes = 15,
            Attendees = new[] { new Attendee("Dr X", "dr.x@example.com"), new Attendee("Sam", "sam@example.com"), new Attendee("Kim", "kim@example.com") },
        });
        yield return (Side.Outlook, Timed("Team stand-up", 9, 15) with { Location = "Teams", Categories = new[] { "Work" }, ReminderMinutes = 5 });
        yield return (Side.Outlook, Timed("Focus time", 10, 120) with { ShowAs = M.ShowAs.Free });
        yield return (Side.Outlook, Timed("Dentist", 16, 45) with { ShowAs = M.ShowAs.Oof, Categories = new[] { "Private" } });
        yield return (Side.Bitrix24, Timed("Quarterly planning", 13, 90) with { Description = "Budget and roadmap", Location = "Room 4", ShowAs = M.ShowAs.Tentative });
        yield return (Side.Bitrix24, new CalEvent
        {
            Id = "sample-allday", Title = "Company offsite", Start = EventTime.AllDay(day.AddDays(2)), End = EventTime.AllDay(day.AddDays(3)),
            LastModified = DateTimeOffset.UtcNow,
        });
    }
}
