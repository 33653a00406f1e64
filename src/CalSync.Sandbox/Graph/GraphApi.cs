using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>Graph-specific knobs; mutable at run time (in-process or through <c>/_sandbox/faults</c>).</summary>
internal sealed class GraphSettings
{
    public int DefaultPageSize { get; set; } = 10;
    public int MaxPageSize { get; set; } = 1000;
    public bool ThinOccurrences { get; set; }
    public bool EnforceIfMatch { get; set; }
    public int DuplicateTransactionStatus { get; set; } = 201;
    public bool RefuseSecondaryCalendarDelta { get; set; }
    // Conformance probe knobs (docs/graph-api.md, "Conformance probe"): each a deliberately different behaviour.
    public bool DeltaIgnoresMaxPageSize { get; set; }
    public bool DeltaIgnoresTimeZone { get; set; }
    public bool RefuseStampStartsWith { get; set; }
}

/// <summary>Routes one Graph request (raw, already-decoded segments) to its handler. Synchronous: the store is in memory.</summary>
internal sealed class GraphApi(Mailbox mailbox, DeltaSync delta, GraphSettings settings, Func<string> baseUrl)
{
    private static readonly string[] UnsupportedOnDelta = ["$select", "$expand", "$filter", "$orderby", "$search"];

    private string Base => baseUrl();
    private string UserContext => $"{Base}/$metadata#users('{mailbox.UserId}')";

    public GraphResponse Handle(GraphRequest r)
    {
        try
        {
            lock (mailbox.Gate) return Dispatch(r);
        }
        catch (GraphException ex)
        {
            return ex.ToResponse(r.RequestId, r.ClientRequestId);
        }
    }

    private GraphResponse Dispatch(GraphRequest r)
    {
        var s = r.Segments;
        if (s.Count == 0) throw SegmentNotFound("");
        int i;
        if (Is(s[0], "me")) i = 1;
        else if (Is(s[0], "users") && s.Count > 1 && (s[1] == mailbox.UserId || Is(s[1], mailbox.Email))) i = 2;
        else if (Is(s[0], "users") && s.Count > 1) throw new GraphException(404, "ErrorInvalidUser", $"The requested user '{s[1]}' is invalid.");
        else throw SegmentNotFound(s[0]);

        if (i == s.Count) return Method(r, "GET") ?? Me();
        var segment = s[i];
        if (Is(segment, "calendars"))
        {
            if (i + 1 == s.Count) return r.Method == "POST" ? CreateCalendar(r) : Method(r, "GET") ?? Calendars(r);
            return InCalendar(r, mailbox.FindCalendar(s[i + 1]), i + 2);
        }
        if (Is(segment, "calendar")) return InCalendar(r, mailbox.DefaultCalendar, i + 1);
        if (Is(segment, "events")) return Events(r, null, i + 1);
        if (Is(segment, "calendarView")) return CalendarView(r, null, i + 1);
        throw SegmentNotFound(segment);
    }

    private GraphResponse InCalendar(GraphRequest r, CalendarInfo calendar, int i)
    {
        var s = r.Segments;
        if (i == s.Count && r.Method == "DELETE" && s.Count > 1 && Is(s[i - 2], "calendars"))
        {
            mailbox.DeleteCalendar(calendar);
            return new GraphResponse(204, null);
        }
        if (i == s.Count)
            return Method(r, "GET") ?? new GraphResponse(200, With(EventRenderer.RenderCalendar(calendar, mailbox), $"{UserContext}/calendars/$entity"));
        if (Is(s[i], "events")) return Events(r, calendar, i + 1);
        if (Is(s[i], "calendarView")) return CalendarView(r, calendar.Id, i + 1);
        throw SegmentNotFound(s[i]);
    }

    // ---- events ---------------------------------------------------------------------------

