using System.Text.Json;
using CalSync.Bitrix24;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Sandbox;
using CalSync.Sandbox.Bitrix24;

namespace CalSync.Bitrix24.Tests;

/// <summary>A sandbox portal and a side connected to it by webhook.</summary>
internal sealed class Portal : IAsyncDisposable
{
    private Portal(Bitrix24Service service) => Service = service;

    public Bitrix24Service Service { get; }
    public List<Bitrix24CalendarSide> Sides { get; } = new();

    public static async Task<Portal> StartAsync(string culture = "en", string serverZone = "UTC", TimeProvider? clock = null, bool rateLimit = true)
    {
        var options = new Bitrix24ServiceOptions
        {
            Culture = culture,
            ServerTimeZone = serverZone,
            UserTimeZone = "Asia/Tokyo", // naive input without timezone_from would land in the wrong zone
            RateLimitEnabled = rateLimit,
            Clock = clock ?? TimeProvider.System,
        };
        return new Portal(await Bitrix24Service.StartAsync(options));
    }

    public Bitrix24ConnectionOptions Options(string? sectionName = null, string? sectionId = null) => new()
    {
        WebhookUrl = Service.WebhookUrl,
        SectionId = sectionId ?? (sectionName is null ? Service.DefaultSectionId.ToString() : null),
        SectionName = sectionName,
        QueryLimitBackoff = TimeSpan.FromMilliseconds(50),
    };

    public Bitrix24CalendarSide Side(Bitrix24ConnectionOptions? options = null, TimeProvider? time = null)
    {
        var side = new Bitrix24CalendarSide(options ?? Options(), timeProvider: time);
        Sides.Add(side);
        return side;
    }

    /// <summary>Batch requests (HTTP) and the commands inside them.</summary>
    public IReadOnlyList<(RecordedRequest Request, IReadOnlyList<string> Commands)> Batches() =>
        Service.Journal.Requests.Where(r => r.Method != "BATCH" && r.PathAndQuery.Contains("/batch")).Select(r => (r, Commands(r.Body))).ToList();

    public IReadOnlyList<RecordedRequest> Http => Service.Journal.Requests.Where(r => r.Method != "BATCH").ToList();

    public static IReadOnlyList<string> Commands(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var cmd = doc.RootElement.GetProperty("cmd");
        return cmd.ValueKind == JsonValueKind.Object ? cmd.EnumerateObject().Select(p => p.Value.GetString()!).ToList() : cmd.EnumerateArray().Select(p => p.GetString()!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var side in Sides) side.Dispose();
        await Service.DisposeAsync();
    }
}

internal static class Make
{
    public static CalEvent Timed(string title, DateTime localStart, TimeSpan length, string zone = "Europe/Berlin") => new()
    {
        Title = title,
        Start = EventTime.FromLocal(localStart, zone),
        End = EventTime.FromLocal(localStart + length, zone),
    };

    public static CalEvent AllDay(string title, DateTime date, int days = 1) => new()
    {
        Title = title,
        Start = EventTime.AllDay(date),
        End = EventTime.AllDay(date.AddDays(days)),
    };

    public static WriteOperation Create(string id, CalEvent e) => new(id, WriteKind.Create, null, e, null);

    public static SyncWindow Window(DateTime from, DateTime to) =>
        new(DateTime.SpecifyKind(from, DateTimeKind.Utc), DateTime.SpecifyKind(to, DateTimeKind.Utc));
}

/// <summary>
/// A clock whose timers fire at once and move the clock forward by their due time: the client "waits" for minutes
/// in no time, and a sandbox sharing the clock sees those minutes pass. Records every wait.
/// </summary>
internal sealed class AdvancingClock : TimeProvider
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
