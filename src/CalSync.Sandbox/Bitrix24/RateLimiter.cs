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
/// The operating limit (docs/bitrix24-api.md, "Limits"): execution seconds per method and credential, in ten one-minute buckets.
/// </summary>
internal sealed class OperatingMeter(TimeProvider clock)
{
    private const int WindowMinutes = 10;
    private readonly object _gate = new();
    private readonly Dictionary<(string Credential, string Method), SortedDictionary<long, double>> _buckets = new();

    /// <summary>Seconds used in the last ten minutes and when the oldest bucket drops out (unix seconds).</summary>
    public (double Operating, long ResetAt) Read(string credential, string method)
    {
        lock (_gate)
        {
            var minute = CurrentMinute();
            var buckets = Buckets(credential, method, minute);
            var oldest = buckets.Count > 0 ? buckets.Keys.First() : minute;
            return (buckets.Values.Sum(), (oldest + WindowMinutes) * 60);
        }
    }

    public void Add(string credential, string method, double seconds)
    {
        lock (_gate)
        {
            var minute = CurrentMinute();
            var buckets = Buckets(credential, method, minute);
            buckets[minute] = buckets.GetValueOrDefault(minute) + seconds;
        }
    }

    public void Reset() { lock (_gate) _buckets.Clear(); }

    private long CurrentMinute() => clock.GetUtcNow().ToUnixTimeSeconds() / 60;

    private SortedDictionary<long, double> Buckets(string credential, string method, long minute)
    {
        if (!_buckets.TryGetValue((credential, method), out var buckets))
            _buckets[(credential, method)] = buckets = new SortedDictionary<long, double>();
        foreach (var old in buckets.Keys.Where(k => k <= minute - WindowMinutes).ToList()) buckets.Remove(old);
        return buckets;
    }
}