    private GraphResponse Events(GraphRequest r, CalendarInfo? calendar, int i)
    {
        var s = r.Segments;
        if (i == s.Count)
        {
            return r.Method switch
            {
                "GET" => ListEvents(r, calendar),
                "POST" => CreateEvent(r, calendar ?? mailbox.DefaultCalendar),
                _ => throw NotAllowed(),
            };
        }
        if (IsDelta(s[i]))
            throw new GraphException(400, "BadRequest", "Change tracking on events is only available on calendarView in v1.0.");
        var (id, next) = ResolveId(s, i);
        if (!mailbox.TryResolve(id, out var e, out var date) || (calendar is not null && e.CalendarId != calendar.Id))
            throw MissingOrMalformed(id);
        if (next == s.Count)
        {
            return r.Method switch
            {
                "GET" => Entity(r, 200, Item(e, date), ODataProjection.Expand(r.Query)),
                "PATCH" => UpdateEvent(r, e, date),
                "DELETE" => DeleteEvent(r, e, date),
                _ => throw NotAllowed(),
            };
        }
        var action = s[next];
        if (Is(action, "instances") && next + 1 == s.Count) return Method(r, "GET") ?? Instances(r, e, date);
        if (Is(action, "extensions")) return Extensions(r, e, date, next + 1);
        if ((Is(action, "cancel") || Is(action, "permanentDelete")) && next + 1 == s.Count)
        {
            if (r.Method != "POST") throw NotAllowed();
            CheckWritable(e);
            mailbox.Delete(e, date);
            return new GraphResponse(Is(action, "cancel") ? 202 : 204);
        }
        throw SegmentNotFound(action);
    }

    private ViewItem Item(StoredEvent e, DateOnly? date) => date is { } d ? mailbox.Occurrence(e, d) : mailbox.Single(e);

    private GraphResponse ListEvents(GraphRequest r, CalendarInfo? calendar)
    {
        var items = mailbox.Events
            .Where(e => calendar is null || e.CalendarId == calendar.Id)
            .OrderBy(e => e.Created)
            .Select(mailbox.Single);
        return Page(r, items, $"{UserContext}/events");
    }

