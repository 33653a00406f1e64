using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// A local Bitrix24 portal with the calendar REST methods (docs/bitrix24-api.md): webhook and OAuth routes, the success and
/// error envelopes, batch, the leaky bucket and operating limit, culture-formatted dates and recurrence expansion.
/// It runs its own Kestrel on 127.0.0.1; <c>/_sandbox/</c> on the same port is the control API.
/// </summary>
public sealed class Bitrix24Service : IAsyncDisposable
{
    private static readonly JsonSerializerOptions WireJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Bitrix24ServiceOptions _options;
    private readonly Portal _portal;
    private readonly CalendarState _state;
    private readonly RestDispatcher _dispatcher;
    private readonly BatchRunner _batch;
    private readonly LeakyBucket _bucket;
    private readonly OperatingMeter _meter;
    private readonly OAuthAuthority _oauth;
    private readonly AuthorizePage _authorize;
    private readonly ControlApi _control;
    private WebApplication? _app;
    private volatile bool _webhookRevoked;
    private IReadOnlyCollection<string> _webhookScopes;

    private Bitrix24Service(Bitrix24ServiceOptions options)
    {
        _options = options;
        _portal = new Portal(options);
        _state = new CalendarState(_portal);
        Limits = NewLimits(options);
        _meter = new OperatingMeter(options.Clock);
        _bucket = new LeakyBucket(options.Clock, Limits);
        _dispatcher = new RestDispatcher(_portal, _state, Limits, _meter);
        _batch = new BatchRunner(_dispatcher, _portal, Journal, Faults);
        _oauth = new OAuthAuthority(_portal);
        _authorize = new AuthorizePage(_oauth, () => $"127.0.0.1:{Port}");
        _control = new ControlApi(this);
        _webhookScopes = options.WebhookScopes.ToArray();
        WebhookSecret = options.WebhookSecret ?? RandomNumberGeneratorString(16);
        ColleagueWebhookSecret = RandomNumberGeneratorString(16);
    }

