using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Outlook.Auth;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace CalSync.Outlook.Http;

/// <summary>
/// The Graph SDK client for one connection: the SDK's default middleware (retry on 429/503/504 honouring
/// Retry-After, redirects, $-name decoding, telemetry) plus CalSync's handlers: token refresh on 401, retry of
/// lost answers, and the per-mailbox concurrency gate next to the wire.
/// </summary>
internal sealed class OutlookGraphClient : IDisposable
{
    private readonly HttpClient _http;

    public OutlookGraphClient(OutlookConnectionOptions options, IOutlookTokenSource tokens)
    {
        Options = options;
        var endpoint = options.Endpoint.TrimEnd('/');
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri))
            throw new ArgumentException($"The Graph endpoint '{options.Endpoint}' is not an absolute URL such as https://graph.microsoft.com/v1.0.");
        if (!baseUri.AbsolutePath.EndsWith("/v1.0", StringComparison.OrdinalIgnoreCase) && !baseUri.AbsolutePath.EndsWith("/beta", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The Graph endpoint must end with its version segment, e.g. https://graph.microsoft.com/v1.0 (got '{options.Endpoint}').");

        Gate = MailboxGate.For(options.MailboxKey, options.MaxConcurrentRequests);
        var handlers = GraphClientFactory.CreateDefaultHandlers().ToList();
        var retryAt = handlers.FindIndex(h => h is RetryHandler);
        var retry = new RetryHandler(new RetryHandlerOption { MaxRetry = Math.Min(10, Math.Max(0, options.ThrottleRetries)), Delay = 3 });
        if (retryAt >= 0) handlers[retryAt] = retry; else handlers.Insert(0, retry);
        handlers.Add(new TokenRefreshHandler(tokens));
        handlers.Add(new TransportRetryHandler(options.RequestTimeout, options.TransportRetries, options.Log));
        handlers.Add(new MailboxLimitHandler(Gate));
        _http = GraphClientFactory.Create(handlers, finalHandler: options.HttpHandlerFactory?.Invoke());
        _http.Timeout = Timeout.InfiniteTimeSpan; // each attempt is bounded by RequestTimeout in TransportRetryHandler
        var auth = new BaseBearerTokenAuthenticationProvider(new TokenProvider(tokens, baseUri.Host));
        Client = new GraphServiceClient(_http, auth, endpoint);
        BaseUrl = endpoint;
    }

    public OutlookConnectionOptions Options { get; }
    public GraphServiceClient Client { get; }
    public string BaseUrl { get; }
    public MailboxGate Gate { get; }

    public void Dispose() => _http.Dispose();

    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    /// <summary>
    /// Sends a request through the SDK's request adapter (auth, retry on 429/503, the mailbox gate, errors as
    /// <see cref="ODataError"/>) and hands back the answer's body, to be read with a contract of <c>OutlookJson</c>.
    /// </summary>
    public async Task<Stream> SendForBodyAsync(RequestInformation request, string what, CancellationToken cancellationToken) =>
        await Client.RequestAdapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken).ConfigureAwait(false)
        ?? throw new SideUnavailableException(Side.Outlook, $"Outlook answered {what} with no content.", isAuthentication: false);

    /// <summary>Gives the token to the endpoint's host only (Graph.Core's Azure provider would silently send none to a non-Graph host).</summary>
    private sealed class TokenProvider : IAccessTokenProvider
    {
        private readonly IOutlookTokenSource _tokens;

        public TokenProvider(IOutlookTokenSource tokens, string host)
        {
            _tokens = tokens;
            AllowedHostsValidator = new AllowedHostsValidator(new[] { host });
        }

        public AllowedHostsValidator AllowedHostsValidator { get; }

        public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            AllowedHostsValidator.IsUrlHostValid(uri) ? await _tokens.GetAccessTokenAsync(false, cancellationToken).ConfigureAwait(false) : string.Empty;
    }
}
