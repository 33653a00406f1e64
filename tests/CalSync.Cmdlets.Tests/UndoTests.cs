using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;
using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Issue 19, case 6: Remove-CalSyncCopy and Reset-CalSync end to end against the stand-ins, judged by reading both
/// calendars.
/// </summary>
public sealed class UndoTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public UndoTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script, Action<PowerShell>? whileRunning = null) => _f.Ps.Run(script, _f.Vars(), whileRunning);

    private IReadOnlyList<string> OutlookIds() => _f.Host.Graph.GetEvents().Select(e => e["id"]!.GetValue<string>()).OrderBy(x => x, StringComparer.Ordinal).ToList();
    private IReadOnlyList<string> Bitrix24Ids() => _f.Host.Bitrix24.GetEvents().Select(e => e.Id.ToString(CultureInfo.InvariantCulture)).OrderBy(x => x, StringComparer.Ordinal).ToList();

    /// <summary>40 meetings merged two-way: 16 only in Outlook, 16 only in Bitrix24, 8 on both. Returns the originals' ids.</summary>
    private (IReadOnlyList<string> Outlook, IReadOnlyList<string> Bitrix24) Merge40()
    {
        for (var i = 0; i < 16; i++)
        {
            Seed.Outlook(_f.Host, $"Outlook only {i}", i % 12, 30);
            Seed.Bitrix24(_f.Host, $"Bitrix24 only {i}", i % 12, 45);
        }
        for (var i = 0; i < 8; i++)
        {
            Seed.Outlook(_f.Host, $"Both {i}", 12 + i);
            Seed.Bitrix24(_f.Host, $"Both {i}", 12 + i);
        }
        var originals = (OutlookIds(), Bitrix24Ids());
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal((40, 40), (OutlookIds().Count, Bitrix24Ids().Count));
        return originals;
    }

    private void AssertOnlyOriginals((IReadOnlyList<string> Outlook, IReadOnlyList<string> Bitrix24) originals)
    {
        Assert.Equal(originals.Outlook, OutlookIds());
        Assert.Equal(originals.Bitrix24, Bitrix24Ids());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_undo_after_a_two_way_merge_of_40_meetings_leaves_exactly_the_originals_on_each_side(bool stateDeleted)
    {
        var originals = Merge40();
        if (stateDeleted) File.Delete(_home.File("state", "work.json"));

        var r = Run("Remove-CalSyncCopy -Name Work -Confirm:$false").Ok();

        AssertOnlyOriginals(originals);
        var run = r.Single<object>();
        Assert.Equal("CalSync.PowerShell.CalSyncRun", r.Output[0].TypeNames[0]);
        Assert.Equal("RemoveCopies:Both", (string)r.First.Mode);
        Assert.Equal((16, 16), ((int)r.First.Outlook.Deleted, (int)r.First.Bitrix24.Deleted));
        var last = Run("Get-CalSyncHistory -Name Work -Last 1").Ok();
        Assert.Equal((string)r.First.RunId.ToString(), (string)last.First.RunId.ToString());
        Assert.NotNull(run);
        // The sync can merge again from scratch.
        Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal((40, 40), (OutlookIds().Count, Bitrix24Ids().Count));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
    }

    [Fact]
    public void WhatIf_lists_each_copy_with_its_title_side_and_local_start_and_writes_nothing()
    {
        Merge40();
        var before = (Seed.Writes(_f.Host), _home.Snapshot());

        var r = Run("Remove-CalSyncCopy -Name Work -WhatIf").Ok();

        Assert.Empty(r.Output);
        Assert.Contains("What if: Remove-CalSyncCopy 'Work': Plan (RemoveCopies:Both): 32 write(s); Outlook: 0 create, 0 update, 16 delete; Bitrix24: 0 create, 0 update, 16 delete", r.HostText);
        var day = Seed.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains($"Delete on Bitrix24: 'Outlook only 3' {day} 03:00 Europe/Berlin", r.HostText);
        Assert.Contains($"Delete on Outlook: 'Bitrix24 only 5' {day} 05:00 Europe/Berlin", r.HostText);
        Assert.DoesNotContain("'Both ", r.HostText);
        Assert.Equal(before.Item1, Seed.Writes(_f.Host));
        Assert.Equal(before.Item2, _home.Snapshot());
    }

    [Fact]
    public void One_side_removes_only_its_copies_and_the_next_run_writes_nothing()
    {
        var originals = Merge40();

        var r = Run("Remove-CalSyncCopy -Name Work -Side Bitrix24 -Confirm:$false").Ok();

        Assert.Equal("RemoveCopies:Bitrix24", (string)r.First.Mode);
        Assert.Equal(originals.Bitrix24, Bitrix24Ids());
        Assert.Equal(40, OutlookIds().Count);
        var before = Seed.Writes(_f.Host);
        Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(before, Seed.Writes(_f.Host));
    }

    [Fact]
    public void Stopped_mid_removal_runs_refuse_and_a_rerun_finishes_without_touching_originals()
    {
        var originals = Merge40();
        var seen = 0;
        PowerShell? running = null;
        // Ctrl+C (StopProcessing) as soon as Outlook has applied its 3rd delete.
        _f.Host.Graph.Journal.WriteHandled += StopAtThird;
        try
        {
            var stopped = Run("Remove-CalSyncCopy -Name Work -Confirm:$false", ps => running = ps);
            Assert.IsType<PipelineStoppedException>(stopped.Terminating);
        }
        finally { _f.Host.Graph.Journal.WriteHandled -= StopAtThird; }
        Assert.True(OutlookIds().Count < 40);

        var writes = Seed.Writes(_f.Host);
        var refused = Run("Start-CalSync -Name Work");
        Assert.Equal("RemovalPending", Assert.Single(refused.ErrorIds));
        Assert.Contains("Run Remove-CalSyncCopy -Name 'Work' to finish it", refused.Errors[0].ToString());
        Assert.Equal("RemovalPending", Assert.Single(Run("Reset-CalSync -Name Work -Confirm:$false").ErrorIds));
        Assert.Equal(writes, Seed.Writes(_f.Host));

        Run("Remove-CalSyncCopy -Name Work -Confirm:$false").Ok();
        AssertOnlyOriginals(originals);

        void StopAtThird(CalSync.Sandbox.RecordedRequest request)
        {
            if (Interlocked.Increment(ref seen) == 3) running?.BeginStop(null, null);
        }
    }

    [Fact]
    public void Reset_then_a_run_rematches_every_pair_without_duplicates()
    {
        Merge40();
        var names = (Seed.OutlookSubjects(_f.Host), Seed.Bitrix24Names(_f.Host));

        var whatIf = Run("Reset-CalSync -Name Work -WhatIf").Ok();
        Assert.Contains("What if: Reset-CalSync 'Work': Would forget 40 link(s)", whatIf.HostText);
        var r = Run("Reset-CalSync -Name Work -Confirm:$false").Ok();
        Assert.Equal(("Reset", "Succeeded"), ((string)r.First.Mode, r.First.Outcome.ToString()));

        var before = Seed.Writes(_f.Host);
        var run = Run("Start-CalSync -Name Work").Ok();
        Assert.Equal("InitialMerge:TwoWay", (string)run.First.Mode);
        Assert.Equal((0, 40), ((int)run.First.Created, (int)run.First.Matched));
        Assert.Equal(before, Seed.Writes(_f.Host));
        Assert.Equal(names.Item1, Seed.OutlookSubjects(_f.Host));
        Assert.Equal(names.Item2, Seed.Bitrix24Names(_f.Host));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
    }

    [Fact]
    public void Reset_without_avoid_duplicates_is_refused_and_its_advice_works()
    {
        Merge40();
        Run("Set-CalSync -Name Work -AvoidDuplicates:$false").Ok();
        var state = File.ReadAllBytes(_home.File("state", "work.json"));

        var refused = Run("Reset-CalSync -Name Work -Confirm:$false");
        Assert.Equal("ResetNeedsAvoidDuplicates", Assert.Single(refused.ErrorIds));
        Assert.Equal(state, File.ReadAllBytes(_home.File("state", "work.json")));
        var advice = System.Text.RegularExpressions.Regex.Match(refused.Errors[0].ToString(), @"Run (Set-CalSync [^.]+?) first").Groups[1].Value;
        Assert.Equal("Set-CalSync -Name 'Work' -AvoidDuplicates $true", advice);

        Run(advice).Ok();
        Run("Reset-CalSync -Name Work -Confirm:$false").Ok();
        Assert.Equal(0, (int)Run("Start-CalSync -Name Work").Ok().First.Created);
        Assert.Equal((40, 40), (OutlookIds().Count, Bitrix24Ids().Count));
    }

    [Fact]
    public void A_Bitrix24_invitation_is_never_deleted_its_Outlook_copy_is()
    {
        var day = Seed.Day.AddHours(9);
        var host = _f.Host.Bitrix24.CallAsColleague("calendar.event.add", new Dictionary<string, object?>
        {
            ["type"] = "user", ["ownerId"] = _f.Host.Bitrix24.ColleagueId, ["name"] = "Quarterly review",
            ["from"] = day.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), ["to"] = day.AddHours(1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
            ["is_meeting"] = "Y", ["attendees"] = new[] { _f.Host.Bitrix24.ColleagueId, _f.Host.Bitrix24.UserId },
        });
        Assert.NotNull(host);
        Seed.Outlook(_f.Host, "Dentist", 11);
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        var bitrix24 = _f.Host.Bitrix24.GetEvents().Select(e => (e.Id, e.Name)).ToList();
        Assert.Contains("Quarterly review", Seed.OutlookSubjects(_f.Host));

        Run("Remove-CalSyncCopy -Name Work -Confirm:$false").Ok();

        Assert.Equal(new[] { "Dentist" }, Seed.OutlookSubjects(_f.Host));
        Assert.Contains(_f.Host.Bitrix24.GetEvents(), e => e.Name == "Quarterly review");
        Assert.Equal(bitrix24.Count - 1, _f.Host.Bitrix24.GetEvents().Count);
    }
}
