using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Testing.Scenarios;

namespace CalSync.Engine.Tests.Support;

/// <summary>The scenarios' rig in memory: a <see cref="SyncHarness"/> (real runner and store, two in-memory calendars).</summary>
public sealed class InMemoryRig(SyncDefinition? definition = null) : ISyncRig
{
    public SyncHarness H { get; } = new(definition);

    private InMemoryCalendar Calendar(Side side) => side == Side.Outlook ? H.A : H.B;

    // Outlook names Berlin by its Windows zone; the calendar keeps the IANA name, as the connector reads it.
    private static string Zone(Side side) => side == Side.Outlook ? "W. Europe Standard Time" : "Europe/Berlin";

    public string Add(Side side, Meeting m) => Calendar(side).Add(new CalEvent
    {
        Title = m.Title,
        Location = m.Location,
        Description = m.Body,
        ReminderMinutes = m.ReminderMinutes,
        ShowAs = m.ShowAs,
        Sensitivity = m.Sensitivity,
        Categories = m.Categories,
        Attendees = m.Attendees,
        Recurrence = m.Weeks is { } count ? new Recurrence { Kind = RecurrenceKind.Weekly, DaysOfWeek = new[] { m.Start.DayOfWeek }, Count = count } : null,
        Start = m.Days is null ? EventTime.FromLocal(m.Start, Zone(side)) : EventTime.AllDay(m.Start.Date),
        End = m.Days is { } days ? EventTime.AllDay(m.Start.Date.AddDays(days)) : EventTime.FromLocal(m.Start.AddMinutes(m.Minutes), Zone(side)),
    }).Id;

    public Task EditAsync(Side side, string id, Change change)
    {
        Calendar(side).Edit(id, e =>
        {
            var moved = change.Start is { } start ? EventTime.FromLocal(start, e.Start.TimeZone) : e.Start;
            return e with
            {
                Title = change.Title ?? e.Title,
                Location = change.Location ?? e.Location,
                Description = change.Description ?? e.Description,
                ShowAs = change.ShowAs ?? e.ShowAs,
                Start = moved,
                End = e.End.Add(moved.Value - e.Start.Value),
            };
        });
        return Task.CompletedTask;
    }

    public Task DeleteAsync(Side side, string id)
    {
        Calendar(side).Remove(id);
        return Task.CompletedTask;
    }

    public Task<string> ChangeIdAsync(Side side, string id) => Task.FromResult(Calendar(side).ChangeId(id));

    public Task PassTimeAsync()
    {
        H.Now = H.Now.AddHours(1);
        return Task.CompletedTask;
    }

    public void AdvanceClock(TimeSpan by) => H.Now += by;

    public SyncDefinition Definition
    {
        get => H.Definition;
        set => H.Definition = value;
    }

    public string Root => H.Root;

    public string RefuseCreating(Side side, string? title)
    {
        const string refusal = "HTTP 400: the portal refused the event";
        Calendar(side).FailWhen = op => title is not null && op.Kind == WriteKind.Create && op.Desired?.Title == title ? refusal : null;
        return refusal;
    }

    public void CrashAfterWriting(Side side, bool crash) => Calendar(side).AfterWrite = crash ? _ => throw new Crash() : null;

    public Task<RunRecord> RunAsync(InitialMerge? merge = null, bool allowEmptySide = false) => Task.FromResult(H.Run(merge, allowEmptySide));

    public Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side) => Task.FromResult<IReadOnlyList<CalEvent>>(Calendar(side).Events.ToList());

    public int StoredCount(Side side) => Calendar(side).Events.Count;

    public object Stored(Side side, string id) => Calendar(side)[id];

    public SyncState State => H.State;

    public int Writes(Side side) => Calendar(side).Writes;

    public Task AssertQuietAsync(int times = 1)
    {
        H.AssertQuiet(times);
        return Task.CompletedTask;
    }

    public void AssertLinksOneToOne() => H.AssertLinksOneToOne();

    public ValueTask DisposeAsync()
    {
        H.Dispose();
        return ValueTask.CompletedTask;
    }
}
