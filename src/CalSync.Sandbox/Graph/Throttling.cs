namespace CalSync.Sandbox.Graph;

/// <summary>
/// Outlook's per app+mailbox limits: a request budget per sliding window (10,000 / 10 min) and four concurrent
/// requests. Over either, the request gets 429 with an integer Retry-After and the bodies seen from the service.
/// </summary>
internal sealed class MailboxThrottle
{
    private readonly object _gate = new();
    private readonly Queue<DateTimeOffset> _recent = new();
    private int _inFlight;
    private int _forced;
    private int _forcedRetryAfter;

    public bool Enabled { get; set; } = true;
    public int RequestLimit { get; set; } = 10_000;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
    public int ConcurrencyLimit { get; set; } = 4;
    public int ConcurrencyRetryAfterSeconds { get; set; } = 1;
    /// <summary>Highest number of requests seen running at once (for tests of client-side limits).</summary>
    public int MaxObservedConcurrency { get; private set; }
    public int InFlight { get { lock (_gate) return _inFlight; } }

    public void ThrottleNext(int count, int retryAfterSeconds)
    {
        lock (_gate)
        {
            _forced = count;
            _forcedRetryAfter = retryAfterSeconds;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _recent.Clear();
            _forced = 0;
            MaxObservedConcurrency = 0;
        }
    }

    /// <summary>Admits a request or throws the 429; dispose the result when the request is done.</summary>
    public IDisposable Enter()
    {
        lock (_gate)
        {
            if (_forced > 0)
            {
                _forced--;
                throw TooManyRequests(_forcedRetryAfter);
            }
            if (Enabled)
            {
                var now = DateTimeOffset.UtcNow;
                while (_recent.Count > 0 && now - _recent.Peek() >= Window) _recent.Dequeue();
                if (_recent.Count >= RequestLimit)
                    throw TooManyRequests((int)Math.Ceiling((Window - (now - _recent.Peek())).TotalSeconds));
                if (_inFlight >= ConcurrencyLimit)
                    throw new GraphException(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
                    {
                        RetryAfter = Math.Max(1, ConcurrencyRetryAfterSeconds).ToString(),
                    };
                _recent.Enqueue(now);
            }
            _inFlight++;
            MaxObservedConcurrency = Math.Max(MaxObservedConcurrency, _inFlight);
            return new Lease(this);
        }
    }

    private void Leave()
    {
        lock (_gate) _inFlight--;
    }

    private static GraphException TooManyRequests(int retryAfterSeconds) =>
        new(429, "TooManyRequests", "Please retry again later.")
        {
            RetryAfter = Math.Max(1, retryAfterSeconds).ToString(),
            InnerErrorExtras = new Dictionary<string, string> { ["code"] = "429", ["message"] = "Please retry after", ["status"] = "429" },
        };

    private sealed class Lease(MailboxThrottle owner) : IDisposable
    {
        private int _disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Leave();
        }
    }
}

/// <summary>Bearer tokens the API accepts: the default mailbox token plus tokens issued by the sign-in endpoints.</summary>
internal sealed class AccessTokens
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset?> _valid = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expired = new(StringComparer.Ordinal);

    public AccessTokens() => Default = Issue(null);

    public string Default { get; private set; }

    /// <summary>An opaque token shaped like an MSA compact ticket ("EwB…").</summary>
    public string Issue(TimeSpan? lifetime)
    {
        var token = "EwBoA8l6BAAU" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        lock (_gate) _valid[token] = lifetime is { } l ? DateTimeOffset.UtcNow + l : null;
        return token;
    }

    /// <summary>Every token issued so far stops working; <see cref="Default"/> is replaced by a fresh one.</summary>
    public void ExpireAll()
    {
        lock (_gate)
        {
            foreach (var token in _valid.Keys) _expired.Add(token);
            _valid.Clear();
        }
        Default = Issue(null);
    }

    /// <summary>null when accepted, otherwise the 401 to send.</summary>
    public GraphException? Check(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || authorization[7..].Trim().Length == 0)
            return Unauthorized("Access token is empty.");
        var token = authorization[7..].Trim();
        lock (_gate)
        {
            if (_valid.TryGetValue(token, out var expires))
                return expires is { } e && e <= DateTimeOffset.UtcNow ? Unauthorized("Lifetime validation failed, the token is expired.") : null;
            if (_expired.Contains(token)) return Unauthorized("Lifetime validation failed, the token is expired.");
        }
        return Unauthorized("CompactToken parsing failed with error code: 80049217");
    }

    private static GraphException Unauthorized(string message) => new(401, "InvalidAuthenticationToken", message);
}