    private GraphResponse CreateEvent(GraphRequest r, CalendarInfo calendar)
    {
        var patch = EventPatch.Parse(r.ReadBodyObject());
        var organizer = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = mailbox.DisplayName, ["address"] = mailbox.Email } };
        var (e, deduplicated) = mailbox.Create(calendar.Id, patch, organizer);
        // A created event is returned without its extended properties but with its open extensions (documented).
        return Entity(r, deduplicated ? settings.DuplicateTransactionStatus : 201, mailbox.Single(e), (null, patch.Extensions.Count > 0 ? [] : null))
            .With("Location", $"{Base}/Users('{mailbox.UserId}')/Events('{e.Id}')");
    }

    private GraphResponse UpdateEvent(GraphRequest r, StoredEvent e, DateOnly? date)
    {
        CheckWritable(e);
        CheckIfMatch(r, Item(e, date));
        var patch = EventPatch.Parse(r.ReadBodyObject());
        mailbox.Update(e, date, patch);
        return Entity(r, 200, Item(e, date), (null, null));
    }

    private GraphResponse DeleteEvent(GraphRequest r, StoredEvent e, DateOnly? date)
    {
        CheckWritable(e);
        CheckIfMatch(r, Item(e, date));
        mailbox.Delete(e, date);
        return new GraphResponse(204);
    }

    private GraphResponse Instances(GraphRequest r, StoredEvent e, DateOnly? date)
    {
        var (from, to) = Window(r);
        var items = date is null ? mailbox.Instances(e, from, to) : [];
        return Page(r, items, $"{UserContext}/events('{e.Id}')/instances");
    }

    private GraphResponse Extensions(GraphRequest r, StoredEvent e, DateOnly? date, int i)
    {
        var s = r.Segments;
        if (date is not null) throw GraphException.NotFound();
        var context = $"{UserContext}/events('{e.Id}')/extensions";
        if (i == s.Count)
        {
            if (r.Method == "POST")
            {
                CheckWritable(e);
                var extension = OpenExtension.Normalize(r.ReadBodyObject());
                mailbox.AddExtension(e, extension);
                return new GraphResponse(201, With((JsonObject)extension.DeepClone(), context + "/$entity"));
            }
            return Method(r, "GET") ?? new GraphResponse(200, new JsonObject
            {
                ["@odata.context"] = context,
                ["value"] = new JsonArray(e.Extensions.Select(x => (JsonNode)x.DeepClone()).ToArray()),
            });
        }
        var name = string.Join('/', s.Skip(i));
        var found = e.Extensions.FirstOrDefault(x => OpenExtension.Matches(x, name)) ?? throw GraphException.NotFound();
        if (r.Method == "DELETE")
        {
            CheckWritable(e);
            e.Extensions.Remove(found);
            return new GraphResponse(204);
        }
        return Method(r, "GET") ?? new GraphResponse(200, With((JsonObject)found.DeepClone(), context + "/$entity"));
    }

    // ---- calendar view and delta ---------------------------------------------------------

    private GraphResponse CalendarView(GraphRequest r, string? calendarId, int i)
    {
        var s = r.Segments;
        if (i == s.Count)
        {
            if (Method(r, "GET") is { } notAllowed) return notAllowed;
            var (from, to) = Window(r);
            return Page(r, mailbox.View(calendarId ?? mailbox.DefaultCalendar.Id, from, to), $"{UserContext}/calendarView");
        }
        if (IsDelta(s[i]) && i + 1 == s.Count) return Method(r, "GET") ?? Delta(r, calendarId);
        throw SegmentNotFound(s[i]);
    }

    private GraphResponse Delta(GraphRequest r, string? calendarId)
    {
        foreach (var option in UnsupportedOnDelta)
            if (r.Query.Has(option))
                throw new GraphException(400, "ErrorInvalidUrlQuery",
                    $"The following parameters are not supported with change tracking over the 'CalendarView' resource: '{option}'.");
        // v1.0 documents delta on the primary calendar's view only (docs/graph-api.md, "Delta on a secondary calendar").
        if (settings.RefuseSecondaryCalendarDelta && calendarId is not null && calendarId != mailbox.DefaultCalendar.Id)
            throw SegmentNotFound("delta");
        var (render, applied) = RenderFor(r, (null, null), delta: true);
        var linkBase = calendarId is null
            ? $"{Base}/me/calendarView/delta"
            : $"{Base}/me/calendars/{Uri.EscapeDataString(calendarId)}/calendarView/delta";
        var body = delta.Page(mailbox, r, calendarId ?? mailbox.DefaultCalendar.Id, render, settings.DeltaIgnoresMaxPageSize ? settings.MaxPageSize : PageSize(r), linkBase, $"{Base}/$metadata#Collection(event)");
        return new GraphResponse(200, body).With("Preference-Applied", string.Join(", ", applied.Prepend("odata.track-changes")));
    }

    // ---- calendars and the user -------------------------------------------------------------

    private GraphResponse Me() => new(200, new JsonObject
    {
        ["@odata.context"] = $"{Base}/$metadata#users/$entity",
        ["businessPhones"] = new JsonArray(),
        ["displayName"] = mailbox.DisplayName,
        ["givenName"] = mailbox.DisplayName.Split(' ')[0],
        ["jobTitle"] = null,
        ["mail"] = mailbox.Email,
        ["mobilePhone"] = null,
        ["officeLocation"] = null,
        ["preferredLanguage"] = "en-US",
        ["surname"] = mailbox.DisplayName.Split(' ')[^1],
        ["userPrincipalName"] = mailbox.Email,
        ["id"] = mailbox.UserId,
    });

    private GraphResponse Calendars(GraphRequest r) => new(200, new JsonObject
    {
        ["@odata.context"] = $"{UserContext}/calendars",
        ["value"] = new JsonArray(mailbox.Calendars.Skip(IntOption(r, "$skip") ?? 0).Take(IntOption(r, "$top") ?? int.MaxValue)
            .Select(c => (JsonNode)EventRenderer.RenderCalendar(c, mailbox)).ToArray()),
    });

    private GraphResponse CreateCalendar(GraphRequest r)
    {
        var name = r.ReadBodyObject().GetIgnoreCase("name")?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(name)) throw GraphException.Validation();
        if (mailbox.Calendars.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw new GraphException(409, "ErrorFolderExists", "A folder with the specified name already exists.");
        return new GraphResponse(201, With(EventRenderer.RenderCalendar(mailbox.AddCalendar(name), mailbox), $"{UserContext}/calendars/$entity"));
    }

    // ---- shared pieces ----------------------------------------------------------------------

    /// <summary>Lists with $filter, $top/$skip or Prefer odata.maxpagesize, and $skip next links.</summary>
    private GraphResponse Page(GraphRequest r, IEnumerable<ViewItem> items, string context)
    {
        var expand = ODataProjection.Expand(r.Query);
        if (r.Query.Get("$filter") is { Length: > 0 } filterText)
        {
            if (settings.RefuseStampStartsWith && filterText.Contains("startswith(ep/value", StringComparison.OrdinalIgnoreCase))
                throw new GraphException(400, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.");
            var filter = ODataFilter.Parse(filterText);
            var probe = new RenderOptions { ExpandExtendedProperties = [], ExpandExtensions = [] };
            items = items.Where(item => filter(EventRenderer.Render(item, mailbox, probe)));
        }
        var all = items.ToList();
        var skip = IntOption(r, "$skip") ?? 0;
        var pageSize = IntOption(r, "$top") is { } top ? Math.Min(top, settings.MaxPageSize) : PageSize(r);
        var (render, applied) = RenderFor(r, expand, delta: false);
        var body = new JsonObject { ["@odata.context"] = context };
        if (string.Equals(r.Query.Get("$count"), "true", StringComparison.OrdinalIgnoreCase)) body["@odata.count"] = all.Count;
        body["value"] = new JsonArray(all.Skip(skip).Take(pageSize).Select(item => (JsonNode)EventRenderer.Render(item, mailbox, render)).ToArray());
        if (skip + pageSize < all.Count)
            body["@odata.nextLink"] = Base + "/" + string.Join('/', r.Segments.Select(Uri.EscapeDataString)) + "?" + r.Query.With("$skip", (skip + pageSize).ToString());
        var response = new GraphResponse(200, body);
        if (applied.Count > 0) response.With("Preference-Applied", string.Join(", ", applied));
        return response;
    }

    private int PageSize(GraphRequest r) => Math.Min(r.Prefer.MaxPageSize ?? settings.DefaultPageSize, settings.MaxPageSize);

    private static int? IntOption(GraphRequest r, string name) =>
        r.Query.Get(name) is { } text
            ? int.TryParse(text, out var n) && n >= 0 ? n : throw new GraphException(400, "BadRequest", $"Invalid value '{text}' for query option '{name}'.")
            : null;

    /// <summary>One event, shaped by the request's Prefer/$select/$expand, with Preference-Applied.</summary>
    private GraphResponse Entity(GraphRequest r, int status, ViewItem item, (List<string>? Props, List<string>? Extensions) expand)
    {
        var (options, applied) = RenderFor(r, expand, delta: false);
        var response = new GraphResponse(status, With(EventRenderer.Render(item, mailbox, options), $"{UserContext}/events/$entity"));
        if (applied.Count > 0) response.With("Preference-Applied", string.Join(", ", applied));
        return response;
    }

    private (RenderOptions Options, List<string> Applied) RenderFor(GraphRequest r, (List<string>? Props, List<string>? Extensions) expand, bool delta)
    {
        var applied = new List<string>();
        // Probe knob: delta answers in one fixed zone whatever the preference says.
        var zoneName = delta && settings.DeltaIgnoresTimeZone ? "Pacific Standard Time" : r.Prefer.TimeZone;
        var zone = TimeZones.Find(zoneName);
        if (zone is not null) applied.Add($"outlook.timezone=\"{zoneName}\"");
        var bodyType = r.Prefer.BodyContentType?.ToLowerInvariant() is "text" ? "text" : "html";
        if (r.Prefer.BodyContentType is not null) applied.Add($"outlook.body-content-type=\"{bodyType}\"");
        var options = new RenderOptions
        {
            Zone = zone ?? TimeZoneInfo.Utc,
            ZoneName = zone is null ? "UTC" : zoneName!,
            BodyType = bodyType,
            Select = delta ? null : ODataProjection.Select(r.Query),
            ExpandExtendedProperties = expand.Props,
            ExpandExtensions = expand.Extensions,
            DeltaItem = delta,
            ThinOccurrences = delta && settings.ThinOccurrences,
        };
        return (options, applied);
    }

    private static (DateTime From, DateTime To) Window(GraphRequest r)
    {
        if (!r.Query.Has("startDateTime") || !r.Query.Has("endDateTime")) throw GraphException.MissingWindow();
        return (EventTime.ParseWindowBound(r.Query.Get("startDateTime"), "startDateTime"), EventTime.ParseWindowBound(r.Query.Get("endDateTime"), "endDateTime"));
    }

    private void CheckWritable(StoredEvent e)
    {
        if (!mailbox.FindCalendar(e.CalendarId).CanEdit)
            throw new GraphException(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
    }

    /// <summary>Off by default: If-Match on events is undocumented; when on, a stale etag gets 412 like Outlook messages do.</summary>
    private void CheckIfMatch(GraphRequest r, ViewItem item)
    {
        if (!settings.EnforceIfMatch || string.IsNullOrEmpty(r.IfMatch) || r.IfMatch == "*") return;
        var sent = r.IfMatch.Trim();
        if (sent.StartsWith("W/", StringComparison.Ordinal)) sent = sent[2..];
        if (sent.Trim('"') != item.ChangeKey)
            throw new GraphException(412, "ErrorIrresolvableConflict",
                "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.");
    }

    /// <summary>
    /// Ids may contain '/': escaped (%2F) they arrive as one segment; unescaped (as the SDK writes them inside $batch)
    /// they span several, so the longest run of segments naming a stored item wins.
    /// </summary>
    private (string Id, int Next) ResolveId(IReadOnlyList<string> s, int i)
    {
        for (var k = s.Count - i; k > 1; k--)
        {
            var candidate = string.Join('/', s.Skip(i).Take(k));
            if (mailbox.Exists(candidate)) return (candidate, i + k);
        }
        return (s[i], i + 1);
    }

    private static GraphException MissingOrMalformed(string id) =>
        id.Length < 20 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_'))
            ? new GraphException(400, "ErrorInvalidIdMalformed", "Id is malformed.")
            : GraphException.NotFound();

    private static bool IsDelta(string segment) =>
        Is(segment, "delta") || Is(segment, "delta()") || Is(segment, "microsoft.graph.delta") || Is(segment, "microsoft.graph.delta()");

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static GraphResponse? Method(GraphRequest r, string allowed) => r.Method == allowed ? null : throw NotAllowed();

    private static GraphException NotAllowed() =>
        new(405, "BadRequest", "Specified HTTP method is not allowed for the request target.");

    private static GraphException SegmentNotFound(string segment) =>
        new(400, "BadRequest", $"Resource not found for the segment '{segment}'.");

    private static JsonObject With(JsonObject body, string context)
    {
        var result = new JsonObject { ["@odata.context"] = context };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            result[key] = value;
        }
        return result;
    }
}
