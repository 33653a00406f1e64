using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Graph;

/// <summary>How the caller wants events shaped: zone and body preferences, $select, $expand, delta specifics.</summary>
internal sealed class RenderOptions
{
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;
    public string ZoneName { get; init; } = "UTC";
    public string BodyType { get; init; } = "html";
    public HashSet<string>? Select { get; init; }
    /// <summary>null: not expanded; empty: all; otherwise the requested property ids.</summary>
    public List<string>? ExpandExtendedProperties { get; init; }
    public List<string>? ExpandExtensions { get; init; }
    public bool DeltaItem { get; init; }
    public bool ThinOccurrences { get; init; }
}

/// <summary>Turns stored events into the JSON the real service returns, in its property order.</summary>
internal static partial class EventRenderer
{
    public static JsonObject Render(ViewItem item, Mailbox mailbox, RenderOptions options)
    {
        var e = item.Event;
        var props = (JsonObject)e.Props.DeepClone();
        if (item.Override is { } ov)
            foreach (var (key, value) in ov.Props) props[key] = value?.DeepClone();
        var isInstance = item.OriginalDate is not null;

        var o = new JsonObject();
        if (options.DeltaItem) o["@odata.type"] = "#microsoft.graph.event";
        o["@odata.etag"] = $"W/\"{item.ChangeKey}\"";
        if (options.ThinOccurrences && item.Type == "occurrence")
        {
            // What the real delta sends for plain occurrences (issue 22197): no subject, no organizer.
            o["id"] = item.Id;
            o["seriesMasterId"] = e.Id;
            o["type"] = item.Type;
            o["start"] = Time(item.Start, props, options);
            o["end"] = Time(item.End, props, options);
            return o;
        }
        var body = Body(props["body"] as JsonObject, options.BodyType);
        o["id"] = item.Id;
        o["createdDateTime"] = GraphJson.UtcStamp(e.Created);
        o["lastModifiedDateTime"] = GraphJson.UtcStamp(item.LastModified);
        o["changeKey"] = item.ChangeKey;
        o["categories"] = props["categories"]?.DeepClone();
        if (e.TransactionId is not null && !isInstance) o["transactionId"] = e.TransactionId;
        o["originalStartTimeZone"] = e.Start.ZoneName;
        o["originalEndTimeZone"] = e.End.ZoneName;
        o["iCalUId"] = isInstance ? Mailbox.OccurrenceICalUId(e, item.OriginalDate!.Value) : e.ICalUId;
        o["reminderMinutesBeforeStart"] = props["reminderMinutesBeforeStart"]?.DeepClone();
        o["isReminderOn"] = props["isReminderOn"]?.DeepClone();
        o["hasAttachments"] = false;
        o["subject"] = props["subject"]?.DeepClone();
        o["bodyPreview"] = Preview(body);
        o["importance"] = props["importance"]?.DeepClone();
        o["sensitivity"] = props["sensitivity"]?.DeepClone();
        o["isAllDay"] = props["isAllDay"]?.DeepClone();
        o["isCancelled"] = false;
        o["isOrganizer"] = true;
        o["responseRequested"] = props["responseRequested"]?.DeepClone();
        o["seriesMasterId"] = isInstance ? e.Id : null;
        o["showAs"] = props["showAs"]?.DeepClone();
        o["type"] = item.Type;
        o["webLink"] = "https://outlook.live.com/owa/?itemid=" + Uri.EscapeDataString(item.Id) + "&exvsurl=1&path=/calendar/item";
        o["onlineMeetingUrl"] = null;
        o["isOnlineMeeting"] = props["isOnlineMeeting"]?.DeepClone();
        o["onlineMeetingProvider"] = props["onlineMeetingProvider"]?.DeepClone();
        o["allowNewTimeProposals"] = props["allowNewTimeProposals"]?.DeepClone();
        o["isDraft"] = props["isDraft"]?.DeepClone();
        o["hideAttendees"] = props["hideAttendees"]?.DeepClone();
        if (isInstance)
            o["originalStart"] = Mailbox.OriginalTimes(e, item.OriginalDate!.Value).Start.Utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        o["responseStatus"] = new JsonObject { ["response"] = "organizer", ["time"] = "0001-01-01T00:00:00Z" };
        o["body"] = body;
        o["start"] = Time(item.Start, props, options);
        o["end"] = Time(item.End, props, options);
        o["location"] = props["location"]?.DeepClone() ?? new JsonObject
        {
            ["displayName"] = "", ["locationType"] = "default", ["uniqueIdType"] = "unknown", ["address"] = new JsonObject(), ["coordinates"] = new JsonObject(),
        };
        o["locations"] = props["locations"]?.DeepClone() ?? new JsonArray();
        o["recurrence"] = isInstance ? null : e.Recurrence?.ToJson();
        o["attendees"] = props["attendees"]?.DeepClone();
        o["organizer"] = props["organizer"]?.DeepClone();
        o["onlineMeeting"] = null;

        if (options.Select is { } select)
        {
            // Series-master-only properties that the service returns only when selected.
            if (!isInstance && e.IsSeriesMaster && select.Contains("cancelledOccurrences"))
                o["cancelledOccurrences"] = new JsonArray(e.Cancelled.Select(d => (JsonNode)$"OID.{e.Id}.{d:yyyy-MM-dd}").ToArray());
            foreach (var key in o.Select(p => p.Key).ToList())
                if (!key.StartsWith('@') && key != "id" && !select.Contains(key)) o.Remove(key);
        }
        if (options.ExpandExtendedProperties is { } wanted)
        {
            var all = new Dictionary<string, string>(e.ExtendedProperties, StringComparer.Ordinal);
            if (item.Override is not null)
                foreach (var (key, value) in item.Override.ExtendedProperties) all[key] = value;
            var matching = all.Where(p => wanted.Count == 0 || wanted.Any(w => ExtendedPropertyIds.Equal(w, p.Key))).ToList();
            // The service omits the property when nothing matches.
            if (matching.Count > 0)
                o["singleValueExtendedProperties"] = new JsonArray(matching.Select(p => (JsonNode)new JsonObject { ["id"] = p.Key, ["value"] = p.Value }).ToArray());
        }
        if (options.ExpandExtensions is { } names)
            o["extensions"] = new JsonArray(e.Extensions.Where(x => names.Count == 0 || names.Any(n => OpenExtension.Matches(x, n)))
                .Select(x => (JsonNode)x.DeepClone()).ToArray());
        return o;
    }

