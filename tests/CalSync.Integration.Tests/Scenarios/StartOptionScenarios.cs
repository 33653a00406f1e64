using System.Globalization;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// Scenarios 1-7 (start options) through both real connectors and the sandbox; here also the merges under every
/// Bitrix24 portal set-up (culture, server zone) and the rows the services store.
/// </summary>
public sealed class StartOptionScenarios(SandboxFixture fixture) : Testing.Scenarios.StartOptionScenarios, IClassFixture<SandboxFixture>
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new SandboxRig(fixture.Host, definition: definition);

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public Task S02_TwoWayMerge_IdenticalItemsAreLinkedWithoutWrites_InEveryPortal(string culture, string serverZone) =>
        IdenticalItemsAreLinkedWithoutWrites(() => new SandboxRig(fixture.Host, culture, serverZone), repeats: 1);

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S04_TwoWayMerge_DisjointItemsAreCopiedBothWays_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        var (bitrix24Copy, outlookCopy) = await DisjointItemsAreCopiedBothWays(rig);
        var b = Assert.Single(rig.H.Bitrix24Stored, e => e.Id.ToString(CultureInfo.InvariantCulture) == bitrix24Copy);
        Assert.Equal("Room 1", b.Location);
        Assert.Equal("Europe/Berlin", b.TimeZoneFrom);
        Assert.Equal(Monday10, b.From);
        var a = Assert.Single(rig.H.OutlookStored, e => (string?)e["id"] == outlookCopy);
        Assert.Equal("Room 2", (string?)a["location"]!["displayName"]);
    }
}
