using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Polly;
using Polly.Retry;

namespace CalSync.Bitrix24.Rest;

/// <summary>One command of a <c>batch</c> call; its parameters are encoded into a <c>method?query</c> string.</summary>
public sealed record BatchCommand(string Key, string Method, IReadOnlyList<KeyValuePair<string, object?>> Parameters)
{
    /// <summary>The command string (values percent-encoded; no secrets in it).</summary>
    public string Encoded => CommandEncoder.Encode(Method, Parameters);
}

public sealed record BatchError(string Code, string Description);

/// <summary>The five maps of a batch answer (each may be <c>[]</c> when empty), keyed by command key.</summary>
public sealed class BatchResponse
{
    public Dictionary<string, JsonElement> Results { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BatchError> Errors { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Typed REST client for one Bitrix24 portal: webhook or OAuth auth (refresh on <c>expired_token</c>), the shared
/// per-portal leaky bucket, retries (Polly) on 503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT and transient
/// failures, JSON bodies, and <c>batch</c> of up to 50 commands.
/// </summary>
public sealed class Bitrix24RestClient : IDisposable
{
    public const int MaxBatch = 50;

    private readonly Bitrix24ConnectionOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;
    private readonly Bitrix24Webhook? _webhook;
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private Bitrix24OAuthOptions? _oauth;
    private readonly Random _jitter = new();

    public Bitrix24RestClient(Bitrix24ConnectionOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        if (options.OAuth is { } oauth)
        {
            if (!Uri.TryCreate(oauth.PortalUrl, UriKind.Absolute, out var portal) || (portal.Scheme != Uri.UriSchemeHttps && !(portal.Scheme == Uri.UriSchemeHttp && portal.IsLoopback)))
                throw new ArgumentException("The Bitrix24 portal URL must be an absolute https URL such as https://example.bitrix24.com.", nameof(options));
            _oauth = oauth;
            PortalHost = portal.IsDefaultPort ? portal.Host : portal.Host + ":" + portal.Port;
            UserId = options.OwnerId ?? oauth.UserId ?? 0;
        }
        else
        {
            _webhook = Bitrix24Webhook.Parse(options.WebhookUrl);
            PortalHost = _webhook.Host;
            UserId = options.OwnerId ?? _webhook.UserId;
        }
        _http = httpClient ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _ownsHttp = httpClient is null;
        var (rate, burst) = options.Limits;
        Bucket = LeakyBucketRegistry.For(PortalHost, rate, burst, _time);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time };
        // MaxRetries 0 (the conformance probe's rate-limit check): the first refusal is the answer, not retried.
        if (options.MaxRetries > 0)
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RetriableException>(),
                MaxRetryAttempts = options.MaxRetries,
                DelayGenerator = args => new ValueTask<TimeSpan?>(RetryDelay(args.Outcome.Exception, args.AttemptNumber)),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    return default;
                },
            });
        _pipeline = pipeline.Build();
    }

    /// <summary>Portal host (and port when not default): the key of the shared bucket.</summary>
    public string PortalHost { get; }

    /// <summary>The calendar owner: the webhook's or token's user unless configured.</summary>
    public int UserId { get; private set; }

    public bool IsWebhook => _webhook is not null;

    public LeakyBucket Bucket { get; }

    /// <summary>Requests sent (including retries), for diagnostics and request-count tests.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);
    private int _requestCount;

    /// <summary>Retries done after rate-limit or transient failures.</summary>
    public int Retries => Volatile.Read(ref _retries);
    private int _retries;

    /// <summary>The server's UTC offset as of its last answer (<c>time.date_start</c>); TIMESTAMP_X is in this zone.</summary>
    public TimeSpan? ServerUtcOffset { get; private set; }

    /// <summary>When the oldest operating-limit bucket drops out, from the last answer that named it.</summary>
    public DateTimeOffset? OperatingResetAt { get; private set; }

    /// <summary>Delays chosen by the retry pipeline (most recent last), for diagnostics.</summary>
    public List<TimeSpan> RetryDelays { get; } = new();

    /// <summary>Calls one method with a JSON body; returns its <c>result</c>.</summary>
    public async Task<JsonElement> CallAsync(string method, IReadOnlyList<KeyValuePair<string, object?>> parameters, CancellationToken cancellationToken)
    {
        var root = await SendAsync(method, auth => BuildBody(parameters, auth), cancellationToken).ConfigureAwait(false);
        return root.Prop("result") ?? default;
    }

    /// <summary>
    /// Runs up to 50 commands in one request. Commands that Bitrix24 refused for a rate or operating limit (and, with
    /// <paramref name="halt"/>, the ones after them) are sent again after the wait, with references to finished
    /// commands replaced by their values. Auth failures inside throw <see cref="SideUnavailableException"/>.
    /// </summary>
    public Task<BatchResponse> BatchAsync(IReadOnlyList<BatchCommand> commands, bool halt, CancellationToken cancellationToken) =>
        BatchAsync(commands, halt, rows: null, cancellationToken);

    /// <summary>
    /// As <see cref="BatchAsync(IReadOnlyList{BatchCommand}, bool, CancellationToken)"/>; the results of commands that
    /// <paramref name="rows"/> wants go to it item by item as the answer is read (their result is then <c>[]</c>).
    /// </summary>
    internal async Task<BatchResponse> BatchAsync(IReadOnlyList<BatchCommand> commands, bool halt, IRowSink? rows, CancellationToken cancellationToken)
    {
        var response = new BatchResponse();
        if (commands.Count == 0) return response;
        if (commands.Count > MaxBatch) throw new ArgumentException($"A Bitrix24 batch holds at most {MaxBatch} commands.", nameof(commands));
        var pending = commands.ToList();
        try
        {
            await _pipeline.ExecuteAsync(async ct =>
            {
                var send = pending.Select(c => Resolve(c, response)).ToList();
                var cmd = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var c in send) cmd.Add(c.Key, c.Encoded);
                var root = await SendOnceAsync("batch", auth => BuildBody(new List<KeyValuePair<string, object?>> { new("halt", halt ? 1 : 0), new("cmd", cmd) }, auth), rows, ct).ConfigureAwait(false);
                var outer = root.Prop("result");
                foreach (var pair in Json.MapEntries(outer?.Prop("result"))) response.Results[pair.Key] = pair.Value;
                var errors = new Dictionary<string, BatchError>(StringComparer.Ordinal);
                foreach (var pair in Json.MapEntries(outer?.Prop("result_error")))
                {
                    var code = pair.Value.ValueKind == JsonValueKind.Object ? pair.Value.Str("error") ?? "" : Json.AsString(pair.Value) ?? "";
                    var description = pair.Value.ValueKind == JsonValueKind.Object ? pair.Value.Str("error_description") ?? "" : "";
                    errors[pair.Key] = new BatchError(code, description);
                }
                foreach (var t in Json.MapEntries(outer?.Prop("result_time"))) NoteOperating(t.Value);
                foreach (var pair in errors)
                {
                    if (AuthErrors.IsAuthCode(pair.Value.Code))
                        throw AuthErrors.Create(send.FirstOrDefault(c => c.Key == pair.Key)?.Method ?? "batch", 0, pair.Value.Code, pair.Value.Description, IsWebhook);
                }
                var limited = errors.Where(e => e.Value.Code is "OPERATION_TIME_LIMIT" or "QUERY_LIMIT_EXCEEDED").Select(e => e.Key).ToList();
                var retry = new List<BatchCommand>();
                var afterLimit = false;
                foreach (var c in pending)
                {
                    if (limited.Contains(c.Key)) { retry.Add(c); afterLimit = true; continue; }
                    if (errors.TryGetValue(c.Key, out var error)) { response.Errors[c.Key] = error; continue; }
                    // With halt the server stops at the first failure: what follows a limit failure was not run.
                    if (!response.Results.ContainsKey(c.Key) && halt && afterLimit) retry.Add(c);
                }
                pending = retry;
                if (pending.Count > 0)
                {
                    var operating = errors.Any(e => e.Value.Code == "OPERATION_TIME_LIMIT");
                    if (!operating) Bucket.MarkFull();
                    throw new RetriableException(operating ? RetryReason.OperatingLimit : RetryReason.QueryLimit,
                        $"batch: {pending.Count} command(s) refused ({(operating ? "OPERATION_TIME_LIMIT" : "QUERY_LIMIT_EXCEEDED")})", OperatingResetAt);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RetriableException e)
        {
            throw new SideUnavailableException(Side.Bitrix24,
                $"Bitrix24 portal {PortalHost} is not answering usefully after {_options.MaxRetries} retries: {e.Message}", isAuthentication: false, e);
        }
        return response;
    }

    /// <summary>A command whose <c>$result[key]</c> references point at finished commands gets their values instead.</summary>
    private static BatchCommand Resolve(BatchCommand command, BatchResponse done)
    {
        if (!command.Parameters.Any(p => p.Value is BatchReference)) return command;
        var parameters = command.Parameters.Select(p =>
        {
            if (p.Value is BatchReference r && r.Expression.StartsWith("$result[", StringComparison.Ordinal))
            {
                var key = r.Expression.Substring(8, r.Expression.Length - 9);
                if (done.Results.TryGetValue(key, out var value)) return new KeyValuePair<string, object?>(p.Key, Json.AsString(value));
            }
            return p;
        }).ToList();
        return command with { Parameters = parameters };
    }

    private string BuildBody(IReadOnlyList<KeyValuePair<string, object?>> parameters, string? auth)
    {
        var body = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in parameters) body[p.Key] = p.Value;
        if (auth is not null) body["auth"] = auth;
        return JsonSerializer.Serialize(body);
    }

    private async Task<JsonElement> SendAsync(string method, Func<string?, string> body, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct => await SendOnceAsync(method, body, null, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (RetriableException e)
        {
            throw new SideUnavailableException(Side.Bitrix24,
                $"Bitrix24 portal {PortalHost} is not answering usefully after {_options.MaxRetries} retries: {e.Message}", isAuthentication: false, e);
        }
    }

    private async Task<JsonElement> SendOnceAsync(string method, Func<string?, string> body, IRowSink? rows, CancellationToken cancellationToken)
    {
        var refreshed = false;
        while (true)
        {
            var accessToken = _oauth?.AccessToken;
            // An OAuth connection made by browser sign-in keeps no access token at rest: get one before the first call.
            if (_oauth is not null && string.IsNullOrEmpty(accessToken) && !refreshed)
            {
                await RefreshAsync(accessToken, cancellationToken).ConfigureAwait(false);
                refreshed = true;
                continue;
            }
            await Bucket.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var (status, root, raw, unreadable) = await PostAsync(method, body(accessToken), rows, cancellationToken).ConfigureAwait(false);
            var code = root?.Str("error");
            if (root is { } ok && status < 400 && code is null)
            {
                NoteTime(ok.Prop("time"));
                return ok;
            }

            code ??= "";
            var description = root?.Str("error_description") ?? Head(raw);
            if (code == "expired_token" && _oauth is not null && !refreshed)
            {
                await RefreshAsync(accessToken, cancellationToken).ConfigureAwait(false);
                refreshed = true;
                continue;
            }
            if (AuthErrors.IsAuthFailure(status, code)) throw AuthErrors.Create(method, status, code, description, IsWebhook);
            if (code == "QUERY_LIMIT_EXCEEDED" || (status == 503 && code != "OVERLOAD_LIMIT"))
            {
                Bucket.MarkFull();
                throw new RetriableException(RetryReason.QueryLimit, $"{method}: HTTP {status} {code}".TrimEnd());
            }
            if (code == "OPERATION_TIME_LIMIT" || status == 429)
                throw new RetriableException(RetryReason.OperatingLimit, $"{method}: HTTP {status} {code}".TrimEnd(), OperatingResetAt);
            if (code == "OVERLOAD_LIMIT")
                throw new SideUnavailableException(Side.Bitrix24, $"Bitrix24 has blocked REST access to portal {PortalHost} due to overload (OVERLOAD_LIMIT).", isAuthentication: false);
            if (root is null || status >= 500)
                throw new RetriableException(RetryReason.Transient, $"{method}: HTTP {status} {code}".TrimEnd() + (unreadable is null ? "" : " (" + unreadable + ")"));
            throw new Bitrix24ApiException(method, status, code, description);
        }
    }

    /// <summary>The first 200 characters of an answer that is not JSON (for the error message).</summary>
    private static string Head(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw, 0, Math.Min(raw.Length, 800));
        return text.Length > 200 ? text.Substring(0, 200) : text;
    }

    /// <returns>The answer, its first bytes (for messages) and, when it could not be read as JSON, why.</returns>
    private async Task<(int status, JsonElement? root, byte[] raw, string? unreadable)> PostAsync(string method, string json,
        IRowSink? rows, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, MethodUri(method))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd(_options.UserAgent);
        Interlocked.Increment(ref _requestCount);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if ((status == 301 || status == 302 || status == 307 || status == 308) && response.Headers.Location is { } location)
                throw new SideUnavailableException(Side.Bitrix24,
                    $"Bitrix24 portal {PortalHost} moved (HTTP {status} to {location.Host}). Update the connection to the new portal address.", isAuthentication: false);
            if (rows is not null)
            {
                // A window read answers every event at once (tens of megabytes): read as it arrives, never held whole.
                var answer = BatchAnswer.For(rows);
                try
                {
                    using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    return (status, await answer.ReadAsync(stream, timeout.Token).ConfigureAwait(false), answer.Head, null);
                }
                catch (JsonException e)
                {
                    return (status, null, answer.Head, e.Message);
                }
            }
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var raw = body.AsSpan(0, Math.Min(body.Length, BatchAnswer.HeadSize)).ToArray();
            try
            {
                // Not disposed on purpose: the element keeps its document alive.
                return (status, JsonDocument.Parse(body).RootElement, raw, null);
            }
            catch (JsonException e)
            {
                return (status, null, raw, e.Message);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RetriableException(RetryReason.Transient, $"{method}: no answer within {_options.RequestTimeout.TotalSeconds:0} s", inner: e);
        }
        catch (HttpRequestException e)
        {
            // HttpRequestException texts name host and port only, never the path that holds the webhook secret.
            throw new RetriableException(RetryReason.Transient, $"{method}: {e.Message}", inner: e);
        }
        catch (IOException e)
        {
            // The connection broke while the body was read (the headers had come).
            throw new RetriableException(RetryReason.Transient, $"{method}: {e.Message}", inner: e);
        }
    }

    private Uri MethodUri(string method)
    {
        if (_webhook is not null) return new Uri(_webhook.BaseUri, method);
        var endpoint = _oauth!.ClientEndpoint;
        if (string.IsNullOrEmpty(endpoint)) endpoint = _oauth.PortalUrl.TrimEnd('/') + "/rest/";
        if (!endpoint!.EndsWith("/", StringComparison.Ordinal)) endpoint += "/";
        return new Uri(new Uri(endpoint), method);
    }

    private TimeSpan RetryDelay(Exception? exception, int attempt)
    {
        var backoff = TimeSpan.FromTicks((long)(_options.QueryLimitBackoff.Ticks * Math.Pow(2, Math.Min(attempt, 8)) * (0.8 + 0.4 * NextJitter())));
        if (backoff > TimeSpan.FromMinutes(1)) backoff = TimeSpan.FromMinutes(1);
        TimeSpan delay;
        if (exception is RetriableException { Reason: RetryReason.OperatingLimit } r)
        {
            var now = _time.GetUtcNow();
            var reset = r.ResetAt ?? OperatingResetAt;
            delay = reset is { } at && at > now ? at - now + TimeSpan.FromMilliseconds(250) : _options.OperatingLimitMinimumWait;
        }
        else
        {
            delay = backoff;
        }
        lock (RetryDelays) RetryDelays.Add(delay);
        return delay;
    }

    private double NextJitter()
    {
        lock (_jitter) return _jitter.NextDouble();
    }

    private void NoteTime(JsonElement? time)
    {
        if (time is not { ValueKind: JsonValueKind.Object } t) return;
        if (t.Str("date_start") is { } start && DateTimeOffset.TryParse(start, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            ServerUtcOffset = at.Offset;
        NoteOperating(t);
    }

    private void NoteOperating(JsonElement t)
    {
        if (t.Long("operating_reset_at") is { } reset && reset > 0)
            OperatingResetAt = DateTimeOffset.FromUnixTimeSeconds(reset);
    }

    private async Task RefreshAsync(string? failedAccessToken, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var oauth = _oauth!;
            if (!string.Equals(oauth.AccessToken, failedAccessToken, StringComparison.Ordinal)) return; // someone refreshed already
            if (string.IsNullOrEmpty(oauth.RefreshToken))
                throw AuthErrors.Create("oauth/token", 401, "expired_token", "", webhook: false);
            await RequestTokensAsync(oauth, "grant_type=refresh_token&refresh_token=" + Uri.EscapeDataString(oauth.RefreshToken), "refresh the access token", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    /// <summary>
    /// Browser sign-in: exchanges an authorization code for the first token pair (saved through the token store), then
    /// names the user from the answer's <c>user_id</c>, or else from <c>user.current</c> when the application's scope
    /// allows it (docs/bitrix24-api.md, "OAuth authorization code flow"); otherwise <see cref="UserId"/> stays 0.
    /// </summary>
    public async Task RedeemAuthorizationCodeAsync(string code, CancellationToken cancellationToken)
    {
        if (_oauth is not { } oauth) throw new InvalidOperationException("Only an OAuth connection redeems an authorization code.");
        if (string.IsNullOrEmpty(code)) throw new ArgumentException("The authorization code is empty.", nameof(code));
        await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RequestTokensAsync(oauth, "grant_type=authorization_code&code=" + Uri.EscapeDataString(code), "redeem the authorization code", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _refreshGate.Release();
        }
        if (UserId != 0) return;
        try
        {
            var user = await CallAsync("user.current", Array.Empty<KeyValuePair<string, object?>>(), cancellationToken).ConfigureAwait(false);
            if (user.Long("ID") is { } id && id > 0 && id <= int.MaxValue) UserId = (int)id;
        }
        catch (SideUnavailableException e) when (e.IsAuthentication) { } // no user scope: the caller asks for the user id
    }

    /// <summary>One GET to the token endpoint (refresh or code grant); the new pair is saved first, then used.</summary>
    private async Task RequestTokensAsync(Bitrix24OAuthOptions oauth, string grant, string purpose, CancellationToken cancellationToken)
    {
        var url = oauth.TokenEndpoint + (oauth.TokenEndpoint.Contains("?") ? "&" : "?")
            + grant
            + "&client_id=" + Uri.EscapeDataString(oauth.ClientId)
            + "&client_secret=" + Uri.EscapeDataString(oauth.ClientSecret);
        string text;
        int status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("application/json");
            Interlocked.Increment(ref _requestCount);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            status = (int)response.StatusCode;
        }
        catch (HttpRequestException e)
        {
            // A dropped connection is not a refusal: the call (and its refresh) is retried like any transient failure.
            throw new RetriableException(RetryReason.Transient, $"oauth/token: could not reach the Bitrix24 OAuth server to {purpose}: " + e.Message, inner: e);
        }
        // Neither is a server error or throttling of the token server (a refresh that did not happen: the old pair is still valid).
        if (status >= 500 || status == 429)
            throw new RetriableException(RetryReason.Transient, $"oauth/token: HTTP {status} while trying to {purpose}");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new SideUnavailableException(Side.Bitrix24, $"The Bitrix24 OAuth server gave an unreadable answer (HTTP {status}) when asked to {purpose}.", isAuthentication: false);
        }
        var error = root.Str("error");
        var access = root.Str("access_token");
        var refresh = root.Str("refresh_token");
        if (error is not null || string.IsNullOrEmpty(access) || string.IsNullOrEmpty(refresh))
            throw AuthErrors.Create("oauth/token", status, string.IsNullOrEmpty(error) ? "invalid_grant" : error!, root.Str("error_description") ?? "", webhook: false);
        var expires = root.Long("expires") is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : _time.GetUtcNow().AddSeconds(root.Long("expires_in") ?? 3600);
        var endpoint = root.Str("client_endpoint");
        var user = root.Long("user_id") is { } u ? (int?)u : oauth.UserId;
        var tokens = new Bitrix24Tokens(access!, refresh!, expires, string.IsNullOrEmpty(endpoint) ? oauth.ClientEndpoint : endpoint, user);
        // Persist first: the old refresh token is already dead; losing the new one would force a new sign-in.
        if (oauth.TokenStore is { } store) await store.SaveAsync(tokens, cancellationToken).ConfigureAwait(false);
        _oauth = oauth with { AccessToken = tokens.AccessToken, RefreshToken = tokens.RefreshToken, ClientEndpoint = tokens.ClientEndpoint, UserId = user };
        if (_options.OwnerId is null && UserId == 0 && user is { } uid) UserId = uid;
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        _refreshGate.Dispose();
    }

    public override string ToString() => $"Bitrix24RestClient {{ Portal = {PortalHost}, Auth = {(IsWebhook ? "webhook" : "OAuth")} }}";
}
