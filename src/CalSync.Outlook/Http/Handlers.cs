using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Outlook.Auth;

namespace CalSync.Outlook.Http;

internal static class RequestCloning
{
    /// <summary>Reads the body once and puts it back as a re-readable byte array, so every attempt (and outer handlers) can send it again.</summary>
    public static async Task<byte[]?> BufferAsync(HttpRequestMessage request)
    {
        if (request.Content is null) return null;
        var bytes = await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var copy = new ByteArrayContent(bytes);
        foreach (var header in request.Content.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        request.Content = copy;
        return bytes;
    }

    public static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? body)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers) clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (body is not null && request.Content is not null)
        {
            clone.Content = new ByteArrayContent(body);
            foreach (var header in request.Content.Headers) clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
#pragma warning disable CS0618 // Properties is the netstandard2.0 name of Options
        foreach (var property in request.Properties) clone.Properties[property.Key] = property.Value;
#pragma warning restore CS0618
        return clone;
    }
}

/// <summary>On 401 gets a fresh token once (MSAL refresh) and resends; a second 401 goes back to the caller.</summary>
internal sealed class TokenRefreshHandler : DelegatingHandler
{
    private readonly IOutlookTokenSource _tokens;

    public TokenRefreshHandler(IOutlookTokenSource tokens) => _tokens = tokens;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await RequestCloning.BufferAsync(request).ConfigureAwait(false);
        var response = await base.SendAsync(RequestCloning.Clone(request, body), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Headers.Authorization is null) return response;
        var token = await _tokens.GetAccessTokenAsync(forceRefresh: true, cancellationToken).ConfigureAwait(false);
        response.Dispose();
        var retry = RequestCloning.Clone(request, body);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Retries a request whose answer never came (timeout of one attempt, dropped connection). Safe for every request
/// CalSync sends: GET/PATCH/DELETE are idempotent, every create carries a transactionId (Graph's idempotency key),
/// and a $batch holds only such requests.
/// </summary>
internal sealed class TransportRetryHandler : DelegatingHandler
{
    private readonly TimeSpan _attemptTimeout;
    private readonly int _retries;
    private readonly Action<string>? _log;

    public TransportRetryHandler(TimeSpan attemptTimeout, int retries, Action<string>? log)
    {
        _attemptTimeout = attemptTimeout;
        _retries = retries;
        _log = log;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await RequestCloning.BufferAsync(request).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptCts.CancelAfter(_attemptTimeout);
            try
            {
                var response = await base.SendAsync(RequestCloning.Clone(request, body), attemptCts.Token).ConfigureAwait(false);
                if (response.Content is not null) await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                return response;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && attempt < _retries
                                       && (ex is HttpRequestException || ex is OperationCanceledException || ex is IOException))
            {
                _log?.Invoke($"{request.Method} {request.RequestUri?.AbsolutePath}: no answer ({ex.GetType().Name}); retry {attempt + 1} of {_retries}.");
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(8000, 250 * Math.Pow(2, attempt))), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Holds a slot of the mailbox's concurrency gate while a request is on the wire (a $batch holds all of them).</summary>
internal sealed class MailboxLimitHandler : DelegatingHandler
{
    private readonly MailboxGate _gate;

    public MailboxLimitHandler(MailboxGate gate) => _gate = gate;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isBatch = request.RequestUri?.AbsolutePath.EndsWith("/$batch", StringComparison.OrdinalIgnoreCase) == true;
        using (await _gate.EnterAsync(isBatch ? _gate.Slots : 1, cancellationToken).ConfigureAwait(false))
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.Content is not null) await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
            return response;
        }
    }
}
