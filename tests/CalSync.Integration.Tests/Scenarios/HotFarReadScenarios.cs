using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Bitrix24 read hot and far (the resident mode; docs/architecture.md, "Bitrix24 reads: hot and far"): no write rests
/// on the far range as last read, and a Bitrix24 change there reaches Outlook at the next far read.
/// </summary>
public sealed class HotFarReadScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);
    private static readonly DateTime FarDay10 = Monday10.AddDays(40);

    private static SandboxHarness HotAndFar(SandboxFixture fixture, SyncDefinition? definition = null)
    {
        var h = new SandboxHarness(fixture.Host, definition: definition);
        h.Bitrix24Options = h.Bitrix24Options with { FarReadInterval = TimeSpan.FromMinutes(20) };
        return h;
    }

    /// <summary>A far meeting linked, then a run that keeps the far range (each harness run is two minutes on).</summary>
    private static async Task<(string Outlook, string Bitrix24)> LinkedFarAsync(SandboxHarness h)
    {
        var a = h.OutlookAdd("Offsite", FarDay10, location: "Hall A");
        Assert.Equal(1, (await h.RunAsync(InitialMerge.TwoWay)).Bitrix24.Created);
        await h.AssertQuietAsync(2);
        Assert.Contains("calendar.event.get", string.Join(" ", h.Bitrix24.Journal.Requests.Select(r => r.Body)));
        return (a, Assert.Single(h.State.Links).Bitrix24Id);
    }

    [Fact]
    public async Task An_Outlook_edit_of_a_far_meeting_reads_Bitrix24_whole_first_so_a_Bitrix24_edit_made_there_is_not_overwritten()
    {
        await using var h = HotAndFar(fixture, new SyncDefinition { Name = "work", ConflictPolicy = ConflictPolicy.Bitrix24Wins });
        var (a, b) = await LinkedFarAsync(h);

        await h.OutlookPatchAsync(a, """{"location":{"displayName":"Hall B (Outlook)"}}""");
        h.Bitrix24Update(b, new Dictionary<string, object?> { ["location"] = "Hall C (Bitrix24)" });
        var run = await h.RunAsync();

        Assert.Contains(h.LastLog, l => l.Contains("reading its whole window", StringComparison.Ordinal));
        Assert.Equal(0, run.Bitrix24.Updated);
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Hall C (Bitrix24)", Assert.Single(h.Bitrix24Stored).Location);
        Assert.Equal("Hall C (Bitrix24)", (string?)Assert.Single(h.OutlookStored)["location"]!["displayName"]);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task The_same_meeting_made_on_both_sides_in_the_far_range_between_far_reads_is_matched_not_duplicated()
    {
        await using var h = HotAndFar(fixture);
        await LinkedFarAsync(h);

        h.Bitrix24Add("Board meeting", FarDay10.AddDays(7));
        h.OutlookAdd("Board meeting", FarDay10.AddDays(7));
        var run = await h.RunAsync();

        Assert.Equal(0, run.Created);
        Assert.Equal(1, run.Matched);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        Assert.Equal(2, h.OutlookStored.Count);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task A_Bitrix24_edit_in_the_far_range_reaches_Outlook_at_the_next_far_read_and_not_before()
    {
        await using var h = HotAndFar(fixture);
        var (a, b) = await LinkedFarAsync(h);

        h.Bitrix24Update(b, new Dictionary<string, object?> { ["location"] = "Hall D" });
        await h.AssertQuietAsync(); // within the far read interval: as last read
        Assert.Equal("Hall A", (string?)Assert.Single(h.OutlookStored)["location"]!["displayName"]);

        h.Now = h.Now.AddMinutes(20);
        var run = await h.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Hall D", (string?)Assert.Single(h.OutlookStored, e => (string?)e["id"] == a)["location"]!["displayName"]);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task An_idle_run_between_far_reads_asks_Bitrix24_for_the_hot_range_only()
    {
        await using var h = HotAndFar(fixture);
        await LinkedFarAsync(h);

        var before = h.Bitrix24.Journal.Requests.Count;
        await h.AssertQuietAsync();
        var sent = h.Bitrix24.Journal.Requests.Skip(before).Where(r => r.Method != "BATCH").ToList();
        var request = Assert.Single(sent);
        Assert.Equal(1, request.Body.Split("calendar.event.get").Length - 1);
    }
}
