using CalSync.Engine.Model;
using CalSync.Engine.Sync;

namespace CalSync.Testing.Scenarios;

/// <summary>A meeting as its user puts it on either calendar: wall-clock start in Berlin, on the scenarios' Monday week.</summary>
public sealed record Meeting(string Title, DateTime Start, int Minutes = 60, string Location = "", string Body = "", int? ReminderMinutes = null)
{
    /// <summary>The scenarios' first meeting time: Monday 3 March 2025, 10:00 in Berlin (the rigs' clock starts at 08:00 UTC that day).</summary>
    public static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);
}

/// <summary>A user's edit of a meeting: what is not null changes (a new start keeps the length).</summary>
public sealed record Change(string? Title = null, string? Location = null, DateTime? Start = null);

/// <summary>
/// One sync (the real runner and file store) between two calendars, as a scenario drives it: meetings put on, edited and
/// deleted by their user, runs, and both sides read back in one shape (<see cref="CalEvent"/>). Two rigs: in memory
/// (tests/CalSync.Engine.Tests) and the real connectors over the stand-ins (tests/CalSync.Integration.Tests).
/// </summary>
public interface ISyncRig : IAsyncDisposable
{
    /// <summary>Puts a meeting on one side as its user would (not a sync write); returns its id there.</summary>
    string Add(Side side, Meeting meeting);

    Task EditAsync(Side side, string id, Change change);

    Task DeleteAsync(Side side, string id);

    /// <summary>Lets time pass, so what is added or edited next is newer than what came before (by the services' clock granularity).</summary>
    Task PassTimeAsync();

    /// <summary>Runs the sync once, as a scheduled Start-CalSync would.</summary>
    Task<RunRecord> RunAsync(InitialMerge? merge = null);

    /// <summary>Every meeting one side holds, read back as the engine sees it.</summary>
    Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side);

    /// <summary>One meeting as the side stores it (a value that compares equal while nothing about it changed).</summary>
    object Stored(Side side, string id);

    /// <summary>The sync's links and baseline as stored.</summary>
    SyncState State { get; }

    /// <summary>Writes the sync made to one side so far (the users' own changes not counted).</summary>
    int Writes(Side side);

    /// <summary>Runs <paramref name="times"/> more and asserts that nothing was written to either side (every scenario ends with this).</summary>
    Task AssertQuietAsync(int times = 1);

    /// <summary>Every live item on one side is linked exactly once.</summary>
    void AssertLinksOneToOne();
}

/// <summary>Scenarios written once for both layers: each layer's class makes its rig; what only one layer can show stays in that class.</summary>
public abstract class RigScenarios
{
    protected abstract ISyncRig NewRig(SyncDefinition? definition = null);
}
