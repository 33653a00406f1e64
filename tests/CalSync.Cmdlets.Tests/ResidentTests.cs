using System.Management.Automation;
using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>Start-CalSync -Resident in the hosted engine (issue 21): the real pwsh process and SIGTERM are in tests/pester.</summary>
public sealed class ResidentTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public ResidentTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script) => _f.Ps.Run(script, _f.Vars());

    private int HistoryLines(string sync)
    {
        var path = _home.File("history", sync.ToLowerInvariant() + ".jsonl");
        return File.Exists(path) ? File.ReadAllLines(path).Count(l => l.Length > 0) : 0;
    }

    /// <summary>
    /// Runs the resident mode until <paramref name="until"/> holds, then stops it as Ctrl+C does. A stopped pipeline
    /// returns no output, so the records it wrote are collected on the way: <see cref="Seen"/>.
    /// </summary>
    private PsResult Resident(string script, Func<bool> until) => _f.Ps.Run("$global:seen = [Collections.ArrayList]::new(); " + script + " | ForEach-Object { [void]$global:seen.Add($_) }", _f.Vars(), ps =>
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!until() && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Thread.Sleep(200); // the run's record is written after its history line
        ps.Stop();
    });

    private List<string> Seen() => Run("$global:seen").Ok().Output.Select(o => (string)(((dynamic)o).SyncName + ":" + ((dynamic)o).Outcome.ToString())).OrderBy(s => s).ToList();

    [Fact]
    public void Every_sync_runs_at_once_with_its_record_out_and_in_the_history_and_Ctrl_C_stops_it()
    {
        var colleague = SandboxFixture.Secure(_f.Host.Bitrix24.ColleagueWebhookUrl);
        // B copies into another calendar (its own connection), so the two syncs do not share copies.
        _f.Ps.Run("Connect-Bitrix24 -Name team -WebhookUrl $colleague -Calendar Team -CreateCalendar -AllowPlaintextSecretStore | Out-Null",
            new Dictionary<string, object?> { ["colleague"] = colleague }).Ok();
        Run("New-CalSync -Name A -Interval 1; New-CalSync -Name B -Interval 1 -Mapping busy-only-one-way -Bitrix24Connection team; Start-CalSync -Name * -InitialMerge TwoWay").Ok();
        Seed.Outlook(_f.Host, "Planning", 9);

        var r = Resident("Start-CalSync -Name * -Resident -Verbose", () => HistoryLines("A") == 2 && HistoryLines("B") == 2);

        Assert.IsType<PipelineStoppedException>(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.Equal(["A:Succeeded", "B:Succeeded"], Seen());
        Assert.Contains(r.Verbose, v => v.StartsWith("Resident: 2 sync(s)", StringComparison.Ordinal));
        Assert.Contains("Planning", Seed.Bitrix24Names(_f.Host));
        // Stopped: no run after the first of each, and the next run of A finds nothing to do.
        Assert.Equal([2, 2], new[] { HistoryLines("A"), HistoryLines("B") });
        Assert.Equal("NoChanges", Run("Start-CalSync -Name A").Ok().First.Outcome.ToString());
    }

    /// <summary>Work on the user's calendar, Home on the colleague's (its own connection): two syncs that share no copies.</summary>
    private void WorkAndHome()
    {
        Run("New-CalSync -Name Work -Interval 1").Ok();
        var colleague = SandboxFixture.Secure(_f.Host.Bitrix24.ColleagueWebhookUrl);
        _f.Ps.Run("Connect-Bitrix24 -Name team -WebhookUrl $colleague -Calendar Team -CreateCalendar -AllowPlaintextSecretStore | Out-Null; New-CalSync -Name Home -Interval 1 -Bitrix24Connection team",
            new Dictionary<string, object?> { ["colleague"] = colleague }).Ok();
    }

    [Fact]
    public void A_sync_another_run_holds_is_skipped_and_the_others_run()
    {
        WorkAndHome();
        Directory.CreateDirectory(_home.File("locks"));
        using (new FileStream(_home.File("locks", "work.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var r = Resident("Start-CalSync -Name Work, Home -Resident -Verbose", () => HistoryLines("Home") == 1);
            Assert.Empty(r.Errors);
            Assert.Contains(r.Verbose, v => v.Contains("'Work' is being run elsewhere"));
            Assert.Equal(0, HistoryLines("Work")); // the holder writes its own record
        }
    }

    [Fact]
    public void A_failing_sync_is_an_error_and_the_others_go_on()
    {
        WorkAndHome();
        _f.Host.Bitrix24.RevokeWebhook(); // the synced user's webhook: Work fails, Home (the colleague's) does not

        var r = Resident("Start-CalSync -Name * -Resident", () => HistoryLines("Home") == 1 && HistoryLines("Work") == 1);

        Assert.Equal("SignInRequired", Assert.Single(r.ErrorIds));
        Assert.Equal("Work", r.Errors[0].TargetObject);
        Assert.Contains("Home:NoChanges", Seen());
    }

    [Fact]
    public void A_damaged_definition_named_on_the_command_line_is_a_warning_and_the_others_run()
    {
        WorkAndHome();
        File.WriteAllText(_home.File("syncs", "home.json"), "{ not json");

        var r = Resident("Start-CalSync -Name Work, Home -Resident", () => HistoryLines("Work") == 1);

        Assert.IsType<PipelineStoppedException>(r.Terminating); // stopped by the test, not by the damaged file
        Assert.Single(r.Errors, e => e.ToString().Contains("home.json")); // named at the start, as Start-CalSync names it
        Assert.Contains(r.Warnings, w => w.Contains("home.json")); // and on the loop's reads
        Assert.Contains(Seen(), s => s.StartsWith("Work:", StringComparison.Ordinal));
    }

    [Fact]
    public void WhatIf_names_the_syncs_and_runs_nothing_and_an_initial_merge_is_refused()
    {
        Run("New-CalSync -Name Work -Interval 1").Ok();
        var before = _home.Snapshot();
        var whatIf = Run("Start-CalSync -Name * -Resident -WhatIf").Ok();
        Assert.Contains("Run resident", whatIf.HostText);
        Assert.Contains("Work", whatIf.HostText);
        Assert.Equal(before, _home.Snapshot());

        var merge = Run("Start-CalSync -Name Work -Resident -InitialMerge TwoWay");
        Assert.Equal("InvalidSetting", merge.TerminatingId);
        Assert.Contains("Start-CalSync -Name <sync> -InitialMerge TwoWay", merge.Terminating!.Message);
        Assert.Equal(0, HistoryLines("Work"));
    }
}