    public static async Task<Bitrix24Service> StartAsync(Bitrix24ServiceOptions options, CancellationToken cancellationToken = default)
    {
        var service = new Bitrix24Service(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // An embedded service must not take over the process's SIGTERM/SIGINT (the host program owns shutdown).
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        app.Run(service.HandleAsync);
        await app.StartAsync(cancellationToken);
        service._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service.Port = new Uri(address).Port;
        return service;
    }

    public int Port { get; private set; }
    /// <summary><c>http://127.0.0.1:PORT</c></summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    /// <summary><c>http://127.0.0.1:PORT/rest/1/&lt;secret&gt;/</c>; append the method name.</summary>
    public string WebhookUrl => $"{BaseUrl}/rest/{UserId}/{WebhookSecret}/";
    public string WebhookSecret { get; }
    /// <summary>The colleague's webhook (another user of the portal, who invites the user to meetings); append the method name.</summary>
    public string ColleagueWebhookUrl => $"{BaseUrl}/rest/{ColleagueId}/{ColleagueWebhookSecret}/";
    private string ColleagueWebhookSecret { get; }
    public int ColleagueId => _portal.ColleagueId;
    /// <summary>OAuth REST base (<c>client_endpoint</c>): <c>http://127.0.0.1:PORT/rest/</c>.</summary>
    public string OAuthRestUrl => $"{BaseUrl}/rest/";
    /// <summary>The token endpoint: <c>http://127.0.0.1:PORT/oauth/token/</c>.</summary>
    public string OAuthTokenUrl => $"{BaseUrl}/oauth/token/";
    /// <summary>The authorize page of the browser sign-in: <c>http://127.0.0.1:PORT/oauth/authorize/</c>.</summary>
    public string OAuthAuthorizeUrl => $"{BaseUrl}/oauth/authorize/";
    public string ClientId => _oauth.ClientId;
    public string ClientSecret => _oauth.ClientSecret;
    public int UserId => _portal.UserId;
    /// <summary>The user's default calendar (events added without <c>section</c> land here).</summary>
    public int DefaultSectionId { get { lock (_state.Gate) return _state.DefaultSectionId; } }

    public FaultKnobs Faults { get; } = new();
    public RequestJournal Journal { get; } = new();
    public Bitrix24Limits Limits { get; }

    /// <summary>Portal culture, "en" or "de": date formats and the language of calendar errors.</summary>
    public string Culture
    {
        get => _portal.Culture.Code;
        set => _portal.Culture = PortalCulture.For(value);
    }

    /// <summary>Server zone (IANA): TIMESTAMP_X, <c>time.date_start</c> and the DATE_FROM_TS_UTC skew.</summary>
    public string ServerTimeZone
    {
        get => _portal.ServerZoneId;
        set => _portal.SetServerZone(value);
    }

    /// <summary>Scopes of the webhook; without <c>calendar</c>, calendar methods answer insufficient_scope.</summary>
    public IReadOnlyCollection<string> WebhookScopes
    {
        get => _webhookScopes;
        set => _webhookScopes = value.ToArray();
    }

    public bool WebhookRevoked => _webhookRevoked;

    /// <summary>A fresh token pair for the local app (as if the user had authorized it).</summary>
    public (string AccessToken, string RefreshToken) IssueOAuthTokens() => _oauth.Issue(["calendar"]);

    public (string AccessToken, string RefreshToken) IssueOAuthTokens(IReadOnlyList<string> scopes) => _oauth.Issue(scopes);

    /// <summary>An authorization code for <c>grant_type=authorization_code</c> (lives 30 s).</summary>
    public string IssueAuthorizationCode() => _oauth.IssueCode(["calendar"]);

    public string IssueAuthorizationCode(IReadOnlyList<string> scopes) => _oauth.IssueCode(scopes);

    /// <summary>On the authorize page the simulated user presses Deny (the browser goes back with error=access_denied). Cleared by <see cref="Reset"/>.</summary>
    public bool BrowserSignInDeclines { get => _authorize.UserDeclines; set => _authorize.UserDeclines = value; }

    /// <summary>The scopes a browser sign-in grants (the app's card); default calendar and user_brief. Cleared by <see cref="Reset"/>.</summary>
    public IReadOnlyList<string> BrowserSignInScopes { get => _authorize.Scopes; set => _authorize.Scopes = value.ToArray(); }

    /// <summary>The authorize requests seen (state and other values left out).</summary>
    public IReadOnlyList<string> SignInRequests => _authorize.Requests;

    /// <summary>Every access token issued so far answers 401 expired_token from now on.</summary>
    public void ExpireAccessTokens() => _oauth.ExpireAccessTokens();

    /// <summary>Every refresh token issued so far answers invalid_grant.</summary>
    public void RevokeRefreshTokens() => _oauth.RevokeRefreshTokens();

    /// <summary>The webhook answers INVALID_CREDENTIALS until <see cref="RestoreWebhook"/> or <see cref="Reset"/>.</summary>
    public void RevokeWebhook() => _webhookRevoked = true;

    public void RestoreWebhook() => _webhookRevoked = false;

    /// <summary>
    /// Write calls (top level or in a batch) for which this returns true are refused the way the portal refuses an event it
    /// will not save: HTTP 400 (inside a batch: that command's error), an empty error code and the culture's text. Gets the
    /// method and its decoded parameters. Cleared by <see cref="Reset"/>.
    /// </summary>
    public Func<string, JsonObject, bool>? RefuseWrite
    {
        get => _dispatcher.RefuseWrite;
        set => _dispatcher.RefuseWrite = value;
    }

    /// <summary>Probe knob (bitrix24-update-skip-time): an update without skip_time keeps an all-day event all-day.</summary>
    public bool UpdateKeepsSkipTime { get => _portal.UpdateKeepsSkipTime; set => _portal.UpdateKeepsSkipTime = value; }
    /// <summary>Probe knob (bitrix24-update-zones): an update without zones keeps the event's zones.</summary>
    public bool UpdateKeepsZones { get => _portal.UpdateKeepsZones; set => _portal.UpdateKeepsZones = value; }
    /// <summary>Probe knob (bitrix24-this-mode-reminder): a recurrence_mode=this edit gives the new row the remind sent.</summary>
    public bool ThisModeTakesRemind { get => _portal.ThisModeTakesRemind; set => _portal.ThisModeTakesRemind = value; }
    /// <summary>Probe knob (bitrix24-timestamp-zone): TIMESTAMP_X written in this zone instead of the server's.</summary>
    public string? TimestampXZone { get => _portal.TimestampXZone; set => _portal.TimestampXZone = value; }
    /// <summary>Probe knob (bitrix24-date-format): DATE_FROM/DATE_TO in this .NET format instead of the culture's.</summary>
    public string? EventDateFormat { get => _portal.EventDateFormat; set => _portal.EventDateFormat = value; }
    /// <summary>Probe knob (bitrix24-batch-result-reference): batch passes $result[...] on as text.</summary>
    public bool BatchIgnoresResultReferences { get => _portal.BatchIgnoresResultReferences; set => _portal.BatchIgnoresResultReferences = value; }
    /// <summary>Probe knob (bitrix24-rate-limit): the rate limit is answered 429 TOO_MANY_REQUESTS.</summary>
    public bool QueryLimitAs429 { get => _portal.QueryLimitAs429; set => _portal.QueryLimitAs429 = value; }

    /// <summary>The next <paramref name="count"/> API requests get 503 QUERY_LIMIT_EXCEEDED, whatever the bucket says.</summary>
    public void ForceQueryLimit(int count) => _bucket.Force(count);

    /// <summary>Adds an event exactly as <c>calendar.event.add</c> would (type=user and ownerId=UserId by default).</summary>
    public int SeedEvent(IDictionary<string, object?> addParams)
    {
        var p = ToParams(addParams);
        p.TryAdd("type", "user");
        p.TryAdd("ownerId", UserId);
        return RestParams.ToInt(_dispatcher.InvokeDirect("calendar.event.add", p));
    }

    /// <summary>Adds a calendar of the user; a non-local <paramref name="externalType"/> mimics a connector-synced one.</summary>
    public int SeedSection(string name, string externalType = "local")
    {
        lock (_state.Gate) return _state.AddSection(name, "user", UserId, externalType).Id;
    }

    /// <summary>Cancels one occurrence the way the Bitrix24 UI does: its date is added to the master's EXDATE.</summary>
    public void ExcludeOccurrence(int eventId, DateOnly date)
    {
        lock (_state.Gate)
        {
            var master = _state.Event(eventId) ?? throw new ArgumentException($"no event {eventId}", nameof(eventId));
            _state.Put(master with
            {
                ExcludedDates = master.ExcludedDates.Append(date).Distinct().ToList(),
                Version = master.Version + 1,
                ModifiedUtc = _portal.UtcNow,
            });
        }
    }

    /// <summary>Runs any REST method in-process (no auth, limits, faults or journal), e.g. an update with recurrence_mode.</summary>
    public JsonNode? Call(string method, IDictionary<string, object?>? parameters = null) =>
        _dispatcher.InvokeDirect(method, ToParams(parameters ?? new Dictionary<string, object?>()));

    /// <summary>As <see cref="Call"/>, as the colleague (e.g. the colleague invites the user to a meeting).</summary>
    public JsonNode? CallAsColleague(string method, IDictionary<string, object?> parameters) =>
        _dispatcher.InvokeAs(ColleagueId, method, ToParams(parameters));

    public IReadOnlyList<Bitrix24Event> GetEvents(bool includeDeleted = false)
    {
        lock (_state.Gate) return _state.Events.Where(e => includeDeleted || !e.Deleted).ToList();
    }

    public IReadOnlyList<Bitrix24Section> GetSections(bool includeDeleted = false)
    {
        lock (_state.Gate) return _state.Sections.Where(s => includeDeleted || s.Active).ToList();
    }

    /// <summary>Empty calendar (default section only), default knobs, empty journal. Credentials stay valid.</summary>
    public void Reset()
    {
        _state.Reset();
        Faults.Reset();
        Journal.Clear();
        CopyLimits(NewLimits(_options), Limits);
        _bucket.Reset();
        _meter.Reset();
        _webhookRevoked = false;
        _authorize.Reset();
        _dispatcher.RefuseWrite = null;
        (UpdateKeepsSkipTime, UpdateKeepsZones, ThisModeTakesRemind, BatchIgnoresResultReferences, QueryLimitAs429) = (false, false, false, false, false);
        (TimestampXZone, EventDateFormat) = (null, null);
        _webhookScopes = _options.WebhookScopes.ToArray();
        Culture = _options.Culture;
        ServerTimeZone = _options.ServerTimeZone;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith("/_sandbox/", StringComparison.OrdinalIgnoreCase))
        {
            await _control.HandleAsync(context, path["/_sandbox/".Length..].TrimEnd('/'));
            return;
        }
        if (path.TrimEnd('/').Equals("/oauth/authorize", StringComparison.OrdinalIgnoreCase))
        {
            await _authorize.HandleAsync(context);
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        var parameters = new RestParams(RequestParameters(context.Request, body));
        var isToken = path.TrimEnd('/').Equals("/oauth/token", StringComparison.OrdinalIgnoreCase);
        var route = isToken ? new RestRoute("", false, 0, null) : Route(path);
        var isWrite = route.Method == "batch"
            ? BatchRunner.Commands(parameters).Any(c => _dispatcher.IsWrite(BatchRunner.MethodOf(c.Command)))
            : _dispatcher.IsWrite(route.Method);
        // The journal keeps the decoded parameters (query and body merged), whatever the encoding was.
        var record = Journal.Record(context.Request.Method, path + context.Request.QueryString, parameters.Values.ToJsonString(WireJson), isWrite);
        if (!await FaultInjection.BeforeAsync(context, Faults, isWrite, Journal.WriteCount, WriteServerErrorAsync)) return;
        if (isToken)
        {
            var (status, answer) = _oauth.Token(parameters, OAuthRestUrl, $"127.0.0.1:{Port}");
            await WriteAsync(context, status, answer);
            return;
        }

        var start = _portal.Clock.GetUtcNow();
        try
        {
            var caller = Authenticate(route, parameters);
            if (!_bucket.TryAcquire())
                throw _portal.QueryLimitAs429 ? new Bitrix24RestException("TOO_MANY_REQUESTS", "Too many requests", 429) : new Bitrix24RestException("QUERY_LIMIT_EXCEEDED", "Too many requests", 503);
            JsonObject time;
            JsonNode? result;
            if (route.Method == "batch")
            {
                // The outer batch call is not metered; each sub-call is, against its own method (docs/bitrix24-api.md, "The operating limit").
                var watch = Stopwatch.StartNew();
                result = _batch.Run(parameters, caller);
                // No bucket of its own: getResetTime falls back to the request's first call, the batch, plus ten minutes.
                time = Envelope.Time(_portal, start, watch.Elapsed.TotalSeconds, 0, start.ToUnixTimeSeconds() + OperatingMeter.WindowSeconds);
            }
            else
            {
                (result, var processing, var operating, var resetAt) = _dispatcher.Invoke(route.Method, parameters, caller);
                if (isWrite) Journal.OnWriteHandled(record);
                time = Envelope.Time(_portal, start, processing, operating, resetAt);
            }
            await WriteAsync(context, 200, new JsonObject { ["result"] = result, ["time"] = time }, Journal);
        }
        catch (Bitrix24RestException error)
        {
            await WriteAsync(context, error.Status, Envelope.Error(error), Journal);
        }
        catch (PhpFatalError)
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(PhpFatalError.Page, context.RequestAborted);
        }
    }

