using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Outlook;
using CalSync.Sandbox;
using CalSync.Testing.Scenarios;

namespace CalSync.Integration.Tests.Support;

/// <summary>
/// The scenarios' rig over the stand-ins: a <see cref="SandboxHarness"/> (real runner, store and connectors); both
/// sides are read back through the connectors. Outlook meetings are in "W. Europe Standard Time" (as Outlook names
/// Berlin), Bitrix24's in "Europe/Berlin".
/// </summary>
public sealed class SandboxRig(SandboxHost host, string culture = "en", string serverZone = "UTC", SyncDefinition? definition = null) : ISyncRig
{
    private const string OutlookZone = "W. Europe Standard Time";
    // Users' own edits of Outlook go over HTTP and show in the Graph journal; they are not the sync's writes.
    private int _userGraphWrites;

    public SandboxHarness H { get; } = new(host, culture, serverZone, definition);

    public string Add(Side side, Meeting m)
    {
        if (m.Weeks is { } count)
        {
            if (side != Side.Outlook || m.Body.Length > 0 || m.ReminderMinutes is not null || m.Days is not null || Details(m).Count > 0)
                throw new NotSupportedException("a series in the scenarios is an Outlook meeting with a title and a place");
            return H.OutlookAddWeekly(m.Title, m.Start, count, m.Minutes, OutlookZone, m.Location);
        }
        if (m.Days is { } days)
        {
            if (m.Location.Length + m.Body.Length > 0 || m.ReminderMinutes is not null || Details(m).Count > 0)
                throw new NotSupportedException("an all-day meeting in the scenarios has a title only");
            return side == Side.Outlook ? H.OutlookAddAllDay(m.Title, m.Start.Date, days) : H.Bitrix24AddAllDay(m.Title, m.Start.Date, days);
        }
        if (side == Side.Outlook)
        {
            var extra = Details(m);
            if (m.ReminderMinutes is { } r) (extra["isReminderOn"], extra["reminderMinutesBeforeStart"]) = (true, r);
            return H.OutlookAdd(m.Title, m.Start, m.Minutes, OutlookZone, m.Location, m.Body, extra: extra.Count == 0 ? "" : extra.ToJsonString()[1..^1]);
        }
        if (Details(m).Count > 0) throw new NotSupportedException("the scenarios put show-as, privacy, categories and attendees on Outlook meetings only");
        return H.Bitrix24Add(m.Title, m.Start, m.Minutes, location: m.Location, description: m.Body, remindMinutes: m.ReminderMinutes);
    }

    /// <summary>The Graph members for what a meeting holds beyond the defaults (busy, normal, no categories or attendees).</summary>
    private static JsonObject Details(Meeting m)
    {
        var json = new JsonObject();
        if (m.ShowAs != ShowAs.Busy) json["showAs"] = GraphName(m.ShowAs);
        if (m.Sensitivity != Sensitivity.Normal) json["sensitivity"] = GraphName(m.Sensitivity);
        if (m.Categories.Count > 0) json["categories"] = new JsonArray(m.Categories.Select(c => (JsonNode)c).ToArray());
        if (m.Attendees.Count > 0)
            json["attendees"] = new JsonArray(m.Attendees.Select(a => (JsonNode)new JsonObject
            {
                ["type"] = a.Required ? "required" : "optional",
                ["emailAddress"] = new JsonObject { ["name"] = a.Name, ["address"] = a.Email },
            }).ToArray());
        return json;
    }

    // Graph names show-as and privacy values as the engine does, in camel case.
    private static string GraphName<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    public async Task EditAsync(Side side, string id, Change change)
    {
        if (side == Side.Outlook)
        {
            var patch = new JsonObject();
            if (change.Title is { } title) patch["subject"] = title;
            if (change.Location is { } location) patch["location"] = new JsonObject { ["displayName"] = location };
            if (change.Description is { } body) patch["body"] = new JsonObject { ["contentType"] = "text", ["content"] = body };
            if (change.ShowAs is { } showAs) patch["showAs"] = GraphName(showAs);
            if (change.Start is { } start)
            {
                var stored = H.OutlookStored.Single(e => (string?)e["id"] == id);
                var length = Utc(stored["end"]!) - Utc(stored["start"]!);
                patch["start"] = new JsonObject { ["dateTime"] = SandboxHarness.GraphTime(start), ["timeZone"] = OutlookZone };
                patch["end"] = new JsonObject { ["dateTime"] = SandboxHarness.GraphTime(start + length), ["timeZone"] = OutlookZone };
            }
            _userGraphWrites++;
            await H.OutlookPatchAsync(id, patch.ToJsonString());
            return;
        }
        if (change.ShowAs is not null) throw new NotSupportedException("the scenarios change show-as on Outlook only");
        var changes = new Dictionary<string, object?>();
        if (change.Title is { } name) changes["name"] = name;
        if (change.Location is { } place) changes["location"] = place;
        if (change.Description is { } description) changes["description"] = description;
        if (changes.Count > 0) H.Bitrix24Update(id, changes);
        if (change.Start is { } from)
        {
            var row = H.Bitrix24Stored.Single(e => e.Id.ToString(CultureInfo.InvariantCulture) == id);
            H.Bitrix24Move(id, from, (int)(row.To - row.From).TotalMinutes);
        }
    }

