using System.Globalization;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Issue 15, case 2, through both real connectors and the sandbox: a meeting moved out of the sync window comes back
/// as a Graph delta tombstone (docs/graph-api.md) or as a Bitrix24 row missing from the window read; it is read
/// directly, found, and its copy is kept (it follows the move), never deleted. That a real deletion still propagates
/// is PropagationScenarios.S14_*.
/// </summary>
public sealed class AbsenceIsNotDeletionScenarios(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    [Fact]
    public async Task An_Outlook_meeting_moved_730_days_ahead_is_not_deleted_on_Bitrix24()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var a1 = h.OutlookAdd("Dentist", Monday10.AddDays(5), location: "Room 1");
        h.OutlookAdd("Weekly review", Monday10.AddDays(17));
        await h.RunAsync(InitialMerge.TwoWay);
        var b1 = Assert.Single(h.State.Links, l => l.OutlookId == a1).Bitrix24Id;

        var far = Monday10.AddDays(730);
        await h.OutlookPatchAsync(a1, $$$"""{"start":{"dateTime":"{{{SandboxHarness.GraphTime(far)}}}","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"{{{SandboxHarness.GraphTime(far.AddHours(1))}}}","timeZone":"W. Europe Standard Time"}}""");
        h.Graph.Journal.Clear();
        var run = await h.RunAsync();
        Assert.Equal(0, run.Bitrix24.Deleted);
        Assert.Contains(h.Graph.Journal.Requests, r => r.PathAndQuery.Contains("$batch", StringComparison.Ordinal) && r.Body.Contains(Uri.EscapeDataString(a1), StringComparison.Ordinal));
        var copy = Assert.Single(h.Bitrix24Stored, e => e.Id.ToString(CultureInfo.InvariantCulture) == b1);
        Assert.Equal(far, copy.From);

        await h.AssertQuietAsync();
        Assert.Contains(h.State.Links, l => l.OutlookId == a1 && l.Bitrix24Id == b1); // kept beyond the far edge

        // Moved back: Bitrix24's row is read directly and follows; no second copy.
        await h.OutlookPatchAsync(a1, $$$"""{"start":{"dateTime":"{{{SandboxHarness.GraphTime(Monday10.AddDays(6))}}}","timeZone":"W. Europe Standard Time"},"end":{"dateTime":"{{{SandboxHarness.GraphTime(Monday10.AddDays(6).AddHours(1))}}}","timeZone":"W. Europe Standard Time"}}""");
        var back = await h.RunAsync();
        Assert.True(0 == back.Bitrix24.Created && 1 == back.Bitrix24.Updated, SandboxHarness.Describe(back));
        Assert.Equal(Monday10.AddDays(6), Assert.Single(h.Bitrix24Stored, e => e.Id.ToString(CultureInfo.InvariantCulture) == b1).From);
        Assert.Equal(2, h.Bitrix24Stored.Count);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task A_Bitrix24_meeting_moved_out_of_the_window_is_not_deleted_on_Outlook()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var b1 = h.Bitrix24Add("Planning", Monday10.AddDays(3));
        h.Bitrix24Add("Retro", Monday10.AddDays(4)); // so the empty-side guard stays out of it
        await h.RunAsync(InitialMerge.TwoWay);
        var a1 = Assert.Single(h.State.Links, l => l.Bitrix24Id == b1).OutlookId;

        h.Bitrix24Move(b1, Monday10.AddDays(500));
        var run = await h.RunAsync();
        Assert.Equal(0, run.Outlook.Deleted);
        Assert.Contains(h.OutlookStored, e => (string?)e["id"] == a1);
        await h.RunAsync();
        await h.AssertQuietAsync();
        Assert.Equal(2, h.OutlookStored.Count);
    }
}
