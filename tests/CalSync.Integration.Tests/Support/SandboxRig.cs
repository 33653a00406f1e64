using System.Globalization;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
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

    public string Add(Side side, Meeting m) => side == Side.Outlook
        ? H.OutlookAdd(m.Title, m.Start, m.Minutes, OutlookZone, m.Location, m.Body,
            extra: m.ReminderMinutes is { } r ? $"\"isReminderOn\":true,\"reminderMinutesBeforeStart\":{r}" : "")
        : H.Bitrix24Add(m.Title, m.Start, m.Minutes, location: m.Location, description: m.Body, remindMinutes: m.ReminderMinutes);

    public async Task EditAsync(Side side, string id, Change change)
    {
        if (side == Side.Outlook)
        {
            var patch = new JsonObject();
            if (change.Title is { } title) patch["subject"] = title;
            if (change.Location is { } location) patch["location"] = new JsonObject { ["displayName"] = location };
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
        var changes = new Dictionary<string, object?>();
        if (change.Title is { } name) changes["name"] = name;
        if (change.Location is { } place) changes["location"] = place;
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

    // Bitrix24 keeps last-modified times in whole seconds.
    public Task PassTimeAsync() => Task.Delay(1100);

    public Task<RunRecord> RunAsync(InitialMerge? merge = null) => H.RunAsync(merge);

    public Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side) => side == Side.Outlook ? H.ReadOutlookAsync() : H.ReadBitrix24Async();

    public object Stored(Side side, string id) => side == Side.Outlook
        ? SandboxHarness.Json(H.OutlookStored.Single(e => (string?)e["id"] == id))
        : H.Bitrix24Stored.Single(e => e.Id.ToString(CultureInfo.InvariantCulture) == id);

    public SyncState State => H.State;

    public int Writes(Side side) => side == Side.Outlook ? H.GraphWrites - _userGraphWrites : H.Bitrix24Writes;

    public Task AssertQuietAsync(int times = 1) => H.AssertQuietAsync(times);

    public void AssertLinksOneToOne() => H.AssertLinksOneToOne();

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
