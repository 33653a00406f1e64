namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// The per-portal leaky bucket (docs/bitrix24-api.md, "Limits"): each request adds one, the level drains by Y per second, and a request that
/// would lift it above X is refused. Forced refusals let tests provoke 503 without a burst.
/// </summary>
internal sealed class LeakyBucket(TimeProvider clock, Bitrix24Limits limits)
{
    private readonly object _gate = new();
    private double _level;
    private DateTimeOffset _last = clock.GetUtcNow();
    private int _forced;

    public void Force(int count) { lock (_gate) _forced = Math.Max(0, count); }

    public int ForcedRemaining { get { lock (_gate) return _forced; } }

    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_forced > 0) { _forced--; return false; }
            var now = clock.GetUtcNow();
            var elapsed = (now - _last).TotalSeconds;
            if (elapsed > 0) _level = Math.Max(0, _level - elapsed * limits.DrainPerSecond);
            _last = now;
            if (!limits.LeakyBucketEnabled) return true;
            if (_level + 1 > limits.BurstLimit) return false;
            _level += 1;
            return true;
        }
    }

    public void Reset() { lock (_gate) { _level = 0; _forced = 0; _last = clock.GetUtcNow(); } }
}

/// <summary>
/// The operating limit (docs/bitrix24-api.md, "Limits"): execution seconds per method and credential, in ten one-minute
/// buckets (<c>LoadLimiter</c>). A bucket's reset time is its first recorded call plus ten minutes.
/// </summary>
internal sealed class OperatingMeter(TimeProvider clock)
{
    private const int WindowMinutes = 10;
    public const int WindowSeconds = WindowMinutes * 60;
    private readonly object _gate = new();
    private readonly Dictionary<(string Credential, string Method), SortedDictionary<long, (double Seconds, double FirstCall)>> _buckets = new();

    /// <summary>
    /// Seconds used in the last ten minutes, and when the oldest bucket resets: its first call plus ten minutes, cut to
    /// whole seconds (<c>LoadLimiter::getResetTime</c>); with no bucket, now plus ten minutes.
    /// </summary>
    public (double Operating, long ResetAt) Read(string credential, string method)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var buckets = Buckets(credential, method, Minute(now));
            var firstCall = buckets.Count > 0 ? buckets.Values.First().FirstCall : Unix(now);
            return (buckets.Values.Sum(b => b.Seconds), (long)Math.Floor(firstCall + WindowSeconds));
        }
    }

    /// <summary>Records a call that started at <paramref name="started"/>, in the bucket of that minute.</summary>
    public void Add(string credential, string method, double seconds, DateTimeOffset started)
    {
        lock (_gate)
        {
            var minute = Minute(started);
            var buckets = Buckets(credential, method, Minute(clock.GetUtcNow()));
            buckets[minute] = buckets.TryGetValue(minute, out var bucket) ? bucket with { Seconds = bucket.Seconds + seconds } : (seconds, Unix(started));
        }
    }

    public void Reset() { lock (_gate) _buckets.Clear(); }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private static double Unix(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).TotalSeconds;

    private SortedDictionary<long, (double Seconds, double FirstCall)> Buckets(string credential, string method, long minute)
    {
        if (!_buckets.TryGetValue((credential, method), out var buckets))
            _buckets[(credential, method)] = buckets = new SortedDictionary<long, (double Seconds, double FirstCall)>();
        foreach (var old in buckets.Keys.Where(k => k <= minute - WindowMinutes).ToList()) buckets.Remove(old);
        return buckets;
    }
}
