using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24.Reading;
using CalSync.Bitrix24.Rest;
using CalSync.Bitrix24.Writing;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Bitrix24;

/// <summary>
/// The Bitrix24 calendar as the engine sees it: a reader (<see cref="CalendarReader"/>), a writer
/// (<see cref="CalendarWriter"/>) and what Bitrix24 cannot store (<see cref="Capabilities"/>) over one REST client.
/// </summary>
public sealed class Bitrix24CalendarSide : ICalendarSide, IDisposable
{
    private readonly Bitrix24RestClient _client;
    private readonly ReadState _state;
    private readonly CalendarReader _reader;
    private readonly CalendarWriter _writer;

    public Bitrix24CalendarSide(Bitrix24ConnectionOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        if (options.ReadChunkDays < 1) throw new ArgumentOutOfRangeException(nameof(options), "ReadChunkDays must be at least 1.");
        _client = new Bitrix24RestClient(options, httpClient, timeProvider);
        Sections = new Bitrix24Sections(_client, options.CalendarType);
        _state = new ReadState(string.IsNullOrWhiteSpace(options.SectionId) ? null : options.SectionId!.Trim());
        var commands = new CalendarCommands(options.CalendarType, _client);
        _reader = new CalendarReader(options, _client, Sections, commands, _state);
        _writer = new CalendarWriter(options, _client, _reader, commands, _state);
    }

    public Side Side => Side.Bitrix24;

    /// <summary>The REST client (request counts, bucket, server offset).</summary>
    public Bitrix24RestClient Client => _client;

    /// <summary>Calendars of the owner, to choose from or to create a dedicated one.</summary>
    public Bitrix24Sections Sections { get; }

    /// <summary>Resolves the configured section (by id or name), refusing ones synced by Bitrix24's own connectors.</summary>
    public Task<Bitrix24Section> ResolveSectionAsync(CancellationToken cancellationToken) => _reader.ResolveSectionAsync(cancellationToken);

    public Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) =>
        _reader.ReadAsync(window, cursor, whole: false, cancellationToken);

    public Task<SideSnapshot> ReadWholeAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) =>
        _reader.ReadAsync(window, cursor, whole: true, cancellationToken);

    public Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        _reader.ReadByIdAsync(ids, cancellationToken);

    public string? CannotExpress(Recurrence recurrence, CalEvent series) => Capabilities.CannotExpress(recurrence, series);

    public Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
    {
        // Marked before sending: a write whose answer is lost may still have changed the calendar.
        if (_state.Fresh is { } fresh && operations.Any(o => !Inside(o.Desired, fresh) || !Inside(o.Existing, fresh) || o.Desired is null && o.Existing is null))
            _state.WroteBeyondFresh = true;
        return _writer.WriteAsync(operations, halt, cancellationToken);

        static bool Inside(CalEvent? e, SyncWindow part) => e is null || e.Recurrence is null && part.Contains(e.Start.SortKeyUtc, e.End.SortKeyUtc);
    }

    /// <summary>The kept far range is dropped when a write reached it: the next read reads the whole window again.</summary>
    public SideCursor? CursorAfterWrites(SideCursor? read) => _state.WroteBeyondFresh && read?.Data is not null ? read with { Data = null } : read;

    public void Dispose() => _client.Dispose();

    public override string ToString() => $"Bitrix24CalendarSide {{ Portal = {_client.PortalHost}, Section = {_state.SectionId ?? "?"} }}";
}
