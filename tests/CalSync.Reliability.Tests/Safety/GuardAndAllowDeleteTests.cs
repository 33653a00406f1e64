using CalSync.Reliability.Tests.Support;

namespace CalSync.Reliability.Tests.Safety;

/// <summary>The empty-side guard and allow-delete off, through the cmdlets (docs/architecture.md, "Sync semantics", docs/scenarios.md 15).</summary>
public sealed class GuardAndAllowDeleteTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _rig;
    private readonly StoreHome _home;

    public GuardAndAllowDeleteTests(SandboxFixture rig)
    {
        _rig = rig;
        rig.Reset();
        _home = new StoreHome();
        rig.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_Bitrix24_calendar_that_suddenly_returns_nothing_stops_the_run_with_EmptySideGuard_and_deletes_nothing_in_Outlook()
    {
        var titles = Meetings.SeedMerge(_rig.Host, 10);
        _rig.Run("New-CalSync -Name Work | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Empty(Invariants.Check(_rig.Host, _home.Root, titles));
        var links = Invariants.Links(_home.Root);
        var state = File.ReadAllBytes(_home.File("state", "work.json"));
        // Every Bitrix24 meeting vanishes (a wrong section, an emptied calendar, a portal answering an empty list).
        foreach (var e in _rig.Host.Bitrix24.GetEvents()) _rig.Host.Bitrix24.Call("calendar.event.delete", new Dictionary<string, object?> { ["id"] = e.Id });
        Assert.Empty(_rig.Host.Bitrix24.GetEvents());
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();

        var r = _rig.Run("Start-CalSync -Name Work");
        Assert.Equal("EmptySideGuard", Assert.Single(r.ErrorIds));
        Assert.Equal("Aborted", r.First.Outcome.ToString());
        Assert.Contains("Bitrix24 returned no meetings although 10 are linked", r.Errors[0].ToString());
        Assert.Contains("Start-CalSync -Name 'Work' -AllowEmptySide", r.Errors[0].ToString());
        var stop = _rig.Run("Start-CalSync -Name Work -ErrorAction Stop; 'not reached'");
        Assert.Equal("EmptySideGuard", stop.TerminatingId);
        Assert.DoesNotContain(stop.Output, o => o.ToString() == "not reached");

        Assert.Equal(0, _rig.Host.Graph.Journal.WriteCount);
        Assert.Equal(0, _rig.Host.Bitrix24.Journal.WriteCount);
        Assert.Equal(titles.OrderBy(t => t, StringComparer.Ordinal), Invariants.Outlook(_rig.Host).Select(e => e.Title).OrderBy(t => t, StringComparer.Ordinal));
        Assert.Equal(state, File.ReadAllBytes(_home.File("state", "work.json"))); // the links are kept for when the calendar comes back
        Assert.Equal(links, Invariants.Links(_home.Root));
        var history = _rig.Run("Get-CalSyncHistory -Name Work -Last 2").Ok();
        Assert.All(history.Output, h => Assert.Equal("EmptySideGuard", (string)((dynamic)h).ErrorId));

        // -AllowEmptySide: the user says the calendar really is empty; the deletion travels.
        var forced = _rig.Run("Start-CalSync -Name Work -AllowEmptySide").Ok();
        Assert.Equal(10, (int)forced.First.Deleted);
        Assert.Empty(_rig.Host.Graph.GetEvents());
    }

    [Fact]
    public async Task AllowDelete_off_keeps_copies_drops_links_and_never_recreates_the_deleted_side()
    {
        var a = Meetings.Outlook(_rig.Host, "Outlook original", Meetings.Start(1));
        Meetings.Outlook(_rig.Host, "Stays", Meetings.Start(2));
        var b = Meetings.Bitrix24(_rig.Host, "Bitrix24 original", Meetings.Start(3));
        _rig.Run("New-CalSync -Name Work -AllowDelete:$false | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(3, Invariants.Links(_home.Root).Count);
        Assert.False((bool)_rig.Run("Get-CalSync -Name Work").Ok().First.AllowDelete);

        await GraphCalls.DeleteAsync(_rig.Host, a);
        _rig.Host.Bitrix24.Call("calendar.event.delete", new Dictionary<string, object?> { ["id"] = b });
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();

        var r = _rig.Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(0, (int)r.First.Deleted);
        Assert.Equal(0, _rig.Host.Graph.Journal.WriteCount + _rig.Host.Bitrix24.Journal.WriteCount);
        // The copies stay where they are...
        Assert.Contains(Invariants.Bitrix24(_rig.Host), e => e.Title == "Outlook original");
        Assert.Contains(Invariants.Outlook(_rig.Host), e => e.Title == "Bitrix24 original");
        // ...unlinked: only "Stays" is still linked.
        Assert.Single(Invariants.Links(_home.Root));

        // Later runs never copy them back to the side where they were deleted.
        for (var i = 0; i < 2; i++)
        {
            var again = _rig.Run("Start-CalSync -Name Work").Ok();
            Assert.Equal("NoChanges", again.First.Outcome.ToString());
        }
        Assert.Equal(0, _rig.Host.Graph.Journal.WriteCount + _rig.Host.Bitrix24.Journal.WriteCount);
        Assert.DoesNotContain(Invariants.Outlook(_rig.Host), e => e.Title == "Outlook original");
        Assert.DoesNotContain(Invariants.Bitrix24(_rig.Host), e => e.Title == "Bitrix24 original");
        Assert.Equal(1, Invariants.Outlook(_rig.Host).Count(e => e.Title == "Bitrix24 original"));
        Assert.Equal(1, Invariants.Bitrix24(_rig.Host).Count(e => e.Title == "Outlook original"));
    }
}
