using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Outlook.Auth;
using CalSync.Outlook.Http;
using CalSync.Outlook.Reading;
using CalSync.Outlook.Writing;
using Microsoft.Kiota.Abstractions;

namespace CalSync.Outlook;

/// <summary>
/// The Outlook.com calendar as the engine sees it: reads the sync window through calendarView/delta, writes through
/// Graph $batch, with the user's sign-in (MSAL, silent only) or a given access token.
/// </summary>
public sealed class OutlookCalendarSide : ICalendarSide, IDisposable
{
    /// <summary>
    /// The origin stamp: a single-value extended property (string, named) with CalSync's fixed property-set GUID.
    /// Value-filterable (docs/graph-api.md, "Listing stamped events"); delta cannot expand it, so it is read by id.
    /// </summary>
    public const string OriginStampPropertyId = "String {8f1c9e0a-4b6d-4a3e-9c52-6d7e1f20b3a4} Name CalSyncOrigin";

    private readonly OutlookGraphClient _graph;
    private readonly GraphBatch _batch;
    private readonly CalendarReader _reader;
    private readonly CalendarWriter _writer;

    public OutlookCalendarSide(OutlookConnectionOptions options, IOutlookTokenSource tokens)
        : this(options, tokens, () => DateTime.UtcNow) { }

