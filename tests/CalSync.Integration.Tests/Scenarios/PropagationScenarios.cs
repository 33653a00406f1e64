using System.Text.Json.Nodes;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Outlook;
using CalSync.Testing.Scenarios;
using Xunit;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>docs/scenarios.md 8-20 through both real connectors and the sandbox.</summary>
public sealed class PropagationScenarios(SandboxFixture fixture) : Testing.Scenarios.PropagationScenarios, IClassFixture<SandboxFixture>
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new SandboxRig(fixture.Host, definition: definition);

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S14_DeletionIsPropagatedWhenAllowDeleteIsOn_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        await DeletionIsPropagated(rig);
    }

    private static readonly DateTime Monday10 = new(2025, 3, 3, 10, 0, 0);

    private sealed class Crash : Exception;

    /// <summary>A side whose writes reach the service, after which the process dies before the state is saved.</summary>
    private sealed class CrashAfterWrite(ICalendarSide inner) : ICalendarSide
    {
        public Side Side => inner.Side;
        public Task<SideSnapshot> ReadAsync(SyncWindow window, SideCursor? cursor, CancellationToken cancellationToken) => inner.ReadAsync(window, cursor, cancellationToken);
        public async Task<IReadOnlyList<WriteResult>> WriteAsync(IReadOnlyList<WriteOperation> operations, WriteHalt? halt, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(operations, halt, cancellationToken);
            throw new Crash();
        }
        public string? CannotExpress(Recurrence recurrence, CalEvent series) => inner.CannotExpress(recurrence, series);
        public Task<IReadOnlyDictionary<string, CalEvent?>> ReadByIdAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => inner.ReadByIdAsync(ids, cancellationToken);
    }

    /// <summary>a1 "Dentist" on Outlook copied to Bitrix24 (plus another meeting, so deleting a1 does not trip the empty-side guard).</summary>
    private static async Task<(SandboxHarness H, string A1, string B1)> LinkedAsync(SandboxFixture fixture, SyncDefinition? definition = null, string culture = "en", string serverZone = "UTC")
    {
        var h = new SandboxHarness(fixture.Host, culture, serverZone, definition);
        var a1 = h.OutlookAdd("Dentist", Monday10, location: "Room 1", body: "Check-up");
        h.OutlookAdd("Weekly review", Monday10.AddDays(17));
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(2, run.Bitrix24.Created);
        var b1 = Assert.Single(h.State.Links, l => l.OutlookId == a1).Bitrix24Id;
        return (h, a1, b1);
    }

    [Theory]
    [InlineData(Side.Bitrix24)]
    [InlineData(Side.Outlook)]
    public async Task S08_CrashAfterTheCreateIsRecoveredNotDuplicated(Side target)
    {
        await using var h = new SandboxHarness(fixture.Host);
        if (target == Side.Bitrix24) h.OutlookAdd("Dentist", Monday10, location: "Room 1");
        else h.Bitrix24Add("Dentist", Monday10, location: "Room 1");
        if (target == Side.Bitrix24) h.WrapBitrix24 = s => new CrashAfterWrite(s);
        else h.WrapOutlook = s => new CrashAfterWrite(s);
        await Assert.ThrowsAsync<Crash>(() => h.RunAsync(InitialMerge.TwoWay));
        Assert.Single(h.State.Journal);
        Assert.Empty(h.State.Links);
        Assert.Equal(2, h.OutlookStored.Count + h.Bitrix24Stored.Count);
        h.WrapBitrix24 = h.WrapOutlook = s => s;

        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.True(1 == (target == Side.Bitrix24 ? run.Bitrix24.Recovered : run.Outlook.Recovered), SandboxHarness.Describe(run));
        Assert.Equal(0, run.Created);
        Assert.Single(h.OutlookStored);
        Assert.Single(h.Bitrix24Stored);
        Assert.Single(h.State.Links);
        Assert.Empty(h.State.Journal);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S08_RecoveryWithAvoidDuplicatesOff_UsesTheJournal()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "work", AvoidDuplicates = false });
        h.OutlookAdd("Dentist", Monday10);
        h.WrapBitrix24 = s => new CrashAfterWrite(s);
        await Assert.ThrowsAsync<Crash>(() => h.RunAsync(InitialMerge.TwoWay));
        h.WrapBitrix24 = s => s;
        var run = await h.RunAsync(InitialMerge.TwoWay);
        Assert.Equal(1, run.Recovered);
        Assert.Single(h.Bitrix24Stored);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S10_LinkFollowsAnOutlookCopyWhoseIdChanged()
    {
        await using var h = new SandboxHarness(fixture.Host);
        var b1 = h.Bitrix24Add("Planning", Monday10);
        await h.RunAsync(InitialMerge.TwoWay);
        var copyId = Assert.Single(h.State.Links).OutlookId;
        var stored = Assert.Single(h.OutlookStored);
        var props = stored["singleValueExtendedProperties"]!.AsArray();
        var stamp = props.Single(p => (string?)p!["id"] == OutlookCalendarSide.OriginStampPropertyId)!["value"]!.GetValue<string>();
        Assert.Equal(Planner.OriginStamp("work", Side.Bitrix24, b1), stamp);

        // The item gets a new id (as when Outlook moves it between folders): same content, same stamp, new id.
        var copy = new JsonObject
        {
            ["subject"] = stored["subject"]!.DeepClone(),
            ["body"] = stored["body"]!.DeepClone(),
            ["start"] = new JsonObject { ["dateTime"] = SandboxHarness.GraphTime(Monday10), ["timeZone"] = stored["originalStartTimeZone"]!.DeepClone() },
            ["end"] = new JsonObject { ["dateTime"] = SandboxHarness.GraphTime(Monday10.AddHours(1)), ["timeZone"] = stored["originalEndTimeZone"]!.DeepClone() },
            ["isReminderOn"] = stored["isReminderOn"]!.DeepClone(),
            ["reminderMinutesBeforeStart"] = stored["reminderMinutesBeforeStart"]!.DeepClone(),
            ["showAs"] = stored["showAs"]!.DeepClone(),
            ["sensitivity"] = stored["sensitivity"]!.DeepClone(),
            ["importance"] = stored["importance"]!.DeepClone(),
            ["singleValueExtendedProperties"] = new JsonArray(new JsonObject { ["id"] = OutlookCalendarSide.OriginStampPropertyId, ["value"] = stamp }),
        };
        await h.OutlookDeleteAsync(copyId);
        var newId = h.Graph.SeedEvent(copy.ToJsonString());
        Assert.NotEqual(copyId, newId);

        await h.AssertQuietAsync();
        Assert.Equal(newId, Assert.Single(h.State.Links).OutlookId);
        Assert.Single(h.OutlookStored);
        Assert.Single(h.Bitrix24Stored);

        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["location"] = "Room 7" });
        var run = await h.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Room 7", Assert.Single(await h.ReadOutlookAsync()).Location);
        await h.AssertQuietAsync();
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S11_NewItemIsCopiedAndLinkedWithVersionsAndHashes(string culture, string serverZone)
    {
        var (h, a1, b1) = await LinkedAsync(fixture, culture: culture, serverZone: serverZone);
        await using var _ = h;
        var link = Assert.Single(h.State.Links, l => l.OutlookId == a1);
        var outlook = Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1);
        var bitrix24 = Assert.Single(await h.ReadBitrix24Async(), e => e.Id == b1);
        Assert.Equal(outlook.Version, link.OutlookVersion);
        Assert.Equal(bitrix24.Version, link.Bitrix24Version);
        Assert.NotEmpty(link.OutlookHash);
        Assert.Equal(link.OutlookHash, link.Bitrix24Hash); // a faithful copy has the same projection
        Assert.Equal(outlook.Start, bitrix24.Start);
        Assert.Equal(outlook.End, bitrix24.End);
        Assert.Equal(("Dentist", "Room 1", "Check-up", 15), (bitrix24.Title, bitrix24.Location, bitrix24.Description, bitrix24.ReminderMinutes));
        var stored = h.Bitrix24Stored.Single(e => e.Id.ToString() == b1);
        Assert.Equal((Monday10, "Europe/Berlin"), (stored.From, stored.TimeZoneFrom));
        await h.AssertQuietAsync(3);
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S12_MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack(string culture, string serverZone)
    {
        var (h, a1, b1) = await LinkedAsync(fixture, culture: culture, serverZone: serverZone);
        await using var _ = h;
        h.Bitrix24Move(b1, Monday10.AddHours(3));
        var run = await h.RunAsync();
        Assert.True(1 == run.Outlook.Updated, SandboxHarness.Describe(run));
        Assert.Equal(0, run.Bitrix24.Writes);
        var a = Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1);
        Assert.Equal(new DateTime(2025, 3, 3, 12, 0, 0, DateTimeKind.Utc), a.Start.Value);
        Assert.Equal(new DateTime(2025, 3, 3, 13, 0, 0, DateTimeKind.Utc), a.End.Value);
        var bWrites = h.Bitrix24Writes;
        await h.AssertQuietAsync(3);
        Assert.Equal(bWrites, h.Bitrix24Writes);
    }

    [Fact]
    public async Task S13_ItemReportedOnlyBecauseCalSyncWroteItIsNotWrittenBack()
    {
        var (h, a1, b1) = await LinkedAsync(fixture);
        await using var _ = h;
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["description"] = "Bring the X-rays" });
        var run = await h.RunAsync();
        Assert.Equal(1, run.Outlook.Updated);
        Assert.Equal("Bring the X-rays", Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1).Description);
        // The delta now reports a1 because CalSync wrote it: no write back to Bitrix24.
        await h.AssertQuietAsync(2);
        // A version bump without a content change (the same subject saved again) is not a change either.
        await h.OutlookPatchAsync(a1, """{"subject":"Dentist"}""");
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["name"] = "Dentist" });
        await h.AssertQuietAsync();
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S17_ModificationBeatsDeletionUnderNewest(string culture, string serverZone)
    {
        var (h, a1, b1) = await LinkedAsync(fixture, culture: culture, serverZone: serverZone);
        await using var _ = h;
        await h.OutlookPatchAsync(a1, """{"subject":"Dentist (moved)"}""");
        h.Bitrix24Delete(b1);
        var run = await h.RunAsync();
        Assert.Equal(1, run.Bitrix24.Created);
        Assert.Contains(run.Items, i => i.Action == ItemAction.Conflict);
        var link = Assert.Single(h.State.Links, l => l.OutlookId == a1);
        Assert.NotEqual(b1, link.Bitrix24Id);
        Assert.Equal("Dentist (moved)", h.Bitrix24Stored.Single(e => e.Id.ToString() == link.Bitrix24Id).Name);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData(ConflictPolicy.OutlookWins, "Outlook edit", "en", "UTC")]
    [InlineData(ConflictPolicy.Bitrix24Wins, "Bitrix24 edit", "de", "UTC")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit", "en", "UTC")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit", "de", "Asia/Kolkata")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit", "en", "America/Los_Angeles")]
    public async Task S18_BothChanged_PolicyDecidesAndHistoryKeepsBothBeforeImages(ConflictPolicy policy, string expected, string culture, string serverZone)
    {
        var (h, a1, b1) = await LinkedAsync(fixture, new SyncDefinition { Name = "work", ConflictPolicy = policy }, culture, serverZone);
        await using var _ = h;
        await h.OutlookPatchAsync(a1, """{"location":{"displayName":"Outlook edit"}}""");
        await Task.Delay(1100); // the Bitrix24 edit is the newer one (its times have whole seconds)
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["location"] = "Bitrix24 edit" });
        var run = await h.RunAsync();
        Assert.True(1 == run.Writes, SandboxHarness.Describe(run));
        Assert.Equal(expected, Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1).Location);
        Assert.Equal(expected, h.Bitrix24Stored.Single(e => e.Id.ToString() == b1).Location);
        var conflict = Assert.Single(run.Items, i => i.Action == ItemAction.Conflict);
        Assert.Equal("Outlook edit", conflict.OutlookBefore!["location"]);
        Assert.Equal("Bitrix24 edit", conflict.Bitrix24Before!["location"]);
        await h.AssertQuietAsync();
    }

    [Theory]
    [InlineData("en", "UTC")]
    [InlineData("de", "Asia/Kolkata")]
    [InlineData("en", "America/Los_Angeles")]
    public async Task S18_Newest_OlderEditLoses(string culture, string serverZone)
    {
        var (h, a1, b1) = await LinkedAsync(fixture, culture: culture, serverZone: serverZone);
        await using var _ = h;
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["location"] = "Bitrix24 edit" });
        await Task.Delay(1100);
        await h.OutlookPatchAsync(a1, """{"location":{"displayName":"Outlook edit"}}""");
        var run = await h.RunAsync();
        Assert.True(1 == run.Bitrix24.Updated, SandboxHarness.Describe(run));
        Assert.Equal("Outlook edit", h.Bitrix24Stored.Single(e => e.Id.ToString() == b1).Location);
        await h.AssertQuietAsync();
    }

    [Fact]
    public async Task S19_OneWay_ItemOnlyOnTargetIsNeverTouched()
    {
        await using var h = new SandboxHarness(fixture.Host, definition: new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        var b2 = h.Bitrix24Add("Bitrix only", Monday10);
        h.OutlookAdd("Outlook", Monday10.AddDays(1));
        var b2Before = h.Bitrix24Stored.Single(e => e.Id.ToString() == b2);
        await h.RunAsync(InitialMerge.TwoWay);
        await h.RunAsync();
        Assert.Single(h.OutlookStored);
        Assert.Equal(0, h.GraphWrites);
        Assert.Equal(b2Before, h.Bitrix24Stored.Single(e => e.Id.ToString() == b2));
        await h.AssertQuietAsync(2);
    }

    [Fact]
    public async Task S20_OneWay_TargetEditIsLeftAloneUntilTheSourceChanges()
    {
        var (h, a1, b1) = await LinkedAsync(fixture, new SyncDefinition { Name = "work", Direction = SyncDirection.OutlookToBitrix24 });
        await using var _ = h;
        var graphWrites = h.GraphWrites;
        h.Bitrix24Update(b1, new Dictionary<string, object?> { ["name"] = "Edited on Bitrix24" });
        await h.AssertQuietAsync(2);
        Assert.Equal("Dentist", Assert.Single(await h.ReadOutlookAsync(), e => e.Id == a1).Title);
        Assert.Equal("Edited on Bitrix24", h.Bitrix24Stored.Single(e => e.Id.ToString() == b1).Name);

        await h.OutlookPatchAsync(a1, """{"location":{"displayName":"Room 2"}}""");
        graphWrites = h.GraphWrites;
        await h.RunAsync();
        var b = h.Bitrix24Stored.Single(e => e.Id.ToString() == b1);
        Assert.Equal(("Dentist", "Room 2"), (b.Name, b.Location));
        Assert.Equal(graphWrites, h.GraphWrites);
        await h.AssertQuietAsync();
    }
}
