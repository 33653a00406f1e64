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