    private sealed record RestRoute(string Method, bool IsWebhook, int UserId, string? Secret);

    /// <summary><c>/rest/{user}/{secret}/{method}[.json]</c> (webhook) or <c>/rest/{method}[.json]</c> (OAuth).</summary>
    private static RestRoute Route(string path)
    {
        var segments = path.StartsWith("/rest/", StringComparison.OrdinalIgnoreCase)
            ? path["/rest/".Length..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            : [];
        static string Method(string name)
        {
            name = name.ToLowerInvariant();
            return name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name;
        }
        return segments.Length switch
        {
            3 => new RestRoute(Method(segments[2]), true, int.TryParse(segments[0], out var user) ? user : -1, segments[1]),
            1 => new RestRoute(Method(segments[0]), false, 0, null),
            _ => new RestRoute("", segments.Length == 2, 0, null),
        };
    }

    private Caller Authenticate(RestRoute route, RestParams parameters)
    {
        if (route.Method.Length == 0) throw new Bitrix24RestException("ERROR_METHOD_NOT_FOUND", "Method not found!", 404);
        if (route.IsWebhook)
        {
            if (route.UserId == ColleagueId && route.Secret == ColleagueWebhookSecret)
                return new Caller("webhook:" + ColleagueWebhookSecret, true, ["calendar"], ColleagueId);
            if (_webhookRevoked || route.UserId != UserId || route.Secret != WebhookSecret)
                throw new Bitrix24RestException("INVALID_CREDENTIALS", "Invalid request credentials", Limits.AuthErrorStatus);
            return new Caller("webhook:" + WebhookSecret, true, _webhookScopes, UserId);
        }
        var token = parameters.String("auth") is { Length: > 0 } auth ? auth : parameters.String("access_token");
        if (string.IsNullOrEmpty(token)) throw new Bitrix24RestException("NO_AUTH_FOUND", "Wrong authorization data", 401);
        var caller = _oauth.Authenticate(token);
        parameters.Values.Remove("auth");
        parameters.Values.Remove("access_token");
        return caller;
    }

    /// <summary>
    /// Query parameters, overridden by the body: JSON only for exactly <c>application/json</c> (invalid JSON silently
    /// counts as no parameters), parse_str for anything else (docs/bitrix24-api.md, "Transport: routes and parameters").
    /// </summary>
    private static JsonObject RequestParameters(HttpRequest request, string body)
    {
        var query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        var values = PhpQuery.Parse(query);
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            JsonObject? json = null;
            try { json = JsonNode.Parse(body) as JsonObject; }
            catch (JsonException) { }
            foreach (var (key, value) in json?.ToList() ?? [])
            {
                json!.Remove(key);
                values[key] = value;
            }
        }
        else if (body.Length > 0 && !mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            PhpQuery.Parse(body, values);
        }
        return values;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    }