    /// <summary>Times in the requested zone; all-day events stay midnight-to-midnight whatever the zone.</summary>
    private static JsonObject Time(EventTime time, JsonObject props, RenderOptions options)
    {
        var local = props["isAllDay"]?.GetValue<bool>() == true ? time.Local.Date : TimeZones.FromUtc(time.Utc, options.Zone);
        return new JsonObject { ["dateTime"] = GraphJson.LocalDateTime(local), ["timeZone"] = options.ZoneName };
    }

    /// <summary>Outlook stores HTML: text bodies come back wrapped unless text is preferred.</summary>
    private static JsonObject Body(JsonObject? stored, string wanted)
    {
        var type = stored?.GetString("contentType") ?? "text";
        var content = stored?.GetString("content") ?? "";
        if (wanted == "text" && type == "html") content = HtmlToText(content);
        else if (wanted == "html" && type == "text")
            content = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n"
                + WebUtility.HtmlEncode(content).Replace("\n", "<br>\r\n") + "\r\n</body>\r\n</html>\r\n";
        return new JsonObject { ["contentType"] = wanted, ["content"] = content };
    }

    private static string Preview(JsonObject body)
    {
        var content = body.GetString("content") ?? "";
        var text = body.GetString("contentType") == "html" ? HtmlToText(content) : content;
        text = Whitespace().Replace(text, " ").Trim();
        return text.Length > 255 ? text[..255] : text;
    }

    private static string HtmlToText(string html)
    {
        var withoutHead = HeadBlock().Replace(html, "");
        var text = Tags().Replace(BreakTags().Replace(withoutHead, "\n"), "");
        return WebUtility.HtmlDecode(text).Trim('\r', '\n');
    }

    public static JsonObject RenderCalendar(CalendarInfo c, Mailbox mailbox) => new()
    {
        ["@odata.etag"] = $"W/\"{c.ChangeKey}\"",
        ["id"] = c.Id,
        ["name"] = c.Name,
        ["color"] = c.Color,
        ["hexColor"] = "",
        ["isDefaultCalendar"] = c.IsDefault,
        ["changeKey"] = c.ChangeKey,
        ["canShareWithPeople"] = c.CanEdit,
        ["canViewPrivateItems"] = true,
        ["canEdit"] = c.CanEdit,
        ["allowedOnlineMeetingProviders"] = new JsonArray("skypeForConsumer"),
        ["defaultOnlineMeetingProvider"] = "none",
        ["isTallyingResponses"] = false,
        ["isRemovable"] = !c.IsDefault && c.CanEdit,
        ["owner"] = new JsonObject { ["name"] = mailbox.DisplayName, ["address"] = mailbox.Email },
    };

    [GeneratedRegex(@"<head>.*?</head>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex HeadBlock();
    [GeneratedRegex(@"<br\s*/?>|</p>|</div>", RegexOptions.IgnoreCase)]
    private static partial Regex BreakTags();
    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();
    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>
/// Extended property ids compare case-insensitively in their type and GUID, case-sensitively in the Name
/// ("String {66f5…} Name SyncId").
/// </summary>
internal static class ExtendedPropertyIds
{
    public static bool Equal(string a, string b)
    {
        var ia = a.IndexOf(" Name ", StringComparison.OrdinalIgnoreCase);
        var ib = b.IndexOf(" Name ", StringComparison.OrdinalIgnoreCase);
        if (ia < 0 || ib < 0) return string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        return string.Equals(Squash(a[..ia]), Squash(b[..ib]), StringComparison.OrdinalIgnoreCase)
            && string.Equals(a[(ia + 6)..], b[(ib + 6)..], StringComparison.Ordinal);
    }

    private static string Squash(string s) => s.Replace(" ", "");
}
