using System.Globalization;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Tests.Support;

/// <summary>
/// A calendar in memory for engine tests: it counts writes, can refuse chosen operations, and can be
/// told which series it cannot store (as Bitrix24 cannot store relative patterns or cancelled occurrences).
/// </summary>
public sealed class InMemoryCalendar : ICalendarSide
{
    private readonly Dictionary<string, CalEvent> _events = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private int _nextId;
    private int _version;

    public InMemoryCalendar(Side side, Func<DateTimeOffset> clock)
    {
        Side = side;
        Clock = clock;
        _prefix = side == Side.Outlook ? "o" : "b";
        CannotExpressRule = side == Side.Bitrix24 ? Bitrix24Limits : (_, _) => null;
    }

    public Side Side { get; }
    public Func<DateTimeOffset> Clock { get; set; }
    public int Creates { get; private set; }
    public int Updates { get; private set; }
    public int Deletes { get; private set; }
    public int Writes => Creates + Updates + Deletes;
    public int Reads { get; private set; }
    /// <summary>Return an error text to refuse an operation.</summary>
    public Func<WriteOperation, string?> FailWhen { get; set; } = _ => null;
    /// <summary>Throw this from the next read (e.g. an auth failure).</summary>
    public Exception? FailNextRead { get; set; }
    public Func<Recurrence, CalEvent, string?> CannotExpressRule { get; set; }
    /// <summary>How the service stores what it is sent (e.g. it trims text); applied to every sync write, without a new version.</summary>
    public Func<CalEvent, CalEvent> StoreTransform { get; set; } = e => e;
    /// <summary>How many operations one batch holds: the halt is checked before each batch.</summary>
    public int BatchSize { get; set; } = 1;
    /// <summary>Awaited before each batch of a write call (numbered from 0), before the halt is checked: a test can hold one side until the other has done something.</summary>
    public Func<int, Task>? BeforeBatch { get; set; }
    /// <summary>Runs after each write was applied (a test can throw here to simulate a crash right after the service saved).</summary>
    public Action<WriteOperation>? AfterWrite { get; set; }

    /// <summary>What a SIGKILL does to a run right after the service saved a write: nothing after it happens.</summary>
    public sealed class Killed : Exception;

    /// <summary>The process dies right after the <paramref name="writes"/>-th write this side applies (<see cref="Killed"/>).</summary>
    public void KillAfter(int writes)
    {
        var seen = 0;
        AfterWrite = _ =>
        {
            if (++seen == writes) throw new Killed();
        };
    }

    public IReadOnlyCollection<CalEvent> Events => _events.Values;
    public CalEvent this[string id] => _events[id];
    public bool Contains(string id) => _events.ContainsKey(id);

    public static string? Bitrix24Limits(Recurrence r, CalEvent series) =>
        r.Kind is RecurrenceKind.RelativeMonthly or RecurrenceKind.RelativeYearly ? "relative patterns"
        : r.Cancelled.Count > 0 ? "a cancelled occurrence"
        : r.Kind == RecurrenceKind.AbsoluteMonthly && r.DayOfMonth > 28 ? "monthly on the 29th-31st"
        : null;

    /// <summary>Puts a meeting on the calendar as its owner would (not counted as a sync write).</summary>
    public CalEvent Add(CalEvent e)
    {
        var stored = e with
        {
            Id = e.Id.Length > 0 ? e.Id : NewId(),
            Version = NextVersion(),
            LastModified = e.LastModified == default ? Clock() : e.LastModified,
        };
        _events[stored.Id] = stored;
        return stored;
    }

    /// <summary>The owner edits a meeting.</summary>
    public CalEvent Edit(string id, Func<CalEvent, CalEvent> change)
    {
        var edited = change(_events[id]) with { Id = id, Version = NextVersion(), LastModified = Clock() };
        _events[id] = edited;
        return edited;
    }

    /// <summary>The content changes but the version token does not (a service that forgets to bump it).</summary>
    public CalEvent EditSilently(string id, Func<CalEvent, CalEvent> change)
    {
        var old = _events[id];
        var edited = change(old) with { Id = id, Version = old.Version, LastModified = old.LastModified };
        _events[id] = edited;
        return edited;
    }

    public void Remove(string id) => _events.Remove(id);

    /// <summary>The service gives an item a new id (Outlook does when an item moves).</summary>
    public string ChangeId(string id)
    {
        var e = _events[id];
        _events.Remove(id);
        var renamed = e with { Id = NewId() };
        _events[renamed.Id] = renamed;
        return renamed.Id;
    }