    private static DateTime Utc(JsonNode time) => DateTime.Parse((string)time["dateTime"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public async Task DeleteAsync(Side side, string id)
    {
        if (side == Side.Bitrix24)
        {
            H.Bitrix24Delete(id);
            return;
        }
        _userGraphWrites++;
        await H.OutlookDeleteAsync(id);
    }

    /// <summary>Deletes the Outlook item and seeds it again (same content, same origin stamp): Graph has no way to change an id in place.</summary>
    public async Task<string> ChangeIdAsync(Side side, string id)
    {
        if (side != Side.Outlook) throw new NotSupportedException("only Outlook gives a meeting a new id (when it moves between folders)");
        var stored = H.OutlookStored.Single(e => (string?)e["id"] == id);
        var stamp = stored["singleValueExtendedProperties"]!.AsArray().Single(p => (string?)p!["id"] == OutlookCalendarSide.OriginStampPropertyId)!["value"]!.GetValue<string>();
        var copy = new JsonObject
        {
            ["subject"] = stored["subject"]!.DeepClone(),
            ["body"] = stored["body"]!.DeepClone(),
            ["start"] = InZone(stored["start"]!, (string)stored["originalStartTimeZone"]!),
            ["end"] = InZone(stored["end"]!, (string)stored["originalEndTimeZone"]!),
            ["isReminderOn"] = stored["isReminderOn"]!.DeepClone(),
            ["reminderMinutesBeforeStart"] = stored["reminderMinutesBeforeStart"]!.DeepClone(),
            ["showAs"] = stored["showAs"]!.DeepClone(),
            ["sensitivity"] = stored["sensitivity"]!.DeepClone(),
            ["importance"] = stored["importance"]!.DeepClone(),
            ["singleValueExtendedProperties"] = new JsonArray(new JsonObject { ["id"] = OutlookCalendarSide.OriginStampPropertyId, ["value"] = stamp }),
        };
        if (stored["location"]?["displayName"] is { } location) copy["location"] = new JsonObject { ["displayName"] = location.DeepClone() };
        _userGraphWrites++;
        await H.OutlookDeleteAsync(id);
        return H.Graph.SeedEvent(copy.ToJsonString());
    }

    /// <summary>A Graph time ({dateTime, timeZone}) as the same instant's wall clock in <paramref name="zone"/>.</summary>
    private static JsonObject InZone(JsonNode time, string zone)
    {
        var instant = TimeZoneInfo.ConvertTimeToUtc(DateTime.Parse((string)time["dateTime"]!, CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById((string)time["timeZone"]!));
        return new JsonObject { ["dateTime"] = SandboxHarness.GraphTime(TimeZoneInfo.ConvertTimeFromUtc(instant, TimeZoneInfo.FindSystemTimeZoneById(zone))), ["timeZone"] = zone };
    }

    // Bitrix24 keeps last-modified times in whole seconds.
    public Task PassTimeAsync() => Task.Delay(1100);

    public void AdvanceClock(TimeSpan by) => H.Now += by;

    public SyncDefinition Definition
    {
        get => H.Definition;
        set => H.Definition = value;
    }

    public string Root => H.Root;

    public string RefuseCreating(Side side, string? title)
    {
        if (side != Side.Bitrix24) throw new NotSupportedException("the scenarios' refusals are Bitrix24's (the stand-in's RefuseWrite)");
        // HTTP 400 with no error code and the portal culture's text, as a portal refuses an event.
        H.Bitrix24.RefuseWrite = title is null ? null : (method, p) => method == "calendar.event.add" && (string?)p["name"] == title;
        // The stand-in's texts for EventCreateError (src/CalSync.Sandbox/Bitrix24/PortalCulture.cs).
        return H.Bitrix24.Culture == "de" ? "Fehler beim Erstellen des Termins" : "Error while creating event";
    }

    public void CrashAfterWriting(Side side, bool crash)
    {
        Func<ICalendarSide, ICalendarSide> wrap = crash ? s => new CrashAfterWrite(s) : s => s;
        if (side == Side.Outlook) H.WrapOutlook = wrap;
        else H.WrapBitrix24 = wrap;
    }

    /// <summary>A side whose writes reach the service, after which the process dies before the state is saved.</summary>
    private sealed class CrashAfterWrite(ICalendarSide inner) : ICalendarSide
    {
        public Side Side => inner.Side;
        public Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) => inner.ReadAsync(window, cursor, cancellationToken);
        public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(operations, halt, cancellationToken);
            throw new Crash();
        }
        public string? CannotExpress(Recurrence recurrence, CalEvent series) => inner.CannotExpress(recurrence, series);
        public Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => inner.ReadByIdAsync(ids, cancellationToken);
    }

    public Task<RunRecord> RunAsync(InitialMerge? merge = null, bool allowEmptySide = false) => H.RunAsync(merge, allowEmptySide);

    public Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side) => side == Side.Outlook ? H.ReadOutlookAsync() : H.ReadBitrix24Async();

    public int StoredCount(Side side) => side == Side.Outlook ? H.OutlookStored.Count : H.Bitrix24Stored.Count;

    public object Stored(Side side, string id) => side == Side.Outlook
        ? SandboxHarness.Json(H.OutlookStored.Single(e => (string?)e["id"] == id))
        : H.Bitrix24Stored.Single(e => e.Id.ToString(CultureInfo.InvariantCulture) == id);

    public SyncState State => H.State;

    public int Writes(Side side) => side == Side.Outlook ? H.GraphWrites - _userGraphWrites : H.Bitrix24Writes;

    public Task AssertQuietAsync(int times = 1) => H.AssertQuietAsync(times);

    public void AssertLinksOneToOne() => H.AssertLinksOneToOne();

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
