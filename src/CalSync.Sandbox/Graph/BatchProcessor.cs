using System.Text;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>
/// JSON batching: at most 20 requests, unique ids, dependsOn (a failed dependency gives 424), at most four inner
/// requests running at once (Outlook's batch parallelism). The batch answers 200 even when inner requests fail.
/// </summary>
internal static class BatchProcessor
{
    public const int MaxRequests = 20;
    public const int MaxParallel = 4;
    private const string JsonContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

    private sealed record Step(string Id, string Method, string Url, Dictionary<string, string> Headers, string? Body, List<string> DependsOn);

    public static async Task<GraphResponse> ExecuteAsync(GraphRequest outer, Func<GraphRequest, Task<GraphResponse>> execute)
    {
        List<Step> steps, ordered;
        try
        {
            steps = Parse(outer.ReadBodyObject());
            ordered = Order(steps);
        }
        catch (GraphException ex)
        {
            return ex.ToResponse(outer.RequestId, outer.ClientRequestId);
        }

        var results = new Dictionary<string, Task<GraphResponse>>(StringComparer.OrdinalIgnoreCase);
        var gate = new SemaphoreSlim(MaxParallel);
        foreach (var step in ordered)
        {
            var dependencies = step.DependsOn.Select(d => results[d]).ToList();
            results[step.Id] = RunAsync(step, dependencies, gate, outer, execute);
        }
        var responses = new JsonArray();
        foreach (var step in steps)
        {
            var response = await results[step.Id];
            var headers = new JsonObject();
            foreach (var (name, value) in response.Headers) headers[name] = value;
            if (response.Body is not null) headers["Content-Type"] = JsonContentType;
            var item = new JsonObject { ["id"] = step.Id, ["status"] = response.Status, ["headers"] = headers };
            if (response.Body is not null) item["body"] = response.Body.DeepClone();
            responses.Add(item);
        }
        return new GraphResponse(200, new JsonObject { ["responses"] = responses });
    }

    private static async Task<GraphResponse> RunAsync(Step step, List<Task<GraphResponse>> dependencies, SemaphoreSlim gate, GraphRequest outer, Func<GraphRequest, Task<GraphResponse>> execute)
    {
        foreach (var dependency in dependencies)
        {
            if ((await dependency).Status >= 400)
                return new GraphException(424, "FailedDependency", "The request depends on a request that failed.").ToResponse(outer.RequestId, outer.ClientRequestId);
        }
        await gate.WaitAsync();
        try
        {
            return await execute(ToRequest(step, outer));
        }
        finally
        {
            gate.Release();
        }
    }

    private static GraphRequest ToRequest(Step step, GraphRequest outer)
    {
        var url = step.Url;
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            url = absolute.PathAndQuery;
        var q = url.IndexOf('?');
        var path = q < 0 ? url : url[..q];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        if (segments.Count > 0 && segments[0] is "v1.0" or "beta") segments.RemoveAt(0);
        return new GraphRequest
        {
            Method = step.Method,
            Target = "/v1.0" + (url.StartsWith('/') ? url : "/" + url),
            Segments = segments,
            Query = QueryOptions.Parse(q < 0 ? null : url[(q + 1)..]),
            Prefer = PreferHeader.Parse([step.Headers.GetValueOrDefault("Prefer")]),
            IfMatch = step.Headers.GetValueOrDefault("If-Match"),
            BodyText = step.Body,
            ContentType = step.Headers.GetValueOrDefault("Content-Type"),
            RequestId = Guid.NewGuid().ToString(),
            ClientRequestId = step.Headers.GetValueOrDefault("client-request-id") ?? outer.ClientRequestId,
        };
    }

    private static List<Step> Parse(JsonObject body)
    {
        if (body.GetIgnoreCase("requests") is not JsonArray requests) throw Invalid("Invalid batch payload format.");
        if (requests.Count > MaxRequests) throw Invalid($"The number of batch requests exceeds the maximum of {MaxRequests}.");
        var steps = new List<Step>();
        foreach (var node in requests)
        {
            if (node is not JsonObject request) throw Invalid("Invalid batch payload format.");
            var id = Text(request, "id") ?? throw Invalid("Invalid batch payload format: every request needs an id.");
            if (steps.Any(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase)))
                throw Invalid($"Batch request ids must be unique; '{id}' appears more than once.");
            var method = Text(request, "method")?.ToUpperInvariant() ?? throw Invalid("Invalid batch payload format: every request needs a method.");
            var url = Text(request, "url") ?? throw Invalid("Invalid batch payload format: every request needs a url.");
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (request.GetIgnoreCase("headers") is JsonObject h)
                foreach (var (name, value) in h) headers[name] = value is JsonValue v && v.TryGetValue<string>(out var sv) ? sv : value?.ToJsonString() ?? "";
            var bodyNode = request.GetIgnoreCase("body");
            string? bodyText = bodyNode switch
            {
                null => null,
                JsonValue v when v.TryGetValue<string>(out var b64) => Base64OrText(b64),
                _ => bodyNode.ToJsonString(),
            };
            if (bodyText is not null && !headers.ContainsKey("Content-Type"))
                throw Invalid($"Write request id : {id} does not contain Content-Type header or body.");
            var dependsOn = (request.GetIgnoreCase("dependsOn") as JsonArray ?? []).Select(d => d!.GetValue<string>()).ToList();
            steps.Add(new Step(id, method, url, headers, bodyText, dependsOn));
        }
        foreach (var step in steps)
            foreach (var dependency in step.DependsOn)
                if (!steps.Any(s => string.Equals(s.Id, dependency, StringComparison.OrdinalIgnoreCase)))
                    throw Invalid($"Request '{step.Id}' depends on unknown request id '{dependency}'.");
        return steps;
    }

    /// <summary>Dependencies before dependents; a cycle is a malformed batch.</summary>
    private static List<Step> Order(List<Step> steps)
    {
        var ordered = new List<Step>();
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (ordered.Count < steps.Count)
        {
            var ready = steps.Where(s => !done.Contains(s.Id) && s.DependsOn.All(done.Contains)).ToList();
            if (ready.Count == 0) throw Invalid("The dependsOn references form a cycle.");
            foreach (var step in ready)
            {
                ordered.Add(step);
                done.Add(step.Id);
            }
        }
        return ordered;
    }

    private static string Base64OrText(string value)
    {
        try { return Encoding.UTF8.GetString(Convert.FromBase64String(value)); }
        catch (FormatException) { return value; }
    }

    private static string? Text(JsonObject obj, string name) =>
        obj.GetIgnoreCase(name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static GraphException Invalid(string message) => new(400, "BadRequest", message);
}