    internal OutlookCalendarSide(OutlookConnectionOptions options, IOutlookTokenSource tokens, Func<DateTime> clock)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        if (tokens is null) throw new ArgumentNullException(nameof(tokens));
        _graph = new OutlookGraphClient(options, tokens);
        _batch = new GraphBatch(_graph);
        _reader = new CalendarReader(_graph, _batch, OriginStampPropertyId, clock);
        _writer = new CalendarWriter(_graph, _batch, OriginStampPropertyId);
    }

    /// <summary>
    /// The side for a stored connection: the access token when one is given (automation), otherwise the cached MSAL
    /// sign-in, silently (a needed sign-in throws <see cref="SignInRequiredException"/> on first use, naming Connect-OutlookCalendar).
    /// </summary>
    public static async Task<OutlookCalendarSide> ConnectAsync(OutlookConnectionOptions options, CancellationToken cancellationToken = default)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        return new OutlookCalendarSide(options, await TokensAsync(options, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The connection's tokens: the given access token, else the cached sign-in (silent).</summary>
    internal static async Task<IOutlookTokenSource> TokensAsync(OutlookConnectionOptions options, CancellationToken cancellationToken) =>
        !string.IsNullOrEmpty(options.AccessToken)
            ? new AccessTokenSource(options.AccessToken!, options.SignInCommand)
            : await OutlookSignIn.CreateAsync(options, cancellationToken).ConfigureAwait(false);

    public Side Side => Side.Outlook;

    /// <summary>Whether the last read was a full pass rather than a delta round.</summary>
    public bool LastReadWasFullPass => _reader.LastReadWasFull;

    /// <summary>How many $batch requests this side has posted.</summary>
    public int BatchRequestsSent => _batch.BatchesSent;

    /// <summary>The most requests this process ever had in flight at once to this mailbox.</summary>
    public int MaxConcurrentRequestsObserved => _graph.Gate.MaxInFlight;

    public async Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken)
    {
        try { return await _reader.ReadAsync(window, cursor, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !ReferenceEquals(side, ex)) { throw side; }
        catch (ApiException ex)
        {
            throw new SideUnavailableException(Side.Outlook, "Outlook could not be read: " + GraphErrors.Describe(ex), ex.ResponseStatusCode == 403, ex);
        }
    }

    public async Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        try { return await _reader.ReadByIdAsync(ids, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !ReferenceEquals(side, ex)) { throw side; }
        catch (ApiException ex)
        {
            throw new SideUnavailableException(Side.Outlook, "Outlook could not be read: " + GraphErrors.Describe(ex), ex.ResponseStatusCode == 403, ex);
        }
    }

    public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
    {
        if (operations is null) throw new ArgumentNullException(nameof(operations));
        try { return await _writer.WriteAsync(operations, halt, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !ReferenceEquals(side, ex)) { throw side; }
    }

    /// <summary>The account's calendars, default first (<c>GET /me/calendars</c>, every page).</summary>
    public async Task<IReadOnlyList<OutlookCalendar>> ListCalendarsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var calendars = new List<OutlookCalendar>();
            var page = await _graph.Client.Me.Calendars.GetAsync(rc => rc.QueryParameters.Select = new[] { "id", "name", "isDefaultCalendar", "canEdit" }, cancellationToken).ConfigureAwait(false);
            while (page?.Value is { } value)
            {
                calendars.AddRange(value.Where(c => c.Id is not null).Select(c => new OutlookCalendar(c.Id!, c.Name ?? "", c.IsDefaultCalendar == true, c.CanEdit != false)));
                if (string.IsNullOrEmpty(page.OdataNextLink)) break;
                page = await _graph.Client.Me.Calendars.WithUrl(page.OdataNextLink).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            return calendars.OrderByDescending(c => c.IsDefault).ToList();
        }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !ReferenceEquals(side, ex)) { throw side; }
        catch (ApiException ex)
        {
            throw new SideUnavailableException(Side.Outlook, "Outlook's calendars could not be listed: " + GraphErrors.Describe(ex), ex.ResponseStatusCode == 403, ex);
        }
    }

    /// <summary>The signed-in account's user name (<c>GET /me</c>: userPrincipalName, else mail); what a connection is of.</summary>
    public async Task<string?> GetAccountNameAsync(CancellationToken cancellationToken)
    {
        try
        {
            var me = await _graph.Client.Me.GetAsync(rc => rc.QueryParameters.Select = new[] { "userPrincipalName", "mail" }, cancellationToken).ConfigureAwait(false);
            return me?.UserPrincipalName ?? me?.Mail;
        }
        catch (Exception ex) when (GraphErrors.AsSideFailure(ex, cancellationToken) is { } side && !ReferenceEquals(side, ex)) { throw side; }
        catch (ApiException ex)
        {
            throw new SideUnavailableException(Side.Outlook, "Outlook's account could not be read: " + GraphErrors.Describe(ex), ex.ResponseStatusCode == 403, ex);
        }
    }

    /// <summary>Graph stores every pattern of the model (daily, weekly, absolute/relative monthly and yearly, counted, dated or open-ended, with exceptions and cancellations).</summary>
    public string? CannotExpress(Recurrence recurrence, CalEvent series)
    {
        if (recurrence is null) throw new ArgumentNullException(nameof(recurrence));
        if (recurrence.Interval < 1) return "the interval is less than 1";
        if (recurrence.Count is <= 0) return "the occurrence count is not positive";
        if (recurrence.Until is { } until && series is not null && until.Date < series.Start.Local.Date) return "the series ends before it starts";
        switch (recurrence.Kind)
        {
            case RecurrenceKind.Weekly when recurrence.DaysOfWeek.Count == 0:
                return "a weekly pattern needs at least one day of the week";
            case RecurrenceKind.RelativeMonthly or RecurrenceKind.RelativeYearly when recurrence.DaysOfWeek.Count == 0:
                return "a relative pattern needs at least one day of the week";
            case RecurrenceKind.AbsoluteMonthly or RecurrenceKind.AbsoluteYearly when recurrence.DayOfMonth is < 1 or > 31:
                return "the day of the month is not 1-31";
        }
        if (recurrence.Kind is RecurrenceKind.AbsoluteYearly or RecurrenceKind.RelativeYearly && recurrence.Month is < 1 or > 12)
            return "the month is not 1-12";
        return null;
    }

    public void Dispose() => _graph.Dispose();
}
