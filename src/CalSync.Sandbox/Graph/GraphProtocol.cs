using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>One Graph API call, either from HTTP or from inside a <c>$batch</c>.</summary>
internal sealed class GraphRequest
{
    public required string Method { get; init; }
    /// <summary>Path and query as received (for the journal).</summary>
    public string Target { get; init; } = "";
    /// <summary>Path segments after <c>/v1.0</c>, each percent-decoded on its own (so <c>%2F</c> stays inside its id).</summary>
    public required IReadOnlyList<string> Segments { get; init; }
    public required QueryOptions Query { get; init; }
    public required PreferHeader Prefer { get; init; }
    public string? IfMatch { get; init; }
    public string? BodyText { get; init; }
    public string? ContentType { get; init; }
    public required string RequestId { get; init; }
    public required string ClientRequestId { get; init; }

    public bool IsWrite => Method is "POST" or "PATCH" or "DELETE" or "PUT";

    /// <summary>The body as a JSON object, or a 400 the caller should return.</summary>
    public JsonObject ReadBodyObject()
    {
        if (string.IsNullOrWhiteSpace(BodyText))
            throw new GraphException(400, "BadRequest", "Empty Payload, JSON content expected.");
        try
        {
            return JsonNode.Parse(BodyText) as JsonObject
                ?? throw new GraphException(400, "BadRequest", "Invalid request body: a JSON object is expected.");
        }
        catch (JsonException ex)
        {
            throw new GraphException(400, "BadRequest", "Unable to read JSON request payload. " + ex.Message);
        }
    }
}

internal sealed class GraphResponse
{
    public GraphResponse(int status, JsonNode? body = null)
    {
        Status = status;
        Body = body;
    }

    public int Status { get; }
    public JsonNode? Body { get; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public GraphResponse With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }
}

/// <summary>An error answer with Graph's <c>{"error":{code,message,innerError}}</c> body.</summary>
internal sealed class GraphException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? RetryAfter { get; init; }
    /// <summary>Extra members of <c>innerError</c> (the documented 429 body has code/status/message there).</summary>
    public IReadOnlyDictionary<string, string>? InnerErrorExtras { get; init; }

    public static GraphException NotFound() =>
        new(404, "ErrorItemNotFound", "The specified object was not found in the store.");

    public static GraphException Validation() =>
        new(400, "ErrorPropertyValidationFailure", "At least one property failed validation.");

    public static GraphException MissingWindow() =>
        new(400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");

    public GraphResponse ToResponse(string requestId, string clientRequestId)
    {
        var inner = new JsonObject();
        if (InnerErrorExtras is not null)
            foreach (var (key, value) in InnerErrorExtras) inner[key] = value;
        inner["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        inner["request-id"] = requestId;
        inner["client-request-id"] = clientRequestId;
        var body = new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = Code, ["message"] = Message, ["innerError"] = inner },
        };
        var response = new GraphResponse(Status, body);
        if (RetryAfter is not null) response.With("Retry-After", RetryAfter);
        return response;
    }
}

/// <summary>Query options with case-insensitive, percent-decoded names (<c>%24top</c> = <c>$top</c> = <c>top</c>).</summary>
internal sealed class QueryOptions
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    public static QueryOptions Parse(string? rawQuery)
    {
        var options = new QueryOptions();
        if (string.IsNullOrEmpty(rawQuery)) return options;
        foreach (var part in rawQuery.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Decode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Decode(part[(eq + 1)..]);
            options._pairs.Add(new(key, value));
        }
        return options;
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    public IEnumerable<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>The value of an option; OData system options match with or without the leading <c>$</c>.</summary>
    public string? Get(string name)
    {
        var bare = name.TrimStart('$');
        foreach (var (key, value) in _pairs)
            if (string.Equals(key.TrimStart('$'), bare, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    public bool Has(string name) => Get(name) is not null;

    /// <summary>Rebuilds a query string with one option replaced (for <c>$skip</c> next links).</summary>
    public string With(string name, string value)
    {
        var bare = name.TrimStart('$');
        var parts = _pairs.Where(p => !string.Equals(p.Key.TrimStart('$'), bare, StringComparison.OrdinalIgnoreCase))
            .Select(p => Uri.EscapeDataString(p.Key).Replace("%24", "$") + "=" + Uri.EscapeDataString(p.Value))
            .Append(name + "=" + Uri.EscapeDataString(value));
        return string.Join("&", parts);
    }
}

/// <summary>The Prefer header: comma-separated preferences whose quoted values may contain commas.</summary>
internal sealed class PreferHeader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public static PreferHeader Parse(IEnumerable<string?> headerValues)
    {
        var prefer = new PreferHeader();
        foreach (var header in headerValues)
        {
            if (string.IsNullOrEmpty(header)) continue;
            foreach (var item in SplitOutsideQuotes(header))
            {
                var eq = item.IndexOf('=');
                var name = (eq < 0 ? item : item[..eq]).Trim();
                var value = eq < 0 ? "" : item[(eq + 1)..].Trim().Trim('"');
                if (name.Length > 0) prefer._values[name] = value;
            }
        }
        return prefer;
    }

    private static IEnumerable<string> SplitOutsideQuotes(string header)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i] == '"') quoted = !quoted;
            else if (header[i] == ',' && !quoted)
            {
                yield return header[start..i];
                start = i + 1;
            }
        }
        yield return header[start..];
    }

    public string? TimeZone => _values.GetValueOrDefault("outlook.timezone");
    public string? BodyContentType => _values.GetValueOrDefault("outlook.body-content-type");
    public string? IdType => _values.GetValueOrDefault("IdType");

    public int? MaxPageSize =>
        int.TryParse(_values.GetValueOrDefault("odata.maxpagesize"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}

internal static class GraphJson
{
    /// <summary>Relaxed escaping so ids with <c>+</c> read like the real service's (<c>"AAMk+x="</c>, not <c>\u002B</c>).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "";

    /// <summary>Graph's dateTime format: 7 fractional digits, no offset.</summary>
    public static string LocalDateTime(DateTime value) => value.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture);

    /// <summary>createdDateTime / lastModifiedDateTime: UTC with Z.</summary>
    public static string UtcStamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    public static string? GetString(this JsonObject obj, string name) =>
        obj.TryGetPropertyValue(name, out var node) && node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>Finds a member by case-insensitive name (request bodies are matched that way).</summary>
    public static JsonNode? GetIgnoreCase(this JsonObject obj, string name)
    {
        foreach (var (key, value) in obj)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }
}
