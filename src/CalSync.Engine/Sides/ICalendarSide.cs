using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sides;

/// <summary>The part of time a sync looks at, in UTC: [Start, End).</summary>
public sealed record SyncWindow(DateTime StartUtc, DateTime EndUtc)
{
    /// <summary>The run's now (the window is built around it); a side that reads part of the window often places that part here.</summary>
    public DateTime NowUtc { get; init; }

    public static SyncWindow Around(DateTime nowUtc, int pastDays, int futureDays) =>
        new(DateTime.SpecifyKind(nowUtc.Date.AddDays(-pastDays), DateTimeKind.Utc), DateTime.SpecifyKind(nowUtc.Date.AddDays(futureDays + 1), DateTimeKind.Utc))
        { NowUtc = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc) };

    /// <summary>Whether [start, end) lies inside the window.</summary>
    public bool Contains(DateTime startUtc, DateTime endUtc) => startUtc >= StartUtc && endUtc <= EndUtc;

    /// <summary>Whether [start, end) touches the window (all-day dates are read as UTC midnights).</summary>
    public bool Overlaps(DateTime startUtc, DateTime endUtc) =>
        startUtc < EndUtc && (endUtc > StartUtc || (endUtc == startUtc && startUtc >= StartUtc));
}

/// <summary>
/// Everything a side holds in the window, complete (a side that reads changes incrementally keeps
/// its own snapshot inside <see cref="Cursor"/>), and the cursor to save once the run's state is saved.
/// </summary>
public sealed record SideSnapshot(IReadOnlyList<CalEvent> Events, SideCursor? Cursor)
{
    /// <summary>
    /// Null: every event was read now. Otherwise only this part of the window was read now, and the events outside it
    /// are as an earlier read saw them: a run that writes anything touching them reads the whole window first
    /// (<see cref="ICalendarSide.ReadWholeAsync"/>), so nothing is decided on what may have changed since.
    /// </summary>
    public SyncWindow? Fresh { get; init; }
}

/// <summary>
/// What a side keeps between runs: a short <see cref="Text"/> (a delta link, a section id; kept inside the state file)
/// and, for a side that keeps a snapshot of its window, the snapshot's bytes (<see cref="Data"/>: megabytes at tens of
/// thousands of meetings). The store keeps <see cref="Data"/> in a file of its own next to the state file, read and
/// written as bytes: never a string inside the state's JSON. A side hands back the same array it was given when its
/// snapshot did not change (the store then writes nothing). Either part may be lost (a damaged or deleted file): a side
/// must then read its window in full, never fail.
/// </summary>
public sealed record SideCursor(string? Text, byte[]? Data = null)
{
    /// <summary>A cursor of text only (as every cursor was before <see cref="Data"/>).</summary>
    public static implicit operator SideCursor(string? text) => new(text);
}

/// <summary><see cref="Decline"/> answers an invitation (<see cref="CalEvent.Invitation"/>) with "no" instead of deleting it.</summary>
public enum WriteKind { Create, Update, Delete, Decline }

/// <summary>
/// One write. Creates carry <see cref="Desired"/>; updates carry <see cref="Desired"/> and the item as it
/// was read (<see cref="Existing"/>) so a connector can send only what changed; deletes carry <see cref="TargetId"/>.
/// A target id made by <see cref="OccurrenceKey"/> names one occurrence of a series.
/// </summary>
public sealed record WriteOperation(string OperationId, WriteKind Kind, string? TargetId, CalEvent? Desired, CalEvent? Existing)
{
    /// <summary>Idempotency key for creates (Graph transactionId), derived from the sync and the source item.</summary>
    public string? TransactionId { get; init; }
}

public enum WriteStatus { Succeeded, Failed, NotAttempted }

/// <summary>What became of one write: the id and change token of the written item, or why it failed.</summary>
public sealed record WriteResult(string OperationId, WriteStatus Status, string? Id = null, string? Version = null, string? Error = null)
{
    public static WriteResult Ok(string operationId, string id, string? version) => new(operationId, WriteStatus.Succeeded, id, version);
    public static WriteResult Fail(string operationId, string error) => new(operationId, WriteStatus.Failed, Error: error);
    public static WriteResult Skipped(string operationId) => new(operationId, WriteStatus.NotAttempted);
}

/// <summary>One of the two calendars, as the engine sees it.</summary>
public interface ICalendarSide
{
    Side Side { get; }

    /// <summary>Reads every meeting in the window. A series comes back as one item with its recurrence and exceptions.</summary>
    Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken);

    /// <summary>Reads every meeting in the window now (a snapshot without <see cref="SideSnapshot.Fresh"/>).</summary>
    Task<SideSnapshot> ReadWholeAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) =>
        ReadAsync(window, cursor, cancellationToken);

    /// <summary>
    /// Writes in order (batched as the side allows). One result per operation, in the same order. Item failures are
    /// results; a failure of the whole side (auth, network after retries) throws <see cref="SideUnavailableException"/>.
    /// With a <paramref name="halt"/> (proceed-on-error off) nothing after the first failed item is attempted and the
    /// side sets the halt; it checks the halt before each batch and, once set (by either side), sends nothing more:
    /// the rest come back <see cref="WriteStatus.NotAttempted"/>. Without one every operation is attempted.
    /// </summary>
    Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken);

    /// <summary>
    /// The cursor to save after this run's writes, given the one its read returned: a side that keeps part of what it
    /// read in the cursor forgets what the writes made stale there (the next read then reads it again).
    /// </summary>
    SideCursor? CursorAfterWrites(SideCursor? read) => read;

    /// <summary>Null when the side can store this series as a series; otherwise why not (it then travels as single events).</summary>
    string? CannotExpress(Recurrence recurrence, CalEvent series);

    /// <summary>
    /// Reads the named items directly, wherever they are now (batched: one request per batch of ids). Absence from a
    /// window read is not deletion: a Graph delta tombstone and a Bitrix24 row missing from the window both also mean
    /// "moved out of the range" (docs/graph-api.md, docs/bitrix24-api.md). An id that no longer exists is not in the
    /// answer; one that exists maps to the item as it is now, or to null when the side cannot give it whole here (a
    /// series, or an item now in another calendar). A failure of the side throws <see cref="SideUnavailableException"/>.
    /// </summary>
    Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);
}

/// <summary>
/// Stops the writes of one run together when proceed-on-error is off: both sides write at once and each checks it before
/// every batch, so a failure on one side stops the other at its next batch. Unlike a cancellation it abandons nothing
/// in flight: every batch sent comes back with its results, so what was written is linked.
/// </summary>
public sealed class WriteHalt
{
    private volatile bool _halted;

    public bool IsHalted => _halted;

    public void Halt() => _halted = true;
}

/// <summary>A side cannot be used at all this run (sign-in needed, revoked credentials, service down).</summary>
public class SideUnavailableException : Exception
{
    public SideUnavailableException(Side side, string message, bool isAuthentication, Exception? inner = null)
        : base(message, inner)
    {
        Side = side;
        IsAuthentication = isAuthentication;
    }

    public Side Side { get; }
    public bool IsAuthentication { get; }
}
