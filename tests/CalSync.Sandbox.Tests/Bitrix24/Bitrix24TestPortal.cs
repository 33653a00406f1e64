using Xunit;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Bitrix24;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>A clock the tests move by hand (leaky bucket, token expiry, TIMESTAMP_X, window defaults).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>An HTTP answer: status and parsed JSON body.</summary>
internal sealed record Reply(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Raw)
{
    public JsonNode? Result => Body!["result"];
    public string? Error => (string?)Body!["error"];
    public string? Description => (string?)Body!["error_description"];
}

/// <summary>One in-process stand-in plus a raw HttpClient, as a client library would see it.</summary>
internal sealed class Bitrix24TestPortal : IAsyncDisposable
{
    public static readonly DateTimeOffset DefaultNow = new(2024, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private Bitrix24TestPortal(Bitrix24Service service, ManualClock clock)
    {
        Service = service;
        Clock = clock;
    }

    public Bitrix24Service Service { get; }
    public ManualClock Clock { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public static async Task<Bitrix24TestPortal> StartAsync(string culture = "en", string userZone = "Europe/Berlin",
        string serverZone = "UTC", DateTimeOffset? now = null, bool rateLimit = false, bool userIsAdmin = true)
    {
        var clock = new ManualClock(now ?? DefaultNow);
        var service = await Bitrix24Service.StartAsync(new Bitrix24ServiceOptions
        {
            Culture = culture, UserTimeZone = userZone, ServerTimeZone = serverZone, Clock = clock, RateLimitEnabled = rateLimit,
            UserIsAdmin = userIsAdmin,
        }, CancellationToken.None);
        return new Bitrix24TestPortal(service, clock);
    }

    /// <summary>POST a JSON body to the webhook URL.</summary>
    public Task<Reply> CallAsync(string method, object? body = null) =>
        SendAsync(HttpMethod.Post, Service.WebhookUrl + method, Json(body ?? new { }));

    /// <summary>POST a JSON body to the colleague's webhook URL.</summary>
    public Task<Reply> CallAsColleagueAsync(string method, object? body = null) =>
        SendAsync(HttpMethod.Post, Service.ColleagueWebhookUrl + method, Json(body ?? new { }));

    public Task<Reply> PostFormAsync(string url, string form) =>
        SendAsync(HttpMethod.Post, url, new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"));

    public Task<Reply> PostRawAsync(string url, string body, string contentType) =>
        SendAsync(HttpMethod.Post, url, new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)));

    public Task<Reply> GetAsync(string url) => SendAsync(HttpMethod.Get, url, null);

    public static HttpContent Json(object body) =>
        new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public async Task<Reply> SendAsync(HttpMethod method, string url, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    /// <summary>Adds an event over HTTP and returns its ID (asserting the int result).</summary>
    public async Task<int> AddAsync(object body)
    {
        var reply = await CallAsync("calendar.event.add", body);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Result!.GetValue<int>();
    }

    public async Task<JsonArray> GetEventsAsync(string from, string to)
    {
        var reply = await CallAsync("calendar.event.get", new { type = "user", ownerId = Service.UserId, from, to });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return reply.Result!.AsArray();
    }

    public async Task<JsonObject?> GetByIdAsync(int id) => (await CallAsync("calendar.event.getbyid", new { id })).Result as JsonObject;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
    }
}

internal static class JsonAssert
{
    /// <summary>The node is a JSON string with this exact value (catches numbers-vs-strings drift).</summary>
    public static void String(string expected, JsonNode? node)
    {
        Assert.NotNull(node);
        Assert.Equal(System.Text.Json.JsonValueKind.String, node!.GetValueKind());
        Assert.Equal(expected, node.GetValue<string>());
    }

    public static void Kind(System.Text.Json.JsonValueKind expected, JsonNode? node) =>
        Assert.Equal(expected, node is null ? System.Text.Json.JsonValueKind.Null : node.GetValueKind());
}