    internal static async Task WriteAsync(HttpContext context, int status, JsonNode? body, RequestJournal? journal = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.AccessControlAllowOrigin = "*";
        var text = body?.ToJsonString(WireJson) ?? "null";
        journal?.OnAnswered(Encoding.UTF8.GetByteCount(text));
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static Task WriteServerErrorAsync(HttpContext context) =>
        WriteAsync(context, 500, Envelope.Error(new Bitrix24RestException("INTERNAL_SERVER_ERROR", "Internal server error", 500)));

    private static JsonObject ToParams(IDictionary<string, object?> values) =>
        JsonSerializer.SerializeToNode(values) as JsonObject ?? new JsonObject();

    private static Bitrix24Limits NewLimits(Bitrix24ServiceOptions options) => new()
    {
        LeakyBucketEnabled = options.RateLimitEnabled,
        BurstLimit = options.BurstLimit,
        DrainPerSecond = options.DrainPerSecond,
    };

    private static void CopyLimits(Bitrix24Limits from, Bitrix24Limits to)
    {
        to.LeakyBucketEnabled = from.LeakyBucketEnabled;
        to.BurstLimit = from.BurstLimit;
        to.DrainPerSecond = from.DrainPerSecond;
        to.OperatingLimitEnabled = from.OperatingLimitEnabled;
        to.OperatingLimit = from.OperatingLimit;
        to.SimulatedProcessingTime = from.SimulatedProcessingTime;
        to.AuthErrorStatus = from.AuthErrorStatus;
    }

    private static string RandomNumberGeneratorString(int length) =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);

    internal int ForcedQueryLimitRemaining => _bucket.ForcedRemaining;

    /// <summary>A host lifetime that neither waits for nor reacts to console signals.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
