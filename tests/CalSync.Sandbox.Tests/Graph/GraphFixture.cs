using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Graph;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>One Graph stand-in per test class, with the real SDK client and a raw HTTP client.</summary>
public sealed class GraphFixture : IAsyncLifetime
{
    public GraphService Service { get; private set; } = null!;
    /// <summary>Microsoft.Graph 6.10.0 with its default middleware; retries off so tests see every status.</summary>
    public GraphServiceClient Client { get; private set; } = null!;
    /// <summary>Raw HTTP with the mailbox's bearer token; relative paths resolve under <c>/v1.0/</c>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await GraphService.StartAsync(new GraphServiceOptions { Port = 0 }, CancellationToken.None);
        Client = CreateClient(Service, () => Service.AccessToken);
        Http = new HttpClient { BaseAddress = new Uri(Service.BaseUrl + "/") };
    }

    public static GraphServiceClient CreateClient(GraphService service, Func<string> token, int maxRetry = 0)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        var retry = handlers.ToList().FindIndex(h => h is RetryHandler);
        handlers[retry] = new RetryHandler(new RetryHandlerOption { MaxRetry = maxRetry, Delay = 1 });
        var http = GraphClientFactory.Create(handlers);
        var auth = new BaseBearerTokenAuthenticationProvider(new StaticTokenProvider(token));
        return new GraphServiceClient(http, auth, service.BaseUrl);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, object? json = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Service.AccessToken);
        if (json is not null)
            request.Content = new StringContent(json as string ?? System.Text.Json.JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        return request;
    }

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, object? json = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = Request(method, path, json);
        configure?.Invoke(request);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string path, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, path, null, configure);

    /// <summary>A minimal event JSON in UTC.</summary>
    public static string EventJson(string subject, DateTime startUtc, int minutes = 60, string? extra = null) =>
        $$"""
        {"subject":"{{subject}}","start":{"dateTime":"{{startUtc:yyyy-MM-ddTHH:mm:ss}}","timeZone":"UTC"},"end":{"dateTime":"{{startUtc.AddMinutes(minutes):yyyy-MM-ddTHH:mm:ss}}","timeZone":"UTC"}{{(extra is null ? "" : "," + extra)}}}
        """;

    public static string Window(DateTime from, DateTime to) =>
        $"startDateTime={from:yyyy-MM-ddTHH:mm:ss}Z&endDateTime={to:yyyy-MM-ddTHH:mm:ss}Z";

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Service.DisposeAsync();
    }

    private sealed class StaticTokenProvider(Func<string> token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new(["127.0.0.1"]);

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(AllowedHostsValidator.IsUrlHostValid(uri) ? token() : string.Empty);
    }
}
