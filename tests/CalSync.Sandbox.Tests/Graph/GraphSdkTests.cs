using System.Net;
using CalSync.Sandbox.Graph;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>The real Microsoft.Graph 6.10.0 SDK against the stand-in: reads, writes, paging, delta, batch, series, extended properties.</summary>
public sealed class GraphSdkTests(GraphFixture fixture) : IClassFixture<GraphFixture>
{
    private const string SyncProp = "String {66f5a359-4659-4830-9070-00040ec6ac6e} Name SyncId";
    private GraphServiceClient Client => fixture.Client;

    private static Event NewEvent(string subject, DateTime startUtc, int minutes = 60) => new()
    {
        Subject = subject,
        Body = new ItemBody { ContentType = BodyType.Text, Content = "body of " + subject },
        Start = new DateTimeTimeZone { DateTime = startUtc.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), TimeZone = "UTC" },
        End = new DateTimeTimeZone { DateTime = startUtc.AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), TimeZone = "UTC" },
    };

    private static string Utc(DateTime t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Me_and_calendars_are_served()
    {
        var me = await Client.Me.GetAsync();
        Assert.Equal(fixture.Service.UserId, me!.Id);
        var calendars = await Client.Me.Calendars.GetAsync();
        var primary = Assert.Single(calendars!.Value!, c => c.IsDefaultCalendar == true);
        Assert.Equal("Calendar", primary.Name);
        Assert.Equal(primary.Id, (await Client.Me.Calendar.GetAsync())!.Id);
    }

    [Fact]
    public async Task Create_read_update_delete_round_trip_with_ids_that_need_escaping()
    {
        var created = await Client.Me.Events.PostAsync(NewEvent("crud", new DateTime(2030, 1, 7, 9, 0, 0)));
        Assert.Contains('/', created!.Id!);
        Assert.Contains('+', created.Id!);
        Assert.EndsWith("=", created.Id!);
        Assert.Equal(EventType.SingleInstance, created.Type);
        Assert.Equal("2030-01-07T09:00:00.0000000", created.Start!.DateTime);
        Assert.Equal("W/\"" + created.ChangeKey + "\"", created.AdditionalData["@odata.etag"]);

        var read = await Client.Me.Events[created.Id].GetAsync();
        Assert.Equal("crud", read!.Subject);

        await Task.Delay(5);
        var patched = await Client.Me.Events[created.Id].PatchAsync(new Event { Subject = "crud 2" });
        Assert.Equal("crud 2", patched!.Subject);
        Assert.NotEqual(created.ChangeKey, patched.ChangeKey);
        Assert.True(patched.LastModifiedDateTime > created.LastModifiedDateTime);
        Assert.Equal(created.CreatedDateTime, patched.CreatedDateTime);

        await Client.Me.Events[created.Id].DeleteAsync();
        var error = await Assert.ThrowsAsync<ODataError>(() => Client.Me.Events[created.Id].GetAsync());
        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal("ErrorItemNotFound", error.Error!.Code);
        Assert.Equal("The specified object was not found in the store.", error.Error.Message);
        Assert.False(string.IsNullOrEmpty(error.Error.InnerError!.RequestId));
        Assert.False(string.IsNullOrEmpty(error.Error.InnerError.ClientRequestId));
        Assert.NotNull(error.Error.InnerError.Date);
    }

    [Fact]
    public async Task Repeated_transaction_id_returns_the_first_event()
    {
        // Fresh objects: the SDK's backing store would send only changed properties for a re-posted one.
        var transactionId = Guid.NewGuid().ToString();
        Event Attempt() { var e = NewEvent("idempotent", new DateTime(2030, 2, 4, 9, 0, 0)); e.TransactionId = transactionId; return e; }
        var first = await Client.Me.Events.PostAsync(Attempt());
        var second = await Client.Me.Events.PostAsync(Attempt());
        Assert.Equal(first!.Id, second!.Id);
        Assert.Equal(transactionId, second.TransactionId);
        Assert.Single(fixture.Service.GetEvents(), e => e["subject"]?.GetValue<string>() == "idempotent");
    }

    [Fact]
    public async Task CalendarView_pages_by_odata_maxpagesize_and_page_iterator_follows_next_links()
    {
        var day = new DateTime(2030, 3, 4, 8, 0, 0);
        for (var i = 0; i < 7; i++) fixture.Service.SeedEvent(GraphFixture.EventJson($"page {i}", day.AddHours(i)));

        void Configure(RequestConfiguration<Microsoft.Graph.Me.CalendarView.CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters> rc)
        {
            rc.QueryParameters.StartDateTime = Utc(day.Date);
            rc.QueryParameters.EndDateTime = Utc(day.Date.AddDays(1));
            rc.Headers.Add("Prefer", "odata.maxpagesize=3");
        }
        var page = await Client.Me.CalendarView.GetAsync(Configure);
        Assert.Equal(3, page!.Value!.Count);
        Assert.NotNull(page.OdataNextLink);

        var subjects = new List<string>();
        var iterator = PageIterator<Event, EventCollectionResponse>.CreatePageIterator(Client, page, e => { subjects.Add(e.Subject!); return true; },
            request => { request.Headers.Add("Prefer", "odata.maxpagesize=3"); return request; });
        await iterator.IterateAsync();
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"page {i}"), subjects);
    }

    [Fact]
    public async Task Delta_rounds_report_changes_tombstones_out_of_window_removals_and_expire_with_410()
    {
        var from = new DateTime(2030, 4, 1);
        var to = new DateTime(2030, 4, 8);
        var keep = fixture.Service.SeedEvent(GraphFixture.EventJson("keep", from.AddDays(1)));
        var change = fixture.Service.SeedEvent(GraphFixture.EventJson("change", from.AddDays(2)));
        var remove = fixture.Service.SeedEvent(GraphFixture.EventJson("remove", from.AddDays(3)));
        fixture.Service.EmptyDeltaPages = 1;
        try
        {
            // Round 1: everything in the window, over several pages; the first page is empty but has a nextLink.
            var first = await Client.Me.CalendarView.Delta.GetAsDeltaGetResponseAsync(rc =>
            {
                rc.QueryParameters.StartDateTime = Utc(from);
                rc.QueryParameters.EndDateTime = Utc(to);
                rc.Headers.Add("Prefer", "odata.maxpagesize=2");
            });
            Assert.Empty(first!.Value!);
            Assert.StartsWith(fixture.Service.BaseUrl + "/me/calendarView/delta?$skiptoken=", first.OdataNextLink);
            var (items, deltaLink) = await DrainAsync(first);
            Assert.Equal(["keep", "change", "remove"], items.Select(e => e.Subject));
            Assert.All(items, e => Assert.Equal("#microsoft.graph.event", e.OdataType));
            Assert.StartsWith(fixture.Service.BaseUrl + "/me/calendarView/delta?$deltatoken=", deltaLink);

            // Changes: update, delete, add inside and add outside the window.
            await Client.Me.Events[change].PatchAsync(new Event { Subject = "changed" });
            await Client.Me.Events[remove].DeleteAsync();
            var added = (await Client.Me.Events.PostAsync(NewEvent("added", from.AddDays(4))))!.Id;
            var outside = (await Client.Me.Events.PostAsync(NewEvent("outside", to.AddDays(10))))!.Id;

            var (round2, deltaLink2) = await DrainAsync(await Client.Me.CalendarView.Delta.WithUrl(deltaLink).GetAsDeltaGetResponseAsync());
            var updates = round2.Where(e => !e.AdditionalData.ContainsKey("@removed")).ToList();
            var removed = round2.Where(e => e.AdditionalData.ContainsKey("@removed")).Select(e => e.Id).ToList();
            Assert.Equal(["changed", "added"], updates.Select(e => e.Subject));
            Assert.Equal(new[] { remove, outside }.Order(), removed.Order());
            Assert.DoesNotContain(round2, e => e.Id == keep);

            // Nothing changed: an empty round.
            var (round3, deltaLink3) = await DrainAsync(await Client.Me.CalendarView.Delta.WithUrl(deltaLink2).GetAsDeltaGetResponseAsync());
            Assert.Empty(round3);

            fixture.Service.ExpireDeltaTokens();
            var gone = await Assert.ThrowsAsync<ODataError>(() => Client.Me.CalendarView.Delta.WithUrl(deltaLink3).GetAsDeltaGetResponseAsync());
            Assert.Equal(410, gone.ResponseStatusCode);
            Assert.Equal("SyncStateNotFound", gone.Error!.Code);
            Assert.StartsWith("The sync state generation is not found; generation=", gone.Error.Message);
        }
        finally
        {
            fixture.Service.EmptyDeltaPages = 0;
        }
    }

    private async Task<(List<Event> Items, string DeltaLink)> DrainAsync(Microsoft.Graph.Me.CalendarView.Delta.DeltaGetResponse page)
    {
        var items = new List<Event>();
        var seen = new HashSet<string>();
        while (true)
        {
            items.AddRange(page.Value!);
            if (page.OdataDeltaLink is { } delta) return (items, delta);
            Assert.True(seen.Add(page.OdataNextLink!), "a nextLink must never repeat");
            page = (await Client.Me.CalendarView.Delta.WithUrl(page.OdataNextLink).GetAsDeltaGetResponseAsync(rc => rc.Headers.Add("Prefer", "odata.maxpagesize=2")))!;
        }
    }

    [Fact]
    public async Task Batch_collection_runs_creates_reads_and_deletes_with_inner_statuses()
    {
        var existing = fixture.Service.SeedEvent(GraphFixture.EventJson("batch existing", new DateTime(2030, 5, 6, 9, 0, 0)));
        var batch = new BatchRequestContentCollection(Client);
        var create = await batch.AddBatchRequestStepAsync(Client.Me.Events.ToPostRequestInformation(NewEvent("batch created", new DateTime(2030, 5, 7, 9, 0, 0))));
        var read = await batch.AddBatchRequestStepAsync(Client.Me.Events[existing].ToGetRequestInformation());
        var missing = await batch.AddBatchRequestStepAsync(Client.Me.Events[existing.Replace('A', 'B')].ToDeleteRequestInformation());

        var responses = await Client.Batch.PostAsync(batch);
        var codes = await responses.GetResponsesStatusCodesAsync();
        Assert.Equal(HttpStatusCode.Created, codes[create]);
        Assert.Equal(HttpStatusCode.OK, codes[read]);
        Assert.Equal(HttpStatusCode.NotFound, codes[missing]);
        Assert.Equal("batch created", (await responses.GetResponseByIdAsync<Event>(create)).Subject);
        Assert.Equal(existing, (await responses.GetResponseByIdAsync<Event>(read)).Id);
        // The SDK turns a failed step into a ServiceException carrying the inner error body.
        var error = await Assert.ThrowsAsync<ServiceException>(() => responses.GetResponseByIdAsync<Event>(missing));
        Assert.Contains("\"code\":\"ErrorItemNotFound\"", error.RawResponseBody);
    }

    [Fact]
    public async Task Series_expand_into_occurrences_and_exceptions_and_deleted_occurrences_are_cancelled()
    {
        var series = NewEvent("weekly sync", new DateTime(2030, 6, 3, 9, 0, 0));
        series.Recurrence = new PatternedRecurrence
        {
            Pattern = new RecurrencePattern { Type = RecurrencePatternType.Weekly, Interval = 1, DaysOfWeek = [DayOfWeekObject.Monday] },
            Range = new RecurrenceRange { Type = RecurrenceRangeType.Numbered, StartDate = new Date(2030, 6, 3), NumberOfOccurrences = 4 },
        };
        var master = await Client.Me.Events.PostAsync(series);
        Assert.Equal(EventType.SeriesMaster, master!.Type);
        Assert.Equal("UTC", master.Recurrence!.Range!.RecurrenceTimeZone);
        Assert.Equal(DayOfWeekObject.Sunday, master.Recurrence.Pattern!.FirstDayOfWeek);

        async Task<List<Event>> Instances() => (await Client.Me.Events[master.Id].Instances.GetAsync(rc =>
        {
            rc.QueryParameters.StartDateTime = "2030-06-01T00:00:00Z";
            rc.QueryParameters.EndDateTime = "2030-07-01T00:00:00Z";
        }))!.Value!;

        var instances = await Instances();
        Assert.Equal(["2030-06-03", "2030-06-10", "2030-06-17", "2030-06-24"], instances.Select(i => i.Start!.DateTime![..10]));
        Assert.All(instances, i => { Assert.Equal(EventType.Occurrence, i.Type); Assert.Equal(master.Id, i.SeriesMasterId); Assert.Null(i.Recurrence); });

        var moved = await Client.Me.Events[instances[1].Id].PatchAsync(new Event
        {
            Subject = "weekly sync (moved)",
            Start = new DateTimeTimeZone { DateTime = "2030-06-11T15:00:00", TimeZone = "UTC" },
            End = new DateTimeTimeZone { DateTime = "2030-06-11T16:00:00", TimeZone = "UTC" },
        });
        Assert.Equal(EventType.Exception, moved!.Type);
        Assert.Equal(instances[1].Id, moved.Id);
        await Client.Me.Events[instances[2].Id].DeleteAsync();

        var after = await Instances();
        Assert.Equal(["2030-06-03T09", "2030-06-11T15", "2030-06-24T09"], after.Select(i => i.Start!.DateTime![..13]));
        Assert.Equal([EventType.Occurrence, EventType.Exception, EventType.Occurrence], after.Select(i => i.Type!.Value));
        Assert.Equal("weekly sync (moved)", after[1].Subject);

        var view = (await Client.Me.CalendarView.GetAsync(rc =>
        {
            rc.QueryParameters.StartDateTime = "2030-06-01T00:00:00Z";
            rc.QueryParameters.EndDateTime = "2030-07-01T00:00:00Z";
        }))!.Value!;
        Assert.DoesNotContain(view, e => e.Type == EventType.SeriesMaster);
        Assert.Equal(3, view.Count(e => e.SeriesMasterId == master.Id));

        var withCancelled = await Client.Me.Events[master.Id].GetAsync(rc => rc.QueryParameters.Select = ["subject", "cancelledOccurrences"]);
        Assert.Equal([$"OID.{master.Id}.2030-06-17"], withCancelled!.CancelledOccurrences);
        Assert.Null(withCancelled.Start); // not selected
    }

    [Fact]
    public async Task Single_value_extended_properties_are_stored_expanded_and_filterable()
    {
        var tagged = NewEvent("tagged", new DateTime(2030, 7, 1, 9, 0, 0));
        tagged.SingleValueExtendedProperties = [new SingleValueLegacyExtendedProperty { Id = SyncProp, Value = "bitrix:42" }];
        var created = await Client.Me.Events.PostAsync(tagged);
        Assert.Null(created!.SingleValueExtendedProperties); // the create response does not include it
        await Client.Me.Events.PostAsync(NewEvent("untagged", new DateTime(2030, 7, 1, 11, 0, 0)));

        var expanded = await Client.Me.Events[created.Id].GetAsync(rc =>
            rc.QueryParameters.Expand = [$"singleValueExtendedProperties($filter=id eq '{SyncProp}')"]);
        var prop = Assert.Single(expanded!.SingleValueExtendedProperties!);
        Assert.Equal("bitrix:42", prop.Value);

        var found = await Client.Me.Events.GetAsync(rc =>
            rc.QueryParameters.Filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{SyncProp}' and ep/value eq 'BITRIX:42')");
        Assert.Equal(created.Id, Assert.Single(found!.Value!).Id);

        // The Name part of the id is case-sensitive.
        var wrongCase = await Client.Me.Events.GetAsync(rc =>
            rc.QueryParameters.Filter = $"singleValueExtendedProperties/Any(ep: ep/id eq '{SyncProp.Replace("SyncId", "syncid")}' and ep/value eq 'bitrix:42')");
        Assert.Empty(wrongCase!.Value!);
    }

    [Fact]
    public async Task Prefer_outlook_timezone_accepts_windows_and_iana_names_and_body_type_text()
    {
        var id = fixture.Service.SeedEvent(GraphFixture.EventJson("zoned", new DateTime(2030, 8, 5, 12, 0, 0),
            extra: "\"body\":{\"contentType\":\"html\",\"content\":\"<html><body><p>body of zoned</p></body></html>\"}"));
        foreach (var zone in new[] { "Pacific Standard Time", "America/Los_Angeles" })
        {
            var ev = await Client.Me.Events[id].GetAsync(rc =>
            {
                rc.Headers.Add("Prefer", $"outlook.timezone=\"{zone}\"");
                rc.Headers.Add("Prefer", "outlook.body-content-type=\"text\"");
            });
            Assert.Equal("2030-08-05T05:00:00.0000000", ev!.Start!.DateTime);
            Assert.Equal(zone, ev.Start.TimeZone);
            Assert.Equal(BodyType.Text, ev.Body!.ContentType);
            Assert.Equal("body of zoned", ev.Body.Content);
        }
    }

    [Fact]
    public async Task All_day_events_read_midnight_to_midnight_in_any_zone_and_bad_ones_are_rejected()
    {
        var ev = new Event
        {
            Subject = "holiday",
            IsAllDay = true,
            Start = new DateTimeTimeZone { DateTime = "2030-09-02T00:00:00", TimeZone = "Europe/Berlin" },
            End = new DateTimeTimeZone { DateTime = "2030-09-04T00:00:00", TimeZone = "Europe/Berlin" },
        };
        var created = await Client.Me.Events.PostAsync(ev);
        var read = await Client.Me.Events[created!.Id].GetAsync(rc => rc.Headers.Add("Prefer", "outlook.timezone=\"Tokyo Standard Time\""));
        Assert.Equal("2030-09-02T00:00:00.0000000", read!.Start!.DateTime);
        Assert.Equal("2030-09-04T00:00:00.0000000", read.End!.DateTime);
        Assert.Equal("Tokyo Standard Time", read.Start.TimeZone);

        ev.Start.DateTime = "2030-09-02T10:00:00";
        var error = await Assert.ThrowsAsync<ODataError>(() => Client.Me.Events.PostAsync(ev));
        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Equal("ErrorPropertyValidationFailure", error.Error!.Code);
    }
}
