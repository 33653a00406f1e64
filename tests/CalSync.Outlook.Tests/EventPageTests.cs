using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Outlook.Wire;
using CalSync.Outlook.Reading;
using Microsoft.Kiota.Serialization.Json;
using G = Microsoft.Graph.Models;

namespace CalSync.Outlook.Tests;

/// <summary>The Graph contract (<see cref="OutlookJson"/>) against the Graph SDK's models, on every shape the stand-in serves.</summary>
public sealed class EventPageTests
{
    private const string StampId = OutlookCalendarSide.OriginStampPropertyId;

    [Fact]
    public async Task Pages_read_from_the_bytes_map_to_the_same_items_as_the_SDK_models_for_every_shape()
    {
        await using var g = await Sandbox.StartAsync();
        var (single, gone, series) = await SeedEveryShapeAsync(g);
        using var http = Sandbox.Raw(g);
        http.DefaultRequestHeaders.Add("Prefer", "odata.maxpagesize=3");
        var full = await ComparePagesAsync(http, "me/calendarView/delta?startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-05-01T00:00:00Z");
        Assert.Contains(full, i => i.Type == "seriesMaster" || i.Type == "occurrence");
        Assert.Contains(full, i => i.Type == "exception");
        Assert.Contains(full, i => i.IsAllDay);
        Assert.Contains(full, i => i.Thin);
        Assert.Contains(full, i => i.Id == single && i.Sensitivity == Engine.Model.Sensitivity.Private && i.Attendees.Count == 2 && i.Categories.SequenceEqual(new[] { "Work" }));
        Assert.Contains(full, i => i.Id == gone && i.StartZone == "America/Los_Angeles");

        // Tombstones and changes of the next round.
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(gone));
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(single), """{"subject":"Zoned (renamed)"}""");
        var changes = await ComparePagesAsync(http, DeltaLink!);
        Assert.Contains(changes, i => i.Id == gone && i.Type == "removed");
        Assert.Contains(changes, i => i.Id == single && i.Subject == "Zoned (renamed)");

        // A series master and a stamped single as the $batch reads them (full $select, the stamp expanded).
        var expand = "&$expand=" + Uri.EscapeDataString($"singleValueExtendedProperties($filter=id eq '{StampId}')");
        foreach (var id in new[] { series, single })
        {
            var body = await http.GetByteArrayAsync(Sandbox.Path(id) + "?$select=" + CalendarReader.MasterSelect + expand);
            var mine = EventReader.ToStored(JsonSerializer.Deserialize(body, OutlookJson.Default.WireEvent)!, StampId);
            var sdk = EventReader.ToStored(FromSdk(new JsonParseNode(JsonDocument.Parse(body).RootElement).GetObjectValue(G.Event.CreateFromDiscriminatorValue)!), StampId);
            Assert.Equal(Json(sdk), Json(mine));
            if (id == single) Assert.Equal((true, "s|Bitrix24|42"), (mine.StampKnown, mine.Stamp));
            else Assert.Equal(Engine.Model.RecurrenceKind.Weekly, mine.Recurrence!.Kind);
        }
    }


    /// <summary>
    /// Thin occurrences, a zoned single with a stamp, attendees, categories, private/oof/high; a Pacific single; an
    /// all-day event; a weekly series with a moved and a cancelled occurrence; a relative-monthly series.
    /// </summary>
    internal static async Task<(string Single, string Gone, string Series)> SeedEveryShapeAsync(CalSync.Sandbox.Graph.GraphService g)
    {
        g.ThinOccurrences = true;
        var stamp = $$""","singleValueExtendedProperties":[{"id":"{{StampId}}","value":"s|Bitrix24|42"}]""";
        var single = Sandbox.Seed(g, "Zoned", "2025-03-10T09:00:00", "2025-03-10T10:00:00", "W. Europe Standard Time", stamp
            + ""","sensitivity":"private","showAs":"oof","importance":"high","isReminderOn":true,"reminderMinutesBeforeStart":30,"categories":["Work",""],"location":{"displayName":"Room 1"}"""
            + ""","attendees":[{"type":"optional","status":{"response":"tentativelyAccepted"},"emailAddress":{"name":"Ann","address":"ann@example.com"}},{"type":"required","emailAddress":{"address":"bob@example.com"}}]""");
        var gone = Sandbox.Seed(g, "Gone", "2025-03-11T09:00:00", "2025-03-11T10:00:00", "Pacific Standard Time", ""","showAs":"free","sensitivity":"confidential" """);
        g.SeedEvent("""{"subject":"Holiday","isAllDay":true,"showAs":"workingElsewhere","start":{"dateTime":"2025-03-14T00:00:00","timeZone":"Tokyo Standard Time"},"end":{"dateTime":"2025-03-15T00:00:00","timeZone":"Tokyo Standard Time"}}""");
        var series = g.SeedEvent("""
            {"subject":"Standup","body":{"contentType":"text","content":"Daily"},"start":{"dateTime":"2025-03-03T09:00:00","timeZone":"W. Europe Standard Time"},
             "end":{"dateTime":"2025-03-03T09:30:00","timeZone":"W. Europe Standard Time"},
             "recurrence":{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday","thursday"],"firstDayOfWeek":"monday"},
                           "range":{"type":"endDate","startDate":"2025-03-03","endDate":"2025-04-10","recurrenceTimeZone":"W. Europe Standard Time"}}}
            """);
        g.SeedEvent("""
            {"subject":"Board","start":{"dateTime":"2025-03-05T15:00:00","timeZone":"UTC"},"end":{"dateTime":"2025-03-05T16:00:00","timeZone":"UTC"},
             "recurrence":{"pattern":{"type":"relativeMonthly","interval":1,"daysOfWeek":["wednesday"],"index":"first"},
                           "range":{"type":"numbered","startDate":"2025-03-05","numberOfOccurrences":3}}}
            """);
        var instances = await Sandbox.InstancesAsync(g, series, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z");
        string IdOn(string date) => instances.First(i => i!["start"]!["dateTime"]!.GetValue<string>().StartsWith(date))!["id"]!.GetValue<string>();
        await Sandbox.SendAsync(g, HttpMethod.Patch, Sandbox.Path(IdOn("2025-03-10")), """{"subject":"Standup (moved)","start":{"dateTime":"2025-03-10T11:00:00","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"2025-03-10T11:30:00","timeZone":"W. Europe Standard Time"}}""");
        await Sandbox.SendAsync(g, HttpMethod.Delete, Sandbox.Path(IdOn("2025-03-13")));

        return (single, gone, series);
    }

    private string? DeltaLink;

    /// <summary>Follows a delta round page by page, reading each page both ways; returns the items (tombstones as type "removed").</summary>
    private async Task<List<StoredItem>> ComparePagesAsync(HttpClient http, string link)
    {
        var items = new List<StoredItem>();
        while (true)
        {
            var bytes = await http.GetByteArrayAsync(link);
            var mine = EventPage.Parse(bytes);
            var sdk = new JsonParseNode(JsonDocument.Parse(bytes).RootElement).GetObjectValue(Microsoft.Graph.Me.CalendarView.Delta.DeltaGetResponse.CreateFromDiscriminatorValue)!;
            Assert.Equal(sdk.OdataNextLink, mine.NextLink);
            Assert.Equal(sdk.OdataDeltaLink, mine.DeltaLink);
            var events = mine.Events.ToList();
            Assert.Equal(sdk.Value!.Count, events.Count);
            for (var i = 0; i < events.Count; i++)
            {
                var expected = FromSdk(sdk.Value[i]);
                Assert.Equal(expected.Removed, events[i].Removed);
                var a = EventReader.ToStored(expected, StampId);
                var b = EventReader.ToStored(events[i], StampId);
                Assert.Equal(Json(a), Json(b));
                if (b.Id.Length > 0) items.Add(expected.Removed ? new StoredItem { Id = b.Id, Type = "removed" } : b);
            }
            if (mine.NextLink is not null) { link = mine.NextLink; continue; }
            DeltaLink = mine.DeltaLink;
            return items;
        }
    }

    private static string Json(StoredItem item) => JsonSerializer.Serialize(item);

    /// <summary>The Graph SDK's reading of an event in the contract's terms: the oracle the contract is held to.</summary>
    private static WireEvent FromSdk(G.Event ev) => new()
    {
        Id = ev.Id,
        Type = ev.Type?.ToString(),
        SeriesMasterId = ev.SeriesMasterId,
        ChangeKey = ev.ChangeKey,
        ETag = ev.AdditionalData is not null && ev.AdditionalData.TryGetValue("@odata.etag", out var etag) ? etag as string : null,
        Subject = ev.Subject,
        Body = ev.Body is null ? null : new WireBody { Content = ev.Body.Content, ContentType = ev.Body.ContentType?.ToString() },
        Location = ev.Location is null ? null : new WireLocation { DisplayName = ev.Location.DisplayName },
        IsAllDay = ev.IsAllDay,
        IsCancelled = ev.IsCancelled,
        OriginalStartTimeZone = ev.OriginalStartTimeZone,
        OriginalEndTimeZone = ev.OriginalEndTimeZone,
        Start = ev.Start is null ? null : new WireTime { DateTime = ev.Start.DateTime, TimeZone = ev.Start.TimeZone },
        End = ev.End is null ? null : new WireTime { DateTime = ev.End.DateTime, TimeZone = ev.End.TimeZone },
        OriginalStart = ev.OriginalStart,
        ShowAs = ev.ShowAs?.ToString(),
        Sensitivity = ev.Sensitivity?.ToString(),
        Importance = ev.Importance?.ToString(),
        IsReminderOn = ev.IsReminderOn,
        ReminderMinutesBeforeStart = ev.ReminderMinutesBeforeStart,
        Categories = ev.Categories?.ToList<string?>(),
        Attendees = ev.Attendees?.Select(a => (WireAttendee?)new WireAttendee
        {
            Type = a.Type?.ToString(),
            Status = a.Status is null ? null : new WireResponse { Response = a.Status.Response?.ToString() },
            EmailAddress = a.EmailAddress is null ? null : new WireAddress { Name = a.EmailAddress.Name, Address = a.EmailAddress.Address },
        }).ToList(),
        LastModified = ev.LastModifiedDateTime,
        Recurrence = ev.Recurrence is not { } r ? null : new WireRecurrence
        {
            Pattern = r.Pattern is not { } p ? null : new WirePattern
            {
                Type = p.Type?.ToString(), Interval = p.Interval, DaysOfWeek = p.DaysOfWeek?.Select(d => d?.ToString()).ToList(), DayOfMonth = p.DayOfMonth,
                Month = p.Month, Index = p.Index?.ToString(), FirstDayOfWeek = p.FirstDayOfWeek?.ToString(),
            },
            Range = r.Range is not { } g ? null : new WireRange
            {
                Type = g.Type?.ToString(), NumberOfOccurrences = g.NumberOfOccurrences, StartDate = g.StartDate?.ToString(), EndDate = g.EndDate?.ToString(),
                RecurrenceTimeZone = g.RecurrenceTimeZone,
            },
        },
        CancelledOccurrences = ev.CancelledOccurrences?.ToList<string?>(),
        ExtendedProperties = ev.SingleValueExtendedProperties?.Select(p => (WireProperty?)new WireProperty { Id = p.Id, Value = p.Value }).ToList(),
        RemovedReason = ev.AdditionalData is not null && ev.AdditionalData.ContainsKey("@removed") ? JsonDocument.Parse("{}").RootElement : null,
    };

    [Theory]
    [InlineData("""{"value":[{"id":"a","subject":"x"}""", "depth")] // truncated
    [InlineData("""<html>busy</html>""", "")]
    [InlineData("""[1,2]""", "page object")]
    [InlineData("""{"value":{"id":"a"}}""", "value array")]
    [InlineData("""{"value":[42]}""", "an event")]
    public void A_malformed_page_is_an_error_naming_what_is_wrong(string answer, string message)
    {
        var ex = Assert.ThrowsAny<JsonException>(() => EventPage.Parse(Encoding.UTF8.GetBytes(answer)));
        Assert.Contains(message, ex.Message);
    }
}
