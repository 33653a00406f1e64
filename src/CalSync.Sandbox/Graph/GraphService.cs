using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace CalSync.Sandbox.Graph;

public sealed class GraphServiceOptions
{
    /// <summary>Port of the Graph API (http); 0 picks a free port.</summary>
    public int Port { get; init; }
    /// <summary>Port of the sign-in endpoints (https); 0 picks a free port.</summary>
    public int SignInPort { get; init; }
    public string UserDisplayName { get; init; } = "Alex Sandbox";
    public string UserEmail { get; init; } = "alex.sandbox@outlook.com";
    /// <summary>Seed for ids and change keys, so runs are repeatable.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>
/// The local Outlook.com stand-in: Microsoft Graph v1.0 calendar endpoints at <see cref="BaseUrl"/> (http), the
/// control API under <c>/_sandbox/</c> on the same port, and the MSAL sign-in endpoints at <see cref="AuthorityUrl"/>
/// (https, self-signed). What it emulates, and from which doc page: docs/graph-api.md.
/// </summary>
public sealed class GraphService : IAsyncDisposable
{
    private const string JsonContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

    private WebApplication? _app;
    private readonly Mailbox _mailbox;
    private readonly DeltaSync _delta = new();
    private readonly GraphSettings _settings = new();
    private readonly MailboxThrottle _throttle = new();
    private readonly AccessTokens _tokens = new();
    private readonly SignInEndpoints _signIn;
    private readonly GraphApi _api;
    private int _apiPort;
    private int _signInPort;

    private GraphService(GraphServiceOptions options)
    {
        var userId = new Random(options.Seed).NextInt64(0x1000_0000_0000_0000, long.MaxValue).ToString("x16");
        _mailbox = new Mailbox(options.Seed, userId, options.UserDisplayName, options.UserEmail);
        _signIn = new SignInEndpoints(_tokens, _mailbox);
        _api = new GraphApi(_mailbox, _delta, _settings, () => BaseUrl);
    }