    /// <summary>Ids that <see cref="ReadByIdAsync"/> reports as existing but not readable whole (a series elsewhere, another calendar).</summary>
    public HashSet<string> NotWhole { get; } = new(StringComparer.Ordinal);
    /// <summary>How many direct reads (<see cref="ReadByIdAsync"/> calls) the engine made.</summary>
    public int DirectReads { get; private set; }

    public Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        DirectReads++;
        IReadOnlyDictionary<string, CalEvent?> found = ids.Where(_events.ContainsKey)
            .ToDictionary(id => id, id => NotWhole.Contains(id) ? null : (CalEvent?)_events[id], StringComparer.Ordinal);
        return Task.FromResult(found);
    }

    public Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken)
    {
        Reads++;
        if (FailNextRead is { } failure)
        {
            FailNextRead = null;
            throw failure;
        }
        var inWindow = _events.Values.Where(e => e.IsSeries
            ? RecurrenceExpander.Expand(e, window.StartUtc, window.EndUtc).Count > 0
            : window.Overlaps(e.Start.SortKeyUtc, e.End.SortKeyUtc)).ToArray();
        return Task.FromResult(new SideSnapshot(inWindow, "read-" + Reads.ToString(CultureInfo.InvariantCulture)));
    }

    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
    {
        var results = new List<WriteResult>();
        for (var batch = 0; results.Count < operations.Count; batch++)
        {
            if (BeforeBatch is { } hold) await hold(batch);
            if (halt?.IsHalted == true) break;
            var stopped = false;
            foreach (var op in operations.Skip(results.Count).Take(BatchSize))
            {
                if (stopped) { results.Add(WriteResult.Skipped(op.OperationId)); continue; }
                var result = FailWhen(op) is { } error ? WriteResult.Fail(op.OperationId, error) : Apply(op);
                results.Add(result);
                if (result.Status == WriteStatus.Failed)
                {
                    if (halt is null) continue;
                    halt.Halt();
                    stopped = true; // the rest of this batch is not attempted (Bitrix24's halt=1, Graph's dependsOn)
                    continue;
                }
                if (result.Id is { } id && _events.TryGetValue(id, out var stored))
                    _events[id] = StoreTransform(stored) with { Version = stored.Version };
                AfterWrite?.Invoke(op);
            }
        }
        return results.Concat(operations.Skip(results.Count).Select(op => WriteResult.Skipped(op.OperationId))).ToList();
    }

    public string? CannotExpress(Recurrence recurrence, CalEvent series) => CannotExpressRule(recurrence, series);

    private WriteResult Apply(WriteOperation op)
    {
        switch (op.Kind)
        {
            case WriteKind.Create:
                if (op.Desired!.Recurrence is { } r && CannotExpressRule(r, op.Desired) is { } why)
                    return WriteResult.Fail(op.OperationId, "cannot store this series: " + why);
                Creates++;
                var created = Add(op.Desired with { Id = "", Version = null, LastModified = Clock() });
                return WriteResult.Ok(op.OperationId, created.Id, created.Version);
            case WriteKind.Update:
                Updates++;
                if (OccurrenceKey.TryParse(op.TargetId!, out var seriesId, out var date))
                {
                    var series = Edit(seriesId, s => s with
                    {
                        Recurrence = s.Recurrence! with
                        {
                            Exceptions = s.Recurrence.Exceptions.Where(x => x.OriginalDate != date)
                                .Append(new OccurrenceException(date, op.Desired! with { Id = "", SeriesId = null, OriginalDate = null, Recurrence = null })).ToArray(),
                        },
                    });
                    return WriteResult.Ok(op.OperationId, op.TargetId!, series.Version);
                }
                if (!_events.ContainsKey(op.TargetId!)) return WriteResult.Fail(op.OperationId, "not found");
                var updated = Edit(op.TargetId!, _ => op.Desired!);
                return WriteResult.Ok(op.OperationId, updated.Id, updated.Version);
            default:
                Deletes++;
                if (OccurrenceKey.TryParse(op.TargetId!, out var sid, out var d))
                {
                    Edit(sid, s => s with { Recurrence = s.Recurrence! with { Cancelled = s.Recurrence.Cancelled.Append(d).ToArray(), Exceptions = s.Recurrence.Exceptions.Where(x => x.OriginalDate != d).ToArray() } });
                    return WriteResult.Ok(op.OperationId, op.TargetId!, null);
                }
                _events.Remove(op.TargetId!);
                return WriteResult.Ok(op.OperationId, op.TargetId!, null);
        }
    }

    private string NewId() => _prefix + "-" + (++_nextId).ToString(CultureInfo.InvariantCulture);
    private string NextVersion() => (++_version).ToString(CultureInfo.InvariantCulture);
}
