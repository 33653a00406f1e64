namespace CalSync.Testing;

/// <summary>
/// A clock whose timers fire at once and move the clock forward by their due time: the client "waits" for minutes
/// in no time, and a sandbox sharing the clock sees those minutes pass. Records every wait.
/// </summary>
public sealed class AdvancingClock : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public List<TimeSpan> Waits { get; } = new();

    public override DateTimeOffset GetUtcNow() { lock (_gate) return _now; }

    public void Advance(TimeSpan by) { lock (_gate) _now += by; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new AdvancingTimer(this, System.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        timer.Change(dueTime, period);
        return timer;
    }

    private TimeSpan Consume(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan) return dueTime;
        if (dueTime <= TimeSpan.Zero) return TimeSpan.Zero;
        lock (_gate)
        {
            Waits.Add(dueTime);
            _now += dueTime;
        }
        return TimeSpan.FromMilliseconds(1);
    }

    private sealed class AdvancingTimer(AdvancingClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Consume(dueTime), period);
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
