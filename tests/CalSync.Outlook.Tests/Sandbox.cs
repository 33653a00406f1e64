using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Outlook;
using CalSync.Outlook.Auth;
using CalSync.Sandbox.Graph;

namespace CalSync.Outlook.Tests;

/// <summary>Helpers around the Graph stand-in: side construction, seeding and raw HTTP for arranging state.</summary>
internal static class Sandbox
{
    public static readonly SyncWindow Window = new(new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 5, 1, 0, 0, 0, DateTimeKind.Utc));

    public static async Task<GraphService> StartAsync()
    {
        var g = await GraphService.StartAsync(new GraphServiceOptions());
        return g;
    }

    public static OutlookConnectionOptions Options(GraphService g, Func<HttpMessageHandler>? handler = null) => new()
    {
        Endpoint = g.BaseUrl,
        AccessToken = g.AccessToken,
        HttpHandlerFactory = handler,
        TokenCacheMode = TokenCacheMode.InMemory,
    };

    public static OutlookCalendarSide Side(GraphService g, OutlookConnectionOptions? options = null, Func<DateTime>? clock = null)
    {
        options ??= Options(g);
        return new OutlookCalendarSide(options, new AccessTokenSource(options.AccessToken ?? g.AccessToken), clock ?? (() => DateTime.UtcNow));
    }

    public static string Seed(GraphService g, string subject, string start, string end, string zone = "UTC", string extra = "") =>
        g.SeedEvent($$"""
        {"subject":"{{subject}}","body":{"contentType":"html","content":"<html><body><p>Agenda for <b>{{subject}}</b></p></body></html>"},
         "start":{"dateTime":"{{start}}","timeZone":"{{zone}}"},"end":{"dateTime":"{{end}}","timeZone":"{{zone}}"}{{extra}}}
        """);

    public static HttpClient Raw(GraphService g)
    {
        var http = new HttpClient { BaseAddress = new Uri(g.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", g.AccessToken);
        http.DefaultRequestHeaders.Add("Prefer", "outlook.timezone=\"UTC\"");
        return http;
    }

    public static string Path(string id) => "me/events/" + Uri.EscapeDataString(id);

    public static async Task<JsonArray> InstancesAsync(GraphService g, string seriesId, string from, string to)
    {
        using var http = Raw(g);
        var json = await http.GetStringAsync($"{Path(seriesId)}/instances?startDateTime={from}&endDateTime={to}");
        return JsonNode.Parse(json)!["value"]!.AsArray();
    }

    public static async Task SendAsync(GraphService g, HttpMethod method, string relative, string? body = null)
    {
        using var http = Raw(g);
        using var request = new HttpRequestMessage(method, relative);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {relative}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A stable text of a snapshot's events (records hold lists, so compare their JSON).</summary>
    public static string Text(IEnumerable<CalEvent> events) => JsonSerializer.Serialize(events.OrderBy(e => e.Id, StringComparer.Ordinal));

    public static CalEvent Single(string title, DateTime startUtc, int minutes = 60, string zone = "Europe/Berlin") => new()
    {
        Title = title,
        Description = "About " + title,
        Location = "Room 1",
        Start = EventTime.Timed(startUtc, zone),
        End = EventTime.Timed(startUtc.AddMinutes(minutes), zone),
        ReminderMinutes = 15,
        Categories = new[] { "Work" },
    };

    public static IEnumerable<RecordedRequestView> Requests(GraphService g) =>
        g.Journal.Requests.Select(r => new RecordedRequestView(r.Method, Uri.UnescapeDataString(r.PathAndQuery), r.PathAndQuery, r.Body));
}

internal sealed record RecordedRequestView(string Method, string Path, string RawPath, string Body);
