using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using CalSync.Engine.Tests.Support;
using CalSync.Testing.Scenarios;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Scenarios;

/// <summary>
/// docs/scenarios.md 8-20 on two in-memory calendars; here what only they can show: a copy half written before a
/// crash, a service that normalises a copy or keeps the version of an edit.
/// </summary>
public sealed class PropagationScenarios : Testing.Scenarios.PropagationScenarios
{
    protected override ISyncRig NewRig(SyncDefinition? definition = null) => new InMemoryRig(definition);

    private static SyncHarness Linked(out CalEvent a1, out CalEvent b1)
    {
        var h = new SyncHarness();
        a1 = h.A.Add(Meeting("Dentist"));
        // Every calendar has other meetings: without them, deleting a1 would trip the empty-side guard.
        h.A.Add(Meeting("Weekly review", day: 20));
        h.Run(InitialMerge.TwoWay);
        var id = a1.Id;
        var link = Assert.Single(h.State.Links, l => l.OutlookId == id);
        b1 = h.B[link.Bitrix24Id];
        return h;
    }

    [Fact]
    public void S08_HalfWrittenCopyIsCompletedFromItsSource()
    {
        using var h = new SyncHarness();
        h.A.Add(Meeting("Dentist", location: "Room 1"));
        // The service stored the copy without its location, then the run died before saving.
        h.B.StoreTransform = e => e with { Location = "" };
        h.B.AfterWrite = _ => throw new Crash();
        Assert.Throws<Crash>(() => h.Run(InitialMerge.TwoWay));
        h.B.AfterWrite = null;
        h.B.StoreTransform = e => e;
        h.Now = h.Now.AddHours(1); // the copy is newer than its source, yet the source wins
        var run = h.Run(InitialMerge.TwoWay);
        Assert.Equal(1, run.Bitrix24.Recovered);
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.Equal("Room 1", Assert.Single(h.B.Events).Location);
        Assert.Equal("Room 1", Assert.Single(h.A.Events).Location);
        h.AssertQuiet();
    }

    [Fact]
    public void S13_WhatTheServiceNormalisesInACopyIsNotWrittenBack()
    {
        using var h = Linked(out var a1, out var b1);
        // The service normalises what CalSync wrote (a new projection, same version): not a change.
        h.A.StoreTransform = e => e with { Description = e.Description + "\n-- sent from Outlook.com" };
        h.B.Edit(b1.Id, e => e with { Description = "Bring the X-rays" });
        h.Run();
        Assert.Equal(1, h.A.Updates);
        h.AssertQuiet(2);
        // A version bump without a content change (an attendee answered) is not a change either.
        h.A.Edit(a1.Id, e => e);
        h.AssertQuiet();
    }

    [Fact]
    public void S13_AnItemStillAtTheVersionLastReadIsNotProjectedAgain_AnEditWithoutANewVersionTravelsWithTheNextVersion()
    {
        using var h = Linked(out var a1, out var b1);
        h.AssertQuiet();
        var hashes = h.State.Links.Single(l => l.OutlookId == a1.Id);
        // The content changes without a new version: unchanged, as the version says (as before); the link keeps its hash.
        h.A.EditSilently(a1.Id, e => e with { Location = "Room 4" });
        h.AssertQuiet(2);
        Assert.Equal(hashes.OutlookHash, h.State.Links.Single(l => l.OutlookId == a1.Id).OutlookHash);
        // The next version (even one without an edit of its own) carries the content the link has not seen.
        h.A.Edit(a1.Id, e => e);
        var run = h.Run();
        Assert.Equal(1, run.Bitrix24.Updated);
        Assert.Equal("Room 4", h.B[b1.Id].Location);
        h.AssertQuiet(2);
    }
}
