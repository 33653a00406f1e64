using CalSync.Engine.Model;
using CalSync.Engine.Sync;

namespace CalSync.Testing.Scenarios;

/// <summary>
/// A meeting as its user puts it on either calendar: wall-clock start in Berlin, on the scenarios' Monday week; with
/// <see cref="Days"/>, an all-day meeting from the start's date.
/// </summary>
public sealed record Meeting(string Title, DateTime Start, int Minutes = 60, string Location = "", string Body = "", int? ReminderMinutes = null, int? Days = null)
{
    public ShowAs ShowAs { get; init; } = ShowAs.Busy;
    public Sensitivity Sensitivity { get; init; } = Sensitivity.Normal;
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<Attendee> Attendees { get; init; } = [];
    /// <summary>A weekly series on the start's weekday, this many times.</summary>
    public int? Weeks { get; init; }

    /// <summary>The scenarios' first meeting time: Monday 3 March 2025, 10:00 in Berlin (the rigs' clock starts at 08:00 UTC that day).</summary>
    public static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);
}

/// <summary>
/// A user's edit of a meeting: what is not null changes (a new start keeps the length). Every edit is a new version on
/// its side, even one that sets what the meeting already holds (as a save without a change is).
/// </summary>
public sealed record Change(string? Title = null, string? Location = null, DateTime? Start = null, string? Description = null, ShowAs? ShowAs = null);

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

    /// <summary>The service gives a meeting a new id, its content and origin stamp kept (Outlook does when an item moves between folders); returns the new id.</summary>
    Task<string> ChangeIdAsync(Side side, string id);

    /// <summary>Lets time pass, so what is added or edited next is newer than what came before (by the services' clock granularity).</summary>
    Task PassTimeAsync();

    /// <summary>Moves the runs' clock (what the sync window is around) on by <paramref name="by"/>.</summary>
    void AdvanceClock(TimeSpan by);

    /// <summary>The sync as the next runs read it (a test can change it between runs, as Set-CalSync does).</summary>
    SyncDefinition Definition { get; set; }

    /// <summary>The store's directory, where a test puts its own files too (a mapping profile).</summary>
    string Root { get; }

    /// <summary>
    /// Until called again with null, one side's service refuses (HTTP 400) to create a meeting with this title; returns
    /// the text of its refusal, which the failed item's reason carries.
    /// </summary>
    string RefuseCreating(Side side, string? title);

    /// <summary>While on, the run dies (<see cref="Crash"/>) right after a write call to one side reached its service, before the run saves its state.</summary>
    void CrashAfterWriting(Side side, bool crash);

    /// <summary>Runs the sync once, as a scheduled Start-CalSync would (with -AllowEmptySide when <paramref name="allowEmptySide"/>).</summary>
    Task<RunRecord> RunAsync(InitialMerge? merge = null, bool allowEmptySide = false);

    /// <summary>Every meeting one side holds, read back as the engine sees it.</summary>
    Task<IReadOnlyList<CalEvent>> MeetingsAsync(Side side);

    /// <summary>How many meetings one side stores, in the window or not.</summary>
    int StoredCount(Side side);

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

/// <summary>What a killed process does to a run: nothing after the point where it is thrown happens.</summary>
public sealed class Crash : Exception;

/// <summary>Scenarios written once for both layers: each layer's class makes its rig; what only one layer can show stays in that class.</summary>
public abstract class RigScenarios
{
    protected abstract ISyncRig NewRig(SyncDefinition? definition = null);
}
