using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Outlook.Reading;

namespace CalSync.Outlook.Tests;

/// <summary>Many unknown origin stamps are listed in pages, not read one GET at a time (issue 9).</summary>
public class StampListingTests
{
    [Fact]
    public async Task A_full_pass_over_many_events_lists_stamps_instead_of_reading_each()
    {
        await using var g = await Sandbox.StartAsync();
        using var side = Sandbox.Side(g);
        var start = new DateTime(2025, 3, 3, 8, 0, 0, DateTimeKind.Utc);
        var count = CalendarReader.StampListThreshold + 20;
        // Half of them are CalSync copies (written with a stamp), half the user's own meetings.
        var copies = Enumerable.Range(0, count / 2)
            .Select(i => new WriteOperation("c" + i, WriteKind.Create, null, Sandbox.Single($"Copy {i}", start.AddHours(i)) with { OriginStamp = $"s|Bitrix24|{i}" }, null))
            .ToList();
        Assert.All(await side.WriteAsync(copies, null, default), r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        for (var i = 0; i < count - count / 2; i++)
            Sandbox.Seed(g, $"Own {i}", start.AddHours(i).AddMinutes(30).ToString("yyyy-MM-ddTHH:mm:ss"), start.AddHours(i).AddMinutes(45).ToString("yyyy-MM-ddTHH:mm:ss"));
        g.Journal.Clear();

        var snapshot = await side.ReadAsync(Sandbox.Window, null, default);

        Assert.Equal(count, snapshot.Events.Count);
        Assert.All(snapshot.Events.Where(e => e.Title.StartsWith("Copy ")), e => Assert.Equal("s|Bitrix24|" + e.Title[5..], e.OriginStamp));
        Assert.All(snapshot.Events.Where(e => e.Title.StartsWith("Own ")), e => Assert.Null(e.OriginStamp));
        var requests = Sandbox.Requests(g).ToList();
        Assert.DoesNotContain(requests, r => r.Path.Contains("$batch"));
        Assert.Single(requests, r => r.Path.Contains("singleValueExtendedProperties/Any"));

        // The next round knows every stamp: an unchanged calendar costs one delta page.
        g.Journal.Clear();
        var again = await side.ReadAsync(Sandbox.Window, snapshot.Cursor, default);
        Assert.Equal(Sandbox.Text(snapshot.Events), Sandbox.Text(again.Events));
        Assert.Single(Sandbox.Requests(g));
    }
}
