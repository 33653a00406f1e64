using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Integration.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Testing.Scenarios.Meeting;

namespace CalSync.Integration.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 8-20 through both real connectors and the sandbox; here also the scenarios under every Bitrix24 portal set-up and the rows stored.
/// </summary>
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

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S11_NewItemIsCopiedAndLinkedWithVersionsAndHashes_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        var (_, b1) = await NewItemIsCopiedAndLinked(rig);
        var stored = rig.H.Bitrix24Stored.Single(e => e.Id.ToString() == b1);
        Assert.Equal((Monday10, "Europe/Berlin"), (stored.From, stored.TimeZoneFrom));
    }

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public Task S12_MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack_InEveryPortal(string culture, string serverZone) =>
        MoveOnBitrix24UpdatesOutlookAndDoesNotEchoBack(() => new SandboxRig(fixture.Host, culture, serverZone), repeats: 1);

    [Theory]
    [MemberData(nameof(Portals.All), MemberType = typeof(Portals))]
    public async Task S17_ModificationBeatsDeletionUnderNewest_InEveryPortal(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        await ModificationBeatsDeletion(rig);
    }

    [Theory]
    [InlineData(ConflictPolicy.Bitrix24Wins, "Bitrix24 edit", "de", "UTC")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit", "de", "Asia/Kolkata")]
    [InlineData(ConflictPolicy.Newest, "Bitrix24 edit", "en", "America/Los_Angeles")]
    public async Task S18_BothChanged_PolicyDecidesAndHistoryKeepsBothBeforeImages_InOtherPortals(ConflictPolicy policy, string expected, string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone, new SyncDefinition { Name = "work", ConflictPolicy = policy });
        await PolicyDecides(rig, expected);
    }

    [Theory]
    [InlineData("de", "Asia/Kolkata")]
    [InlineData("en", "America/Los_Angeles")]
    public async Task S18_Newest_OlderEditLoses_InOtherPortals(string culture, string serverZone)
    {
        await using var rig = new SandboxRig(fixture.Host, culture, serverZone);
        await OlderEditLoses(rig);
    }
}