    public static async Task<GraphService> StartAsync(GraphServiceOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        // The host process owns Ctrl+C/SIGTERM: the default console lifetime would block process exit waiting for Run().
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        var service = new GraphService(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Listen(IPAddress.Loopback, options.SignInPort, listen => listen.UseHttps(service._signIn.Certificate));
        });
        var app = service._app = builder.Build();
        app.Run(service.HandleAsync);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        service._apiPort = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal))).Port;
        service._signInPort = new Uri(addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal))).Port;
        service._signIn.Origin = $"https://127.0.0.1:{service._signInPort}";
        return service;
    }

    // ---- addresses and credentials ------------------------------------------------------------

    /// <summary><c>http://127.0.0.1:PORT/v1.0</c>: the version segment must be exactly 5 characters for the SDK's batch serializer.</summary>
    public string BaseUrl => $"http://127.0.0.1:{_apiPort}/v1.0";
    /// <summary>Root of the control API (<c>http://127.0.0.1:PORT/_sandbox</c>).</summary>
    public string ControlUrl => $"http://127.0.0.1:{_apiPort}/_sandbox";
    /// <summary>A bearer token the API accepts for the mailbox (replaced by <see cref="ExpireAccessTokens"/>).</summary>
    public string AccessToken => _tokens.Default;
    /// <summary>The authority to give MSAL (<c>https://127.0.0.1:PORT/consumers</c>); trust <see cref="SignInCertificate"/>.</summary>
    public string AuthorityUrl => $"https://127.0.0.1:{_signInPort}/consumers";
    /// <summary>The sign-in listener's self-signed certificate.</summary>
    public X509Certificate2 SignInCertificate => _signIn.Certificate;
    public string UserId => _mailbox.UserId;
    public string UserEmail => _mailbox.Email;

    /// <summary>
    /// An HTTP handler for MSAL's <c>IMsalHttpClientFactory</c>: trusts the sign-in certificate and sends requests
    /// meant for the real identity hosts (login.microsoftonline.com, …) to this stand-in, so MSAL's instance
    /// discovery lands here too and the real authority URL can be used as well as <see cref="AuthorityUrl"/>.
    /// </summary>
    public HttpMessageHandler CreateSignInHttpHandler() => new SignInRedirectHandler(new Uri(_signIn.Origin))
    {
        InnerHandler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => _signIn.IsOurs(certificate as X509Certificate2, errors) },
        },
    };

    private sealed class SignInRedirectHandler(Uri origin) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { } uri && uri.Authority != origin.Authority)
                request.RequestUri = new Uri(origin, uri.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Every request MSAL made to the sign-in endpoints ("POST /consumers/oauth2/v2.0/token grant_type=…").</summary>
    public IReadOnlyList<string> SignInRequests => _signIn.Requests;

    // ---- knobs ----------------------------------------------------------------------------------

    public FaultKnobs Faults { get; } = new();
    public RequestJournal Journal { get; } = new();

    /// <summary>Delta (and skip) tokens older than this answer 410 SyncStateNotFound; null: they live until evicted.</summary>
    public TimeSpan? DeltaTokenLifetime { get => _delta.TokenLifetime; set => _delta.TokenLifetime = value; }
    /// <summary>Empty pages (<c>"value": []</c> plus a nextLink) at the start of every delta round.</summary>
    public int EmptyDeltaPages { get => _delta.EmptyPagesPerRound; set => _delta.EmptyPagesPerRound = value; }
    /// <summary>Delta pages name their nextLink/deltaLink after "value" (default: before it, as documented; the service's order is unconfirmed).</summary>
    public bool DeltaLinksAfterValue { get => _delta.LinksAfterValue; set => _delta.LinksAfterValue = value; }
    public int DefaultPageSize { get => _settings.DefaultPageSize; set => _settings.DefaultPageSize = value; }
    public int MaxPageSize { get => _settings.MaxPageSize; set => _settings.MaxPageSize = value; }
    /// <summary>Delta items of type occurrence carry only id, seriesMasterId, type, start and end.</summary>
    public bool ThinOccurrences { get => _settings.ThinOccurrences; set => _settings.ThinOccurrences = value; }
    /// <summary>PATCH/DELETE with a stale If-Match answer 412 ErrorIrresolvableConflict (undocumented for events: off by default).</summary>
    public bool EnforceIfMatch { get => _settings.EnforceIfMatch; set => _settings.EnforceIfMatch = value; }
    /// <summary>Status of a POST repeating a known transactionId (it returns the existing event); UNCONFIRMED, so settable.</summary>
    public int DuplicateTransactionStatus { get => _settings.DuplicateTransactionStatus; set => _settings.DuplicateTransactionStatus = value; }
    /// <summary>Delta on a calendar other than the default one answers 400 (v1.0 documents it for the primary calendar only).</summary>
    public bool RefuseSecondaryCalendarDelta { get => _settings.RefuseSecondaryCalendarDelta; set => _settings.RefuseSecondaryCalendarDelta = value; }
    /// <summary>Probe knob (graph-delta-tombstone): an item moved out of the window gets no tombstone in delta.</summary>
    public bool OmitMoveOutTombstones { get => _delta.OmitMoveOutTombstones; set { lock (_mailbox.Gate) _delta.OmitMoveOutTombstones = value; } }
    /// <summary>Probe knob (graph-maxpagesize): delta pages ignore Prefer odata.maxpagesize.</summary>
    public bool DeltaIgnoresMaxPageSize { get => _settings.DeltaIgnoresMaxPageSize; set => _settings.DeltaIgnoresMaxPageSize = value; }
    /// <summary>Probe knob (graph-delta-timezone): delta answers in Pacific Standard Time whatever Prefer outlook.timezone says.</summary>
    public bool DeltaIgnoresTimeZone { get => _settings.DeltaIgnoresTimeZone; set => _settings.DeltaIgnoresTimeZone = value; }
    /// <summary>Probe knob (graph-stamp-filter): startswith on an extended property's value answers 400.</summary>
    public bool RefuseStampStartsWith { get => _settings.RefuseStampStartsWith; set => _settings.RefuseStampStartsWith = value; }
    /// <summary>Probe knob (graph-transaction-id): a repeated transactionId makes a second event.</summary>
    public bool IgnoreTransactionId { get { lock (_mailbox.Gate) return _mailbox.IgnoreTransactionId; } set { lock (_mailbox.Gate) _mailbox.IgnoreTransactionId = value; } }
    /// <summary>Probe knob (graph-dst-gap): a start in a DST gap is taken an hour earlier on create.</summary>
    public bool DstGapBackward { get { lock (_mailbox.Gate) return _mailbox.DstGapBackward; } set { lock (_mailbox.Gate) _mailbox.DstGapBackward = value; } }
    /// <summary>Rate limit and concurrency limit (10,000 per 10 minutes, 4 at once); on by default.</summary>
    public bool ThrottlingEnabled { get => _throttle.Enabled; set => _throttle.Enabled = value; }
    public int ThrottleRequestLimit { get => _throttle.RequestLimit; set => _throttle.RequestLimit = value; }
    public TimeSpan ThrottleWindow { get => _throttle.Window; set => _throttle.Window = value; }
    public int ConcurrencyLimit { get => _throttle.ConcurrencyLimit; set => _throttle.ConcurrencyLimit = value; }
    /// <summary>Highest number of mailbox requests (including inner batch requests) that ran at once.</summary>
    public int MaxObservedConcurrency => _throttle.MaxObservedConcurrency;
    /// <summary>Mailbox requests running now (tests wait for it instead of racing the clock).</summary>
    public int RequestsInFlight => _throttle.InFlight;
    /// <summary>Simulated server work per mailbox request (also inside $batch): makes concurrency observable.</summary>
    public TimeSpan OperationLatency { get; set; }
    /// <summary>Retry-After seconds on injected 5xx answers (null: no header).</summary>
    public int? ServerErrorRetryAfterSeconds { get; set; } = 1;
    /// <summary>expires_in of access tokens from the sign-in endpoints (they stop working after it, too).</summary>
    public TimeSpan SignInAccessTokenLifetime { get => _signIn.AccessTokenLifetime; set => _signIn.AccessTokenLifetime = value; }
    public int DeviceCodePendingPolls { get => _signIn.DeviceCodePendingPolls; set => _signIn.DeviceCodePendingPolls = value; }
    public int DeviceCodeIntervalSeconds { get => _signIn.DeviceCodeIntervalSeconds; set => _signIn.DeviceCodeIntervalSeconds = value; }
    /// <summary>The browser sign-in page's simulated user presses Decline (the app gets error=access_denied).</summary>
    public bool BrowserSignInDeclines { get => _signIn.Browser.UserDeclines; set => _signIn.Browser.UserDeclines = value; }
    /// <summary>How long the browser sign-in page's simulated user waits before pressing Accept (or Decline).</summary>
    public TimeSpan BrowserSignInDelay { get => _signIn.Browser.UserDelay; set => _signIn.Browser.UserDelay = value; }
    /// <summary>How long an authorization code from the browser sign-in can be redeemed.</summary>
    public TimeSpan AuthorizationCodeLifetime { get => _signIn.Browser.CodeLifetime; set => _signIn.Browser.CodeLifetime = value; }

    /// <summary>The next <paramref name="count"/> API requests get 429 TooManyRequests with this Retry-After.</summary>
    public void ThrottleNext(int count, int retryAfterSeconds) => _throttle.ThrottleNext(count, retryAfterSeconds);

    public void ExpireDeltaTokens()
    {
        lock (_mailbox.Gate) _delta.ExpireAll();
    }

    /// <summary>Tokens issued so far answer 401 InvalidAuthenticationToken; <see cref="AccessToken"/> becomes a new one.</summary>
    public void ExpireAccessTokens() => _tokens.ExpireAll();

    /// <summary>Knobs back to defaults, journal and throttle state cleared; with <paramref name="clearEvents"/> the mailbox is emptied too.</summary>
    public void Reset(bool clearEvents = false)
    {
        Faults.Reset();
        Journal.Clear();
        _throttle.Reset();
        _throttle.Enabled = true;
        _throttle.RequestLimit = 10_000;
        _throttle.Window = TimeSpan.FromMinutes(10);
        _throttle.ConcurrencyLimit = 4;
        var defaults = new GraphSettings();
        (DefaultPageSize, MaxPageSize, ThinOccurrences, EnforceIfMatch, DuplicateTransactionStatus) =
            (defaults.DefaultPageSize, defaults.MaxPageSize, defaults.ThinOccurrences, defaults.EnforceIfMatch, defaults.DuplicateTransactionStatus);
        RefuseSecondaryCalendarDelta = defaults.RefuseSecondaryCalendarDelta;
        (DeltaIgnoresMaxPageSize, DeltaIgnoresTimeZone, RefuseStampStartsWith, IgnoreTransactionId, DstGapBackward, OmitMoveOutTombstones) = (false, false, false, false, false, false);
        OperationLatency = TimeSpan.Zero;
        ServerErrorRetryAfterSeconds = 1;
        BrowserSignInDeclines = false;
        BrowserSignInDelay = TimeSpan.FromMilliseconds(300);
        lock (_mailbox.Gate)
        {
            _delta.TokenLifetime = null;
            _delta.EmptyPagesPerRound = 0;
            _delta.LinksAfterValue = false;
            if (clearEvents)
            {
                _delta.ExpireAll();
                _mailbox.Reset();
            }
        }
    }

    // ---- in-process seeding and inspection --------------------------------------------------------

    /// <summary>Creates an event exactly as <c>POST /me/events</c> would (same validation); returns its id.</summary>
    public string SeedEvent(string graphEventJson) => SeedEvent(graphEventJson, calendarId: null);

    /// <summary>Creates an event in the given calendar (default calendar when null); returns its id.</summary>
    public string SeedEvent(string graphEventJson, string? calendarId)
    {
        var segments = calendarId is null ? new[] { "me", "events" } : ["me", "calendars", calendarId, "events"];
        var response = _api.Handle(InProcess("POST", segments, graphEventJson));
        if (response.Status != 201)
            throw new InvalidOperationException($"Seeding failed ({response.Status}): {GraphJson.Serialize(response.Body)}");
        return response.Body!["id"]!.GetValue<string>();
    }

    /// <summary>Stored singles and series masters as <c>GET /me/events</c> returns them (UTC, with extended properties and extensions).</summary>
    public IReadOnlyList<JsonObject> GetEvents()
    {
        var options = new RenderOptions { ExpandExtendedProperties = [], ExpandExtensions = [], Select = null };
        lock (_mailbox.Gate)
            return _mailbox.Events.OrderBy(e => e.Created).Select(e => EventRenderer.Render(_mailbox.Single(e), _mailbox, options)).ToList();
    }

    /// <summary>The subjects of the stored events (a cheap look for pollers: nothing rendered).</summary>
    public IReadOnlyList<string> GetSubjects()
    {
        lock (_mailbox.Gate) return _mailbox.Events.Select(e => e.Props["subject"]?.GetValue<string>() ?? "").ToList();
    }

    /// <summary>Creates a calendar exactly as <c>POST /me/calendars</c> would; returns its id.</summary>
    public string SeedCalendar(string name)
    {
        var response = _api.Handle(InProcess("POST", ["me", "calendars"], new JsonObject { ["name"] = name }.ToJsonString()));
        if (response.Status != 201)
            throw new InvalidOperationException($"Seeding failed ({response.Status}): {GraphJson.Serialize(response.Body)}");
        return response.Body!["id"]!.GetValue<string>();
    }

    /// <summary>The calendars (id, name), default first.</summary>
    public IReadOnlyList<(string Id, string Name)> GetCalendars()
    {
        lock (_mailbox.Gate) return _mailbox.Calendars.Select(c => (c.Id, c.Name)).ToList();
    }

    internal void PatchInProcess(string id, string json) => Expect(_api.Handle(InProcess("PATCH", ["me", "events", id], json)), 200);

    internal void DeleteInProcess(string id) => Expect(_api.Handle(InProcess("DELETE", ["me", "events", id], null)), 204);

    internal List<string> InstanceIdsInProcess(string masterId)
    {
        lock (_mailbox.Gate)
            return _mailbox.TryResolve(masterId, out var master, out _)
                ? _mailbox.Instances(master, DateTime.MinValue, new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc)).Select(i => i.Id).ToList()
                : [];
    }

    private static void Expect(GraphResponse response, int status)
    {
        if (response.Status != status)
            throw new InvalidOperationException($"In-process request failed ({response.Status}): {GraphJson.Serialize(response.Body)}");
    }

    private static GraphRequest InProcess(string method, IReadOnlyList<string> segments, string? body) => new()
    {
        Method = method,
        Segments = segments,
        Query = QueryOptions.Parse(null),
        Prefer = PreferHeader.Parse([]),
        BodyText = body,
        ContentType = "application/json",
        RequestId = Guid.NewGuid().ToString(),
        ClientRequestId = Guid.NewGuid().ToString(),
    };

    // ---- HTTP ------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Connection.LocalPort == _signInPort)
        {
            await _signIn.HandleAsync(context);
            return;
        }
        // The raw target keeps %2F inside ids (Request.Path would be ambiguous for ids with '/').
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var q = target.IndexOf('?');
        var rawPath = q < 0 ? target : target[..q];
        var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var requestId = Guid.NewGuid().ToString();
        var clientRequestId = context.Request.Headers["client-request-id"].FirstOrDefault() ?? requestId;

        if (segments.Count > 0 && segments[0] == "_sandbox")
        {
            await ControlAsync(context, segments.Skip(1).ToList());
            return;
        }

        var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var method = context.Request.Method.ToUpperInvariant();
        var isBatch = segments.Count == 2 && string.Equals(segments[1], "$batch", StringComparison.OrdinalIgnoreCase);
        var record = Journal.Record(method, target, body, isWrite: !isBatch && method is "POST" or "PATCH" or "DELETE" or "PUT");

        if (!await FaultInjection.BeforeAsync(context, Faults, record.IsWrite, Journal.WriteCount,
                ctx => WriteAsync(ctx, ServerError(requestId, clientRequestId), requestId, clientRequestId)))
            return;

        GraphResponse response;
        if (segments.Count == 0 || !string.Equals(segments[0], "v1.0", StringComparison.OrdinalIgnoreCase))
            response = new GraphException(400, "BadRequest", $"Invalid version: {segments.FirstOrDefault()}").ToResponse(requestId, clientRequestId);
        else if (_tokens.Check(context.Request.Headers.Authorization.FirstOrDefault()) is { } unauthorized)
            response = unauthorized.ToResponse(requestId, clientRequestId).With("WWW-Authenticate",
                "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
        else
        {
            var request = new GraphRequest
            {
                Method = method,
                Target = target,
                Segments = segments.Skip(1).ToList(),
                Query = QueryOptions.Parse(q < 0 ? null : target[(q + 1)..]),
                Prefer = PreferHeader.Parse(context.Request.Headers["Prefer"]),
                IfMatch = context.Request.Headers.IfMatch.FirstOrDefault(),
                BodyText = body,
                ContentType = context.Request.ContentType,
                RequestId = requestId,
                ClientRequestId = clientRequestId,
            };
            response = isBatch
                ? method == "POST" ? await BatchProcessor.ExecuteAsync(request, ExecuteInnerAsync)
                    : new GraphException(405, "BadRequest", "Specified HTTP method is not allowed for the request target.").ToResponse(requestId, clientRequestId)
                : await ExecuteAsync(request, record);
        }
        await WriteAsync(context, response, requestId, clientRequestId);
    }

    /// <summary>One mailbox request: throttling, simulated work, the handler, the crash-harness hook.</summary>
    private async Task<GraphResponse> ExecuteAsync(GraphRequest request, RecordedRequest record)
    {
        GraphResponse response;
        try
        {
            using (_throttle.Enter())
            {
                if (OperationLatency > TimeSpan.Zero) await Task.Delay(OperationLatency);
                response = _api.Handle(request);
            }
        }
        catch (GraphException ex)
        {
            response = ex.ToResponse(request.RequestId, request.ClientRequestId);
        }
        if (request.IsWrite && response.Status < 400) Journal.OnWriteHandled(record);
        return response;
    }

    /// <summary>An inner $batch request: journaled and fault-injected (5xx, fail-after-writes) like a request of its own.</summary>
    private Task<GraphResponse> ExecuteInnerAsync(GraphRequest request)
    {
        var record = Journal.Record(request.Method, request.Target, request.BodyText ?? "", request.IsWrite);
        if (Faults.Roll(Faults.ServerErrorRate) || (request.IsWrite && Faults.FailAfterWrites is int n && Journal.WriteCount >= n))
            return Task.FromResult(ServerError(request.RequestId, request.ClientRequestId));
        return ExecuteAsync(request, record);
    }

    private GraphResponse ServerError(string requestId, string clientRequestId)
    {
        var response = new GraphException(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.")
            .ToResponse(requestId, clientRequestId);
        if (ServerErrorRetryAfterSeconds is int seconds) response.With("Retry-After", seconds.ToString());
        return response;
    }

    private static async Task WriteAsync(HttpContext context, GraphResponse response, string requestId, string clientRequestId)
    {
        var http = context.Response;
        http.StatusCode = response.Status;
        http.Headers["request-id"] = requestId;
        http.Headers["client-request-id"] = clientRequestId;
        http.Headers.CacheControl = "no-cache";
        foreach (var (name, value) in response.Headers) http.Headers[name] = value;
        if (response.Body is null) return;
        http.Headers["OData-Version"] = "4.0";
        http.ContentType = JsonContentType;
        await http.WriteAsync(GraphJson.Serialize(response.Body), context.RequestAborted);
    }

    // ---- control API (/_sandbox/…, no bearer token) ---------------------------------------------

    private async Task ControlAsync(HttpContext context, List<string> segments)
    {
        var method = context.Request.Method.ToUpperInvariant();
        var action = string.Join('/', segments).ToLowerInvariant();
        JsonNode? result;
        switch (method, action)
        {
            case ("GET", "faults"):
                result = KnobsJson();
                break;
            case ("GET", "calendars"):
                result = new JsonArray(GetCalendars().Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["name"] = c.Name }).ToArray());
                break;
            case ("POST", "faults"):
                var text = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
                try
                {
                    ApplyKnobs(JsonNode.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text) as JsonObject ?? []);
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsJsonAsync(new { error = ex.Message }, context.RequestAborted);
                    return;
                }
                result = KnobsJson();
                break;
            case ("POST", "expire-delta-tokens"):
                ExpireDeltaTokens();
                result = new JsonObject { ["expired"] = "deltaTokens" };
                break;
            case ("POST", "expire-access-tokens"):
                ExpireAccessTokens();
                result = new JsonObject { ["accessToken"] = AccessToken };
                break;
            case ("GET", "requests"):
                result = new JsonArray(Journal.Requests.Select(r => (JsonNode)new JsonObject
                {
                    ["sequence"] = r.Sequence, ["method"] = r.Method, ["pathAndQuery"] = r.PathAndQuery, ["body"] = r.Body,
                    ["isWrite"] = r.IsWrite, ["at"] = r.At.ToString("O"),
                }).ToArray());
                break;
            case ("GET", "signin-requests"):
                result = new JsonArray(SignInRequests.Select(s => (JsonNode)s).ToArray());
                break;
            case ("GET", "events"):
                result = new JsonArray(GetEvents().Select(e => (JsonNode)e).ToArray());
                break;
            case ("POST", "events"):
                var json = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
                try
                {
                    result = new JsonObject { ["id"] = SeedEvent(json) };
                }
                catch (InvalidOperationException ex)
                {
                    context.Response.StatusCode = 400;
                    await context.Response.WriteAsJsonAsync(new { error = ex.Message }, context.RequestAborted);
                    return;
                }
                break;
            case ("POST", "reset"):
                Reset(clearEvents: string.Equals(context.Request.Query["events"], "true", StringComparison.OrdinalIgnoreCase));
                result = KnobsJson();
                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsJsonAsync(new { error = $"unknown control endpoint {method} /_sandbox/{action}" }, context.RequestAborted);
                return;
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(GraphJson.Serialize(result), context.RequestAborted);
    }

    private JsonObject KnobsJson() => new()
    {
        ["latencyMs"] = Faults.Latency.TotalMilliseconds,
        ["serverErrorRate"] = Faults.ServerErrorRate,
        ["stallRate"] = Faults.StallRate,
        ["stallMs"] = Faults.StallDuration.TotalMilliseconds,
        ["dropRate"] = Faults.DropRate,
        ["failAfterWrites"] = Faults.FailAfterWrites,
        ["serverErrorRetryAfterSeconds"] = ServerErrorRetryAfterSeconds,
        ["operationLatencyMs"] = OperationLatency.TotalMilliseconds,
        ["deltaTokenLifetimeSeconds"] = DeltaTokenLifetime?.TotalSeconds,
        ["emptyDeltaPages"] = EmptyDeltaPages,
        ["deltaLinksAfterValue"] = DeltaLinksAfterValue,
        ["defaultPageSize"] = DefaultPageSize,
        ["maxPageSize"] = MaxPageSize,
        ["thinOccurrences"] = ThinOccurrences,
        ["refuseSecondaryCalendarDelta"] = RefuseSecondaryCalendarDelta,
        ["omitMoveOutTombstones"] = OmitMoveOutTombstones,
        ["deltaIgnoresMaxPageSize"] = DeltaIgnoresMaxPageSize,
        ["deltaIgnoresTimeZone"] = DeltaIgnoresTimeZone,
        ["refuseStampStartsWith"] = RefuseStampStartsWith,
        ["ignoreTransactionId"] = IgnoreTransactionId,
        ["dstGapBackward"] = DstGapBackward,
        ["enforceIfMatch"] = EnforceIfMatch,
        ["duplicateTransactionStatus"] = DuplicateTransactionStatus,
        ["throttlingEnabled"] = ThrottlingEnabled,
        ["throttleRequestLimit"] = ThrottleRequestLimit,
        ["throttleWindowSeconds"] = ThrottleWindow.TotalSeconds,
        ["concurrencyLimit"] = ConcurrencyLimit,
        ["signInAccessTokenLifetimeSeconds"] = SignInAccessTokenLifetime.TotalSeconds,
        ["deviceCodePendingPolls"] = DeviceCodePendingPolls,
        ["deviceCodeIntervalSeconds"] = DeviceCodeIntervalSeconds,
        ["browserSignInDeclines"] = BrowserSignInDeclines,
        ["browserSignInDelayMs"] = BrowserSignInDelay.TotalMilliseconds,
        ["authorizationCodeLifetimeSeconds"] = AuthorizationCodeLifetime.TotalSeconds,
    };

    /// <summary>Sets the knobs present in <paramref name="knobs"/> (names as in GET /_sandbox/faults) plus <c>throttleNext</c>.</summary>
    private void ApplyKnobs(JsonObject knobs)
    {
        static TimeSpan Ms(JsonNode? n) => TimeSpan.FromMilliseconds(n!.GetValue<double>());
        foreach (var (name, value) in knobs)
        {
            switch (name)
            {
                case "latencyMs": Faults.Latency = Ms(value); break;
                case "serverErrorRate": Faults.ServerErrorRate = value!.GetValue<double>(); break;
                case "stallRate": Faults.StallRate = value!.GetValue<double>(); break;
                case "stallMs": Faults.StallDuration = Ms(value); break;
                case "dropRate": Faults.DropRate = value!.GetValue<double>(); break;
                case "failAfterWrites": Faults.FailAfterWrites = value?.GetValue<int>(); break;
                case "serverErrorRetryAfterSeconds": ServerErrorRetryAfterSeconds = value?.GetValue<int>(); break;
                case "operationLatencyMs": OperationLatency = Ms(value); break;
                case "deltaTokenLifetimeSeconds": DeltaTokenLifetime = value is null ? null : TimeSpan.FromSeconds(value.GetValue<double>()); break;
                case "emptyDeltaPages": EmptyDeltaPages = value!.GetValue<int>(); break;
                case "deltaLinksAfterValue": DeltaLinksAfterValue = value!.GetValue<bool>(); break;
                case "defaultPageSize": DefaultPageSize = value!.GetValue<int>(); break;
                case "maxPageSize": MaxPageSize = value!.GetValue<int>(); break;
                case "thinOccurrences": ThinOccurrences = value!.GetValue<bool>(); break;
                case "refuseSecondaryCalendarDelta": RefuseSecondaryCalendarDelta = value!.GetValue<bool>(); break;
                case "omitMoveOutTombstones": OmitMoveOutTombstones = value!.GetValue<bool>(); break;
                case "deltaIgnoresMaxPageSize": DeltaIgnoresMaxPageSize = value!.GetValue<bool>(); break;
                case "deltaIgnoresTimeZone": DeltaIgnoresTimeZone = value!.GetValue<bool>(); break;
                case "refuseStampStartsWith": RefuseStampStartsWith = value!.GetValue<bool>(); break;
                case "ignoreTransactionId": IgnoreTransactionId = value!.GetValue<bool>(); break;
                case "dstGapBackward": DstGapBackward = value!.GetValue<bool>(); break;
                case "enforceIfMatch": EnforceIfMatch = value!.GetValue<bool>(); break;
                case "duplicateTransactionStatus": DuplicateTransactionStatus = value!.GetValue<int>(); break;
                case "throttlingEnabled": ThrottlingEnabled = value!.GetValue<bool>(); break;
                case "throttleRequestLimit": ThrottleRequestLimit = value!.GetValue<int>(); break;
                case "throttleWindowSeconds": ThrottleWindow = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "concurrencyLimit": ConcurrencyLimit = value!.GetValue<int>(); break;
                case "signInAccessTokenLifetimeSeconds": SignInAccessTokenLifetime = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "deviceCodePendingPolls": DeviceCodePendingPolls = value!.GetValue<int>(); break;
                case "deviceCodeIntervalSeconds": DeviceCodeIntervalSeconds = value!.GetValue<int>(); break;
                case "browserSignInDeclines": BrowserSignInDeclines = value!.GetValue<bool>(); break;
                case "browserSignInDelayMs": BrowserSignInDelay = Ms(value); break;
                case "authorizationCodeLifetimeSeconds": AuthorizationCodeLifetime = TimeSpan.FromSeconds(value!.GetValue<double>()); break;
                case "throttleNext":
                    var spec = value!.AsObject();
                    ThrottleNext(spec["count"]!.GetValue<int>(), spec["retryAfterSeconds"]?.GetValue<int>() ?? 1);
                    break;
                default: throw new InvalidOperationException($"unknown knob '{name}'");
            }
        }
    }

    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _signIn.Certificate.Dispose();
    }
}
