using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>A single instance or a series master as the mailbox stores it.</summary>
internal sealed class StoredEvent
{
    public required string Id { get; init; }
    public required string CalendarId { get; init; }
    public required string ICalUId { get; init; }
    public required DateTimeOffset Created { get; init; }
    public string? TransactionId { get; init; }

    /// <summary>Normalized client-settable properties (subject, body, showAs, …) except times and recurrence.</summary>
    public JsonObject Props { get; set; } = new();
    public required EventTime Start { get; set; }
    public required EventTime End { get; set; }
    public Recurrence? Recurrence { get; set; }
    public DateTimeOffset LastModified { get; set; }
    public string ChangeKey { get; set; } = "";
    /// <summary>Version of the series-wide data its plain occurrences show; unlike ChangeKey not bumped by single-occurrence edits.</summary>
    public string SeriesChangeKey { get; set; } = "";
    public DateTimeOffset SeriesModified { get; set; }
    public Dictionary<string, string> ExtendedProperties { get; } = new(StringComparer.Ordinal);
    public List<JsonObject> Extensions { get; } = [];

    /// <summary>Edited occurrences, keyed by their original local start date.</summary>
    public SortedDictionary<DateOnly, OccurrenceOverride> Exceptions { get; } = [];
    /// <summary>Deleted occurrences (original local start dates).</summary>
    public SortedSet<DateOnly> Cancelled { get; } = [];

    public bool IsAllDay => Props["isAllDay"]?.GetValue<bool>() ?? false;
    public bool IsSeriesMaster => Recurrence is not null;
}

/// <summary>What an exception changed relative to its series master.</summary>
internal sealed class OccurrenceOverride
{
    public JsonObject Props { get; } = new();
    public EventTime? Start { get; set; }
    public EventTime? End { get; set; }
    public DateTimeOffset LastModified { get; set; }
    public long Version { get; set; }
    public Dictionary<string, string> ExtendedProperties { get; } = new(StringComparer.Ordinal);
}

/// <summary>A validated create/update body.</summary>
internal sealed class EventPatch
{
    public JsonObject Props { get; } = new();
    public EventTime? Start { get; set; }
    public EventTime? End { get; set; }
    public bool SetsRecurrence { get; set; }
    public JsonObject? RecurrenceJson { get; set; }
    public string? TransactionId { get; set; }
    public List<KeyValuePair<string, string>> ExtendedProperties { get; } = [];
    public List<JsonObject> Extensions { get; } = [];

    private static readonly string[] Bools = ["isAllDay", "isReminderOn", "responseRequested", "allowNewTimeProposals", "hideAttendees", "isOnlineMeeting", "isDraft"];
    private static readonly Dictionary<string, (string Type, string[] Values)> Enums = new()
    {
        ["showAs"] = ("microsoft.graph.freeBusyStatus", ["free", "tentative", "busy", "oof", "workingElsewhere", "unknown"]),
        ["sensitivity"] = ("microsoft.graph.sensitivity", ["normal", "personal", "private", "confidential"]),
        ["importance"] = ("microsoft.graph.importance", ["low", "normal", "high"]),
        ["onlineMeetingProvider"] = ("microsoft.graph.onlineMeetingProviderType", ["unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"]),
    };
    private static readonly string[] Known =
    [
        "subject", "body", "start", "end", "location", "locations", "attendees", "organizer", "categories", "recurrence",
        "reminderMinutesBeforeStart", "transactionId", "singleValueExtendedProperties", "multiValueExtendedProperties", "extensions",
        ..Bools, ..Enums.Keys,
    ];
    /// <summary>Read-only properties a client may echo back (the SDK does after a GET); the service ignores them.</summary>
    private static readonly string[] ReadOnly =
    [
        "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "iCalUId", "uid", "type", "seriesMasterId", "originalStart",
        "originalStartTimeZone", "originalEndTimeZone", "webLink", "hasAttachments", "bodyPreview", "isOrganizer", "responseStatus",
        "isCancelled", "onlineMeeting", "onlineMeetingUrl", "cancelledOccurrences", "exceptionOccurrences", "instances", "attachments", "calendar",
    ];

    public static EventPatch Parse(JsonObject body)
    {
        var patch = new EventPatch();
        foreach (var (rawName, value) in body)
        {
            if (rawName.Contains('@')) continue; // @odata.type and other annotations
            var name = Known.FirstOrDefault(k => string.Equals(k, rawName, StringComparison.OrdinalIgnoreCase));
            if (name is null)
            {
                if (ReadOnly.Any(r => string.Equals(r, rawName, StringComparison.OrdinalIgnoreCase))) continue;
                throw new GraphException(400, "RequestBodyRead",
                    $"The property '{rawName}' does not exist on type 'microsoft.graph.event'. Make sure to only use property names that are defined by the type or mark the type as open type.");
            }
            patch.Set(name, value);
        }
        return patch;
    }

