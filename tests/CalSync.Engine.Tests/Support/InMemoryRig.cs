using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Testing.Scenarios;

namespace CalSync.Engine.Tests.Support;

/// <summary>The scenarios' rig in memory: a <see cref="SyncHarness"/> (real runner and store, two in-memory calendars).</summary>
public sealed class InMemoryRig(SyncDefinition? definition = null) : ISyncRig
{
    public SyncHarness H { get; } = new(definition);

    private InMemoryCalendar Calendar(Side side) => side == Side.Outlook ? H.A : H.B;

    public string Add(Side side, Meeting m) => Calendar(side).Add(new CalEvent
    {
        Title = m.Title,
        Location = m.Location,
        Description = m.Body,
        ReminderMinutes = m.ReminderMinutes,
        Start = EventTime.FromLocal(m.Start, "Europe/Berlin"),
        End = EventTime.FromLocal(m.Start.AddMinutes(m.Minutes), "Europe/Berlin"),
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

    public Task PassTimeAsync()
    {
        H.Now = H.Now.AddHours(1);
        return Task.CompletedTask;
    }

    public Task<RunRecord> RunAsync(InitialMerge? merge = null) => Task.FromResult(H.Run(merge));

    public Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side) => Task.FromResult<IReadOnlyList<CalEvent>>(Calendar(side).Events.ToList());

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
