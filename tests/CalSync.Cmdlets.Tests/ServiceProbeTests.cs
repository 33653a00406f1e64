using System.Management.Automation;
using System.Net.Http.Headers;
using CalSync.Cmdlets.Tests.Support;
using CalSync.Sandbox;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Issue 22: Test-CalSyncService against the stand-ins. The whole probe passes as they are; each knob (a deliberately
/// different behaviour) fails exactly its probe with a clear observed value; the scratch calendars go in every path;
/// Start-CalSync holds back the writes whose belief failed.
/// </summary>
public sealed class ServiceProbeTests : IClassFixture<SandboxFixture>, IDisposable
{
    private const string Probe = "Test-CalSyncService -Connection outlook, bitrix24";
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public ServiceProbeTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script, Action<PowerShell>? whileRunning = null) => _f.Ps.Run(script, _f.Vars(), whileRunning);

    private async Task DeleteOutlookAsync(string id)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _f.Host.Graph.AccessToken);
        (await http.DeleteAsync(_f.Host.Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id))).EnsureSuccessStatusCode();
    }

    private static IReadOnlyList<(string Name, bool? Passed, string Expected, string Observed)> Results(PsResult r) =>
        r.Output.Select(o => ((string)o.Properties["Name"].Value, (bool?)o.Properties["Passed"].Value,
            (string)o.Properties["Expected"].Value, (string)o.Properties["Observed"].Value)).ToList();

    private IReadOnlyList<string> ScratchCalendars() =>
        _f.Host.Graph.GetCalendars().Select(c => c.Name).Concat(_f.Host.Bitrix24.GetSections().Select(s => s.Name))
            .Where(n => n.StartsWith("CalSync probe", StringComparison.Ordinal)).ToList();

    [Fact]
    public void The_whole_probe_passes_against_the_stand_ins_and_leaves_no_scratch_calendar()
    {
        var before = (_f.Host.Graph.GetCalendars().Count, _f.Host.Bitrix24.GetSections().Count);
        var r = Run(Probe).Ok();

        var results = Results(r);
        Assert.Equal(14, results.Count);
        Assert.All(results, x => Assert.True(x.Passed == true, $"{x.Name}: expected {x.Expected}, observed {x.Observed}"));
        Assert.Equal("CalSync.PowerShell.CalSyncProbeResult", r.Output[0].TypeNames[0]);
        Assert.All(r.Output, o => Assert.Matches("^docs/(graph|bitrix24)-api\\.md#", (string)o.Properties["Doc"].Value));
        Assert.Empty(r.Warnings);
        Assert.Empty(ScratchCalendars());
        Assert.Equal(before, (_f.Host.Graph.GetCalendars().Count, _f.Host.Bitrix24.GetSections().Count));
        Assert.True(File.Exists(_home.File("probes", "outlook.json")) && File.Exists(_home.File("probes", "bitrix24.json")));
    }

    public static TheoryData<string, string> Knobs => new()
    {
        { nameof(Sandbox.Graph.GraphService.OmitMoveOutTombstones), "graph-delta-tombstone" },
        { nameof(Sandbox.Graph.GraphService.RefuseSecondaryCalendarDelta), "graph-delta-secondary-calendar" },
        { nameof(Sandbox.Graph.GraphService.DeltaIgnoresTimeZone), "graph-delta-timezone" },
        { nameof(Sandbox.Graph.GraphService.DeltaIgnoresMaxPageSize), "graph-maxpagesize" },
        { nameof(Sandbox.Graph.GraphService.RefuseStampStartsWith), "graph-stamp-filter" },
        { nameof(Sandbox.Graph.GraphService.IgnoreTransactionId), "graph-transaction-id" },
        { nameof(Sandbox.Graph.GraphService.DstGapBackward), "graph-dst-gap" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.UpdateKeepsSkipTime), "bitrix24-update-skip-time" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.UpdateKeepsZones), "bitrix24-update-zones" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.ThisModeTakesRemind), "bitrix24-this-mode-reminder" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.TimestampXZone), "bitrix24-timestamp-zone" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.EventDateFormat), "bitrix24-date-format" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.BatchIgnoresResultReferences), "bitrix24-batch-result-reference" },
        { nameof(Sandbox.Bitrix24.Bitrix24Service.QueryLimitAs429), "bitrix24-rate-limit" },
    };

    private void Turn(string knob)
    {
        var (g, b) = (_f.Host.Graph, _f.Host.Bitrix24);
        switch (knob)
        {
            case nameof(g.OmitMoveOutTombstones): g.OmitMoveOutTombstones = true; break;
            case nameof(g.RefuseSecondaryCalendarDelta): g.RefuseSecondaryCalendarDelta = true; break;
            case nameof(g.DeltaIgnoresTimeZone): g.DeltaIgnoresTimeZone = true; break;
            case nameof(g.DeltaIgnoresMaxPageSize): g.DeltaIgnoresMaxPageSize = true; break;
            case nameof(g.RefuseStampStartsWith): g.RefuseStampStartsWith = true; break;
            case nameof(g.IgnoreTransactionId): g.IgnoreTransactionId = true; break;
            case nameof(g.DstGapBackward): g.DstGapBackward = true; break;
            case nameof(b.UpdateKeepsSkipTime): b.UpdateKeepsSkipTime = true; break;
            case nameof(b.UpdateKeepsZones): b.UpdateKeepsZones = true; break;
            case nameof(b.ThisModeTakesRemind): b.ThisModeTakesRemind = true; break;
            case nameof(b.TimestampXZone): b.TimestampXZone = "Pacific/Kiritimati"; break;
            case nameof(b.EventDateFormat): b.EventDateFormat = "yyyy/dd/MM HH:mm:ss"; break;
            case nameof(b.BatchIgnoresResultReferences): b.BatchIgnoresResultReferences = true; break;
            case nameof(b.QueryLimitAs429): b.QueryLimitAs429 = true; break;
            default: throw new ArgumentException(knob);
        }
    }

    [Theory]
    [MemberData(nameof(Knobs))]
    public void Each_knob_fails_exactly_its_probe_with_what_the_service_did(string knob, string probe)
    {
        Turn(knob);
        var r = Run(Probe);

        var results = Results(r);
        Assert.Equal(14, results.Count);
        var failed = Assert.Single(results, x => x.Passed == false);
        Assert.Equal(probe, failed.Name);
        Assert.NotEqual(failed.Expected, failed.Observed);
        Assert.Contains(r.Warnings, w => w.Contains($"'{probe}' failed", StringComparison.Ordinal) && w.Contains(failed.Observed, StringComparison.Ordinal));
        // Only delta's refusal leaves beliefs unchecked: the ones that need delta on the scratch calendar, said so.
        var notChecked = results.Where(x => x.Passed is null).Select(x => x.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        Assert.Equal(probe == "graph-delta-secondary-calendar" ? new[] { "graph-delta-timezone", "graph-delta-tombstone", "graph-maxpagesize" } : Array.Empty<string>(), notChecked);
        Assert.Empty(ScratchCalendars());
    }

    [Fact]
    public void WhatIf_lists_what_it_would_create_and_creates_nothing()
    {
        var writes = (_f.Host.Graph.Journal.WriteCount, _f.Host.Bitrix24.Journal.WriteCount);
        var r = Run(Probe + " -WhatIf").Ok();

        Assert.Empty(r.Output);
        Assert.Contains("CalSync probe (safe to delete)", r.HostText, StringComparison.Ordinal);
        Assert.Contains("Outlook connection 'outlook'", r.HostText, StringComparison.Ordinal);
        Assert.Contains("Bitrix24 connection 'bitrix24'", r.HostText, StringComparison.Ordinal);
        Assert.Contains("rate limit", r.HostText, StringComparison.Ordinal);
        Assert.Equal(writes, (_f.Host.Graph.Journal.WriteCount, _f.Host.Bitrix24.Journal.WriteCount));
        Assert.False(File.Exists(_home.File("probes", "outlook.json")));
    }

    [Fact]
    public void Scratch_calendars_a_killed_probe_left_are_found_by_name_and_stamp_and_removed_first()
    {
        _f.Host.Graph.SeedCalendar("CalSync probe (safe to delete) 20260101T000000Z");
        _f.Host.Bitrix24.SeedSection("CalSync probe (safe to delete) 20260101T000000Z");
        // Not a stamp: a calendar the user named so is left alone.
        _f.Host.Graph.SeedCalendar("CalSync probe (safe to delete) mine");

        Run(Probe).Ok();

        Assert.Equal(new[] { "CalSync probe (safe to delete) mine" }, ScratchCalendars());
    }

    [Fact]
    public void Stopping_the_probe_midway_deletes_its_scratch_calendars()
    {
        _f.Host.Graph.OperationLatency = TimeSpan.FromMilliseconds(150);
        var sawScratch = false;
        var r = Run(Probe, ps =>
        {
            var until = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < until && !(sawScratch = ScratchCalendars().Count > 0)) Thread.Sleep(20);
            ps.Stop();
        });

        Assert.True(sawScratch);
        Assert.IsType<PipelineStoppedException>(r.Terminating);
        Assert.Empty(ScratchCalendars());
        Assert.False(File.Exists(_home.File("probes", "outlook.json")));
    }

    [Fact]
    public async Task Start_CalSync_holds_back_deletions_on_absence_while_the_tombstone_probe_fails_and_makes_them_once_it_passes()
    {
        Seed.Outlook(_f.Host, "Gone soon", 9);
        Seed.Outlook(_f.Host, "Stays", 11);
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(2, _f.Host.Bitrix24.GetEvents().Count);

        _f.Host.Graph.OmitMoveOutTombstones = true;
        Run("Test-CalSyncService -Connection outlook");
        _f.Host.Graph.OmitMoveOutTombstones = false;
        var gone = _f.Host.Graph.GetEvents().Single(e => (string?)e["subject"] == "Gone soon")["id"]!.GetValue<string>();
        await DeleteOutlookAsync(gone);
        Seed.Outlook(_f.Host, "New meanwhile", 14);

        var run = Run("Start-CalSync -Name Work");

        // The deletion is refused, naming the probe and what to do; the rest of the run goes on.
        Assert.Equal(3, _f.Host.Bitrix24.GetEvents().Count);
        Assert.Equal("CompletedWithErrors", run.First.Outcome.ToString());
        Assert.Contains(run.Warnings, w => w.Contains("'graph-delta-tombstone'", StringComparison.Ordinal) && w.Contains("Test-CalSyncService -Connection 'outlook'", StringComparison.Ordinal));
        var history = Run("(Get-CalSyncHistory -Name Work -Last 1).Items | Where-Object { -not $_.Succeeded } | ForEach-Object Reason").Ok();
        var reason = (string)Assert.Single(history.Output).BaseObject;
        Assert.Contains("Refused: The probe 'graph-delta-tombstone' of the connection 'outlook' failed", reason, StringComparison.Ordinal);

        // Following the advice: the probe passes again, and the next run deletes the copy.
        Assert.All(Results(Run("Test-CalSyncService -Connection outlook").Ok()), x => Assert.True(x.Passed));
        Assert.Equal("Succeeded", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        Assert.Equal(new[] { "New meanwhile", "Stays" }, _f.Host.Bitrix24.GetEvents().Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_probe_result_of_what_the_connection_was_before_it_was_made_again_holds_nothing_back()
    {
        var gone = Seed.Outlook(_f.Host, "Gone soon", 9);
        Seed.Outlook(_f.Host, "Stays", 11); // deleting the only meeting would trip the empty-side guard
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        _f.Host.Graph.OmitMoveOutTombstones = true;
        Run("Test-CalSyncService -Connection outlook");
        _f.Host.Graph.OmitMoveOutTombstones = false;
        var probes = File.ReadAllText(_home.File("probes", "outlook.json"));
        File.WriteAllText(_home.File("probes", "outlook.json"), probes.Replace("\"key\": \"Outlook|", "\"key\": \"Outlook|elsewhere", StringComparison.Ordinal));
        await DeleteOutlookAsync(gone);

        var run = Run("Start-CalSync -Name Work").Ok();

        Assert.Empty(run.Warnings);
        Assert.Equal(new[] { "Stays" }, _f.Host.Bitrix24.GetEvents().Select(e => e.Name));
    }
}
