using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Client side of Bitrix24's per-portal leaky bucket: each request adds one, the level drains by
/// <see cref="Rate"/> a second, and a request that would lift it above <see cref="Burst"/> waits.
/// Waiting requests reserve their slot, so concurrent callers are spaced evenly.
/// </summary>
public sealed class LeakyBucket
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private double _level;
    private long _stamp;

    public LeakyBucket(double rate, int burst, TimeProvider time)
    {
        if (rate <= 0) throw new ArgumentOutOfRangeException(nameof(rate));
        if (burst < 1) throw new ArgumentOutOfRangeException(nameof(burst));
        Rate = rate;
        Burst = burst;
        _time = time;
        _stamp = time.GetTimestamp();
    }

    public double Rate { get; private set; }
    public int Burst { get; private set; }

    /// <summary>Current level (after draining), for diagnostics and tests.</summary>
    public double Level { get { lock (_gate) { Drain(); return _level; } } }

    internal void Reconfigure(double rate, int burst)
    {
        lock (_gate)
        {
            Drain();
            Rate = rate;
            Burst = burst;
        }
    }

    /// <summary>Waits until one more request fits under the bucket, then counts it.</summary>
    public async Task AcquireAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            Drain();
            _level += 1;
            var excess = _level - Burst;
            wait = excess > 0 ? TimeSpan.FromSeconds(excess / Rate) : TimeSpan.Zero;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The server said the bucket is full (other clients on this IP share it): assume so here too.</summary>
    public void MarkFull()
    {
        lock (_gate)
        {
            Drain();
            if (_level < Burst) _level = Burst;
        }
    }

    /// <summary>The portal's bucket is full now, whatever this one counted (after the probe's unpaced burst).</summary>
    internal void Fill()
    {
        lock (_gate)
        {
            Drain();
            _level = Burst;
        }
    }

    private void Drain()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        if (elapsed > 0) _level = Math.Max(0, _level - elapsed * Rate);
    }
}

/// <summary>One bucket per portal host, shared by every client in the process (Bitrix24 counts per portal and IP).</summary>
public static class LeakyBucketRegistry
{
    private static readonly ConcurrentDictionary<string, LeakyBucket> Buckets = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The portal's bucket; the latest configuration wins when clients disagree about the tier.</summary>
    public static LeakyBucket For(string portalHost, double rate, int burst, TimeProvider time)
    {
        var bucket = Buckets.GetOrAdd(portalHost, _ => new LeakyBucket(rate, burst, time));
        if (bucket.Rate != rate || bucket.Burst != burst) bucket.Reconfigure(rate, burst);
        return bucket;
    }

    /// <summary>The bucket of a portal host if one exists.</summary>
    public static LeakyBucket? Find(string portalHost) => Buckets.TryGetValue(portalHost, out var b) ? b : null;
}