    private void Set(string name, JsonNode? value)
    {
        switch (name)
        {
            case "start": Start = EventTime.Parse(value, name); break;
            case "end": End = EventTime.Parse(value, name); break;
            case "recurrence":
                SetsRecurrence = true;
                RecurrenceJson = value as JsonObject;
                break;
            case "transactionId": TransactionId = String(value, name); break;
            case "singleValueExtendedProperties":
                foreach (var item in Array(value, name).OfType<JsonObject>())
                {
                    var id = item.GetIgnoreCase("id")?.GetValue<string>() ?? throw GraphException.Validation();
                    ExtendedProperties.Add(new(id, item.GetIgnoreCase("value")?.GetValue<string>() ?? ""));
                }
                break;
            case "multiValueExtendedProperties": break; // accepted, not modelled
            case "extensions":
                foreach (var item in Array(value, name).OfType<JsonObject>()) Extensions.Add(OpenExtension.Normalize(item));
                break;
            case "subject": Props[name] = String(value, name) ?? ""; break;
            case "reminderMinutesBeforeStart":
                Props[name] = value is JsonValue v && v.TryGetValue<int>(out var n) ? n : throw Literal(value, "Edm.Int32");
                break;
            case "categories":
                Props[name] = new JsonArray(Array(value, name).Select(c => (JsonNode?)String(c, name)).ToArray());
                break;
            case "body": Props[name] = Body(value); break;
            case "location": Props[name] = Location(value); break;
            case "locations": Props[name] = new JsonArray(Array(value, name).Select(l => (JsonNode)Location(l)).ToArray()); break;
            case "attendees": Props[name] = new JsonArray(Array(value, name).Select(a => (JsonNode)Attendee(a)).ToArray()); break;
            case "organizer": Props[name] = value?.DeepClone(); break;
            default:
                if (Bools.Contains(name))
                    Props[name] = value is JsonValue b && b.TryGetValue<bool>(out var flag) ? flag : throw Literal(value, "Edm.Boolean");
                else if (Enums.TryGetValue(name, out var e))
                    Props[name] = EnumValue(value, e.Type, e.Values);
                break;
        }
    }

    private static JsonObject Body(JsonNode? value)
    {
        var obj = value as JsonObject ?? throw Literal(value, "microsoft.graph.itemBody");
        return new JsonObject
        {
            ["contentType"] = obj.GetIgnoreCase("contentType") is { } ct ? EnumValue(ct, "microsoft.graph.bodyType", ["text", "html"]) : "text",
            ["content"] = obj.GetIgnoreCase("content")?.GetValue<string>() ?? "",
        };
    }

    /// <summary>The service fills in locationType/uniqueId/uniqueIdType on create.</summary>
    private static JsonObject Location(JsonNode? value)
    {
        var obj = (value as JsonObject)?.DeepClone() as JsonObject ?? throw Literal(value, "microsoft.graph.location");
        foreach (var key in obj.Select(p => p.Key).Where(k => k.Contains('@')).ToList()) obj.Remove(key);
        var name = obj.GetString("displayName") ?? "";
        obj["displayName"] = name;
        obj["locationType"] ??= "default";
        if (name.Length > 0) obj["uniqueId"] ??= name;
        obj["uniqueIdType"] ??= name.Length > 0 ? "private" : "unknown";
        return obj;
    }

    private static JsonObject Attendee(JsonNode? value)
    {
        var obj = value as JsonObject ?? throw Literal(value, "microsoft.graph.attendee");
        var email = obj.GetIgnoreCase("emailAddress") as JsonObject;
        return new JsonObject
        {
            ["type"] = obj.GetIgnoreCase("type") is { } t ? EnumValue(t, "microsoft.graph.attendeeType", ["required", "optional", "resource"]) : "required",
            ["status"] = new JsonObject { ["response"] = "none", ["time"] = "0001-01-01T00:00:00Z" },
            ["emailAddress"] = new JsonObject
            {
                ["name"] = email?.GetIgnoreCase("name")?.GetValue<string>() ?? email?.GetIgnoreCase("address")?.GetValue<string>() ?? "",
                ["address"] = email?.GetIgnoreCase("address")?.GetValue<string>() ?? "",
            },
        };
    }

    private static string EnumValue(JsonNode? value, string type, string[] allowed)
    {
        var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        return allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase)) ?? throw Literal(value, type);
    }

    private static string? String(JsonNode? value, string name) =>
        value is null ? null : value is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Literal(value, "Edm.String");

    private static JsonArray Array(JsonNode? value, string name) =>
        value as JsonArray ?? (value is null ? [] : throw new GraphException(400, "RequestBodyRead",
            $"An unexpected '{value.GetValueKind()}' node was found when reading property '{name}'; a collection was expected."));

    private static GraphException Literal(JsonNode? value, string type) =>
        new(400, "RequestBodyRead", $"Cannot convert the literal '{value?.ToJsonString()}' to the expected type '{type}'.");
}

/// <summary>Open type extensions (<c>openTypeExtension</c>) on events.</summary>
internal static class OpenExtension
{
    public const string IdPrefix = "Microsoft.OutlookServices.OpenTypeExtension.";

    public static JsonObject Normalize(JsonObject input)
    {
        var name = input.GetIgnoreCase("extensionName")?.GetValue<string>()
            ?? throw new GraphException(400, "ErrorInvalidRequest", "The extensionName property is required.");
        var result = new JsonObject
        {
            ["@odata.type"] = "#microsoft.graph.openTypeExtension",
            ["id"] = IdPrefix + name,
            ["extensionName"] = name,
        };
        foreach (var (key, value) in input)
            if (!key.StartsWith('@') && !string.Equals(key, "extensionName", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, "id", StringComparison.OrdinalIgnoreCase))
                result[key] = value?.DeepClone();
        return result;
    }

    /// <summary>GET accepts either the extension name or its fully qualified id.</summary>
    public static bool Matches(JsonObject extension, string idOrName) =>
        string.Equals(extension.GetString("id"), idOrName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(extension.GetString("extensionName"), idOrName, StringComparison.OrdinalIgnoreCase)
        || string.Equals("microsoft.graph.openTypeExtension." + extension.GetString("extensionName"), idOrName, StringComparison.OrdinalIgnoreCase);
}
