using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

/// <summary>Writes cost one batch per 50 commands and nothing more (issue 9: requests at the floor).</summary>
public class WriteRequestCountTests
{
    private static readonly SyncWindow March = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 4, 30));

    [Fact]
    public async Task Simple_creates_and_updates_need_no_version_reread_and_their_versions_match_the_service()
    {
        await using var portal = await Portal.StartAsync();
        var side = portal.Side();
        var ops = Enumerable.Range(0, 60)
            .Select(i => Make.Create("c" + i, Make.Timed($"Meeting {i}", new DateTime(2025, 3, 3, 8, 0, 0).AddHours(i), TimeSpan.FromMinutes(30))))
            .ToList();
        portal.Service.Journal.Clear();

        var created = await side.WriteAsync(ops, null, default);

        Assert.All(created, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Equal(2, portal.Http.Count); // 50 + 10 adds; no getbyid batch for VERSION
        Assert.DoesNotContain(portal.Batches().SelectMany(b => b.Commands), c => c.StartsWith("calendar.event.getbyid"));
        var read = (await side.ReadAsync(March, null, default)).Events.ToDictionary(e => e.Id);
        Assert.All(created, r => Assert.Equal(read[r.Id!].Version, r.Version));

        var updates = created.Take(3).Select((r, i) => new WriteOperation("u" + i, WriteKind.Update, r.Id, read[r.Id!] with { Title = "Renamed " + i }, read[r.Id!])).ToList();
        portal.Service.Journal.Clear();
        var updated = await side.WriteAsync(updates, new WriteHalt(), default);

        Assert.All(updated, r => Assert.Equal(WriteStatus.Succeeded, r.Status));
        Assert.Single(portal.Http);
        var reread = (await side.ReadAsync(March, null, default)).Events.ToDictionary(e => e.Id);
        Assert.All(updated, r => Assert.Equal(reread[r.Id!].Version, r.Version));
        Assert.All(updated, r => Assert.NotEqual(read[r.Id!].Version, r.Version));
    }
}
