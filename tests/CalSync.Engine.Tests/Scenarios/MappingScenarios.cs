using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>docs/scenarios.md 21-25 on two in-memory calendars; here also a change of mapping, checked against the projection's hashes.</summary>
public sealed class MappingScenarios : Testing.Scenarios.MappingScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);

    [Fact]
    public void ChangingTheMappingProjectsEveryLinkedItemAgain()
    {
        using var h = new SyncHarness();
        var a1 = h.A.Add(Meeting("Planning", location: "Room 1"));
        h.A.Add(Meeting("Review", day: 12));
        h.Run(InitialMerge.TwoWay);
        h.AssertQuiet();
        Assert.Equal(new Projector(MappingLoader.BuiltIn("default")).Fingerprint, h.State.ViewFingerprint);
        Assert.All(h.State.Links, l => Assert.NotNull(l.OutlookHashVersion));

        h.Definition = h.Definition with { Mapping = "busy-only" };
        // Issue 19: the copies become busy blocks (no title, no location); the originals are not written.
        var switched = h.Run();
        Assert.Equal(2, switched.Bitrix24.Updated);
        Assert.Equal(0, switched.Outlook.Updated);
        Assert.All(h.B.Events, e => Assert.Equal(("Busy", ""), (e.Title, e.Location)));
        Assert.Equal("Room 1", h.A[a1.Id].Location);
        h.AssertQuiet();
        var busy = new Projector(MappingLoader.BuiltIn("busy-only"));
        Assert.Equal(busy.Fingerprint, h.State.ViewFingerprint);
        foreach (var link in h.State.Links)
        {
            Assert.Equal(busy.View(h.A[link.OutlookId], Side.Outlook).Hash, link.OutlookHash);
            Assert.Equal(busy.View(h.B[link.Bitrix24Id], Side.Bitrix24).Hash, link.Bitrix24Hash);
        }
        // The new hashes are the ones compared from now on: a real edit is still one.
        h.A.Edit(a1.Id, e => e with { Start = e.Start.Add(TimeSpan.FromHours(1)), End = e.End.Add(TimeSpan.FromHours(1)) });
        Assert.Equal(1, h.Run().Bitrix24.Updated);
        h.AssertQuiet();

        // And back: the copies get their details again from their originals.
        h.Definition = h.Definition with { Mapping = "default" };
        Assert.Equal(2, h.Run().Bitrix24.Updated);
        Assert.Contains(h.B.Events, e => e.Title == "Planning" && e.Location == "Room 1");
        Assert.Contains(h.B.Events, e => e.Title == "Review");
        h.AssertQuiet();
    }
}
