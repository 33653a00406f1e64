using System.Management.Automation;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>Start-CalSync and Get-CalSyncHistory end to end against the stand-ins (docs/scenarios.md 2, 11, 14, 21 and the run's contract).</summary>
public sealed class StartCalSyncTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public StartCalSyncTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script) => _f.Ps.Run(script, _f.Vars());

    /// <summary>A connection to a calendar of the colleague's (one sync per pair of calendars: a second sync needs its own).</summary>
    private void ColleagueCalendar(string connection, string calendar) =>
        _f.Ps.Run($"Connect-Bitrix24 -Name {connection} -WebhookUrl $colleague -Calendar {calendar} -CreateCalendar -AllowPlaintextSecretStore | Out-Null",
            new Dictionary<string, object?> { ["colleague"] = SandboxFixture.Secure(_f.Host.Bitrix24.ColleagueWebhookUrl) }).Ok();

    private void AssertNextRunWritesNothing(string name = "Work")
    {
        var before = Seed.Writes(_f.Host);
        var r = Run($"Start-CalSync -Name {name}").Ok();
        Assert.Equal("NoChanges", r.First.Outcome.ToString());
        Assert.Equal(before, Seed.Writes(_f.Host));
    }

    [Fact]
    public void Scenario_2_identical_meetings_on_both_sides_are_matched_not_copied()
    {
        Seed.Outlook(_f.Host, "Dentist", 10);
        Seed.Bitrix24(_f.Host, "Dentist", 10);
        Run("New-CalSync -Name Work").Ok();

        var r = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();

        var run = r.Single<object>();
        Assert.Equal("CalSync.PowerShell.CalSyncRun", r.Output[0].TypeNames[0]);
        Assert.Equal(1, (int)r.First.Matched);
        Assert.Equal(0, (int)r.First.Created);
        Assert.Equal("InitialMerge:TwoWay", (string)r.First.Mode);
        Assert.Equal(new[] { "Dentist" }, Seed.OutlookSubjects(_f.Host));
        Assert.Equal(new[] { "Dentist" }, Seed.Bitrix24Names(_f.Host));
        AssertNextRunWritesNothing();
        Assert.NotNull(run);
    }

    [Fact]
    public void Scenario_11_a_new_meeting_is_copied_and_three_more_runs_write_nothing()
    {
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Seed.Outlook(_f.Host, "Design review", 9);

        var r = Run("Start-CalSync -Name Work").Ok();

        Assert.Equal(1, (int)r.First.Created);
        Assert.Equal(1, (int)r.First.Bitrix24.Created);
        Assert.Equal("Succeeded", r.First.Outcome.ToString());
        Assert.Equal(new[] { "Design review" }, Seed.Bitrix24Names(_f.Host));
        for (var i = 0; i < 3; i++) AssertNextRunWritesNothing();
    }

    [Fact]
    public async Task Scenario_14_a_deletion_in_Outlook_deletes_the_copy_and_the_history_says_so()
    {
        var id = Seed.Outlook(_f.Host, "Standup", 8);
        Seed.Outlook(_f.Host, "Review", 10); // stays: deleting the only meeting would trip the empty-side guard
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(2, _f.Host.Bitrix24.GetEvents().Count);

        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _f.Host.Graph.AccessToken);
            (await http.DeleteAsync(_f.Host.Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id))).EnsureSuccessStatusCode();
        }
        var r = Run("Start-CalSync -Name Work").Ok();

        Assert.Equal(1, (int)r.First.Deleted);
        Assert.Equal(new[] { "Review" }, Seed.Bitrix24Names(_f.Host));
        var last = Run("Get-CalSync -Name Work | Get-CalSyncHistory -Last 1").Ok();
        Assert.Equal(1, (int)last.First.Bitrix24.Deleted);
        // The history names the meeting (issue 18, case 8): its title and its start in its own zone.
        var item = Assert.Single((IEnumerable<dynamic>)last.First.Items, i => i.Action.ToString() == "Delete");
        Assert.Equal("Standup", (string)item.Title);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} 08:00 ", (string)item.Start);
        AssertNextRunWritesNothing();
    }

    [Fact]
    public void Scenario_21_busy_only_canary_no_request_to_Bitrix24_contains_any_source_text()
    {
        string[] secrets = { "Therapy", "Dr X", "Praxis Mitte", "Hauptstrasse", "referral letter", "anna.attendee", "Bob Attendee", "carol.c", "Private-Category-Canary" };
        Seed.Outlook(_f.Host, "Therapy – Dr X", 14, zone: "Europe/Berlin", more: e =>
        {
            e["body"] = new JsonObject { ["contentType"] = "html", ["content"] = "<p>Bring the referral letter</p>" };
            e["location"] = new JsonObject { ["displayName"] = "Praxis Mitte, Hauptstrasse 1" };
            e["attendees"] = new JsonArray(
                Attendee("anna.attendee@example.com", "Anna"), Attendee("bob@example.com", "Bob Attendee"), Attendee("carol.c@example.com", "Carol"));
            e["sensitivity"] = "private";
            e["showAs"] = "busy";
            e["categories"] = new JsonArray("Private-Category-Canary");
            e["isReminderOn"] = true;
            e["reminderMinutesBeforeStart"] = 15;
        });
        Run("New-CalSync -Name Work -Direction OutlookToBitrix24 -Mapping busy-only-one-way; Start-CalSync -Name Work -InitialMerge OutlookToBitrix24").Ok();

        var copy = Assert.Single(_f.Host.Bitrix24.GetEvents());
        Assert.Equal("Busy", copy.Name);
        Assert.Equal("", copy.Description);
        Assert.Equal("", copy.Location);
        Assert.True(copy.Private);
        Assert.Equal("busy", copy.Accessibility);
        Assert.False(copy.IsMeeting);
        Assert.Equal("Europe/Berlin", copy.TimeZoneFrom);
        Assert.Equal(Seed.Day.AddHours(14), copy.From);
        Assert.Equal(Seed.Day.AddHours(15), copy.To);
        Assert.True(copy.Attendees.Count <= 1); // at most the owner
        foreach (var request in _f.Host.Bitrix24.Journal.Requests)
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, request.Body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Uri.EscapeDataString(secret), request.Body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(secret, request.PathAndQuery, StringComparison.OrdinalIgnoreCase);
            }
        // The history names a busy-only copy by its time only, never by the original's title.
        var created = Assert.Single((IEnumerable<dynamic>)Run("Get-CalSyncHistory -Name Work -Last 1").Ok().First.Items);
        Assert.Null((string?)created.Title);
        Assert.Equal(Seed.Day.AddHours(14).ToString("yyyy-MM-dd 14:00", System.Globalization.CultureInfo.InvariantCulture) + " Europe/Berlin", (string)created.Start);
        AssertNextRunWritesNothing();
    }

    private static JsonObject Attendee(string email, string name) => new()
    {
        ["type"] = "required", ["emailAddress"] = new JsonObject { ["address"] = email, ["name"] = name },
    };

    [Fact]
    public void WhatIf_prints_the_exact_plan_and_writes_nothing_to_either_calendar_or_the_store()
    {
        Seed.Outlook(_f.Host, "Only in Outlook", 9);
        Seed.Bitrix24(_f.Host, "Only in Bitrix24", 11);
        Run("New-CalSync -Name Work").Ok();
        var before = _home.Snapshot();
        var writes = Seed.Writes(_f.Host);

        var r = Run("Start-CalSync -Name Work -InitialMerge TwoWay -WhatIf").Ok();

        Assert.Empty(r.Output);
        Assert.Contains("What if: Start-CalSync 'Work': Plan (InitialMerge:TwoWay): 2 write(s)", r.HostText);
        Assert.Contains("Create on Bitrix24: 'Only in Outlook'", r.HostText);
        Assert.Contains("Create on Outlook: 'Only in Bitrix24'", r.HostText);
        Assert.Equal(writes, Seed.Writes(_f.Host));
        Assert.Equal(0, _f.Host.Graph.Journal.WriteCount);
        Assert.Equal(0, _f.Host.Bitrix24.Journal.WriteCount);
        Assert.Equal(before, _home.Snapshot());

        // The real run then does what the plan said.
        var real = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(2, (int)real.First.Created);
    }

    /// <summary>Issue 18, case 8: the plan as objects for scripts, naming each meeting by title and local start.</summary>
    [Fact]
    public void Get_CalSyncPlan_gives_the_plan_as_objects_and_writes_nothing()
    {
        Seed.Outlook(_f.Host, "Only in Outlook", 9);
        Seed.Bitrix24(_f.Host, "Only in Bitrix24", 11);
        Run("New-CalSync -Name Work").Ok();
        var before = _home.Snapshot();
        var writes = Seed.Writes(_f.Host);

        var r = Run("Get-CalSyncPlan -Name Work -InitialMerge TwoWay").Ok();

        var items = r.Output.Select(o => (dynamic)o).ToList();
        Assert.Equal(["Bitrix24 Create Only in Outlook", "Outlook Create Only in Bitrix24"],
            items.Select(i => $"{i.TargetSide} {i.Action} {i.Title}").Cast<string>().Order().ToArray());
        Assert.All(items, i => Assert.Equal("Work", (string)i.SyncName));
        Assert.Contains(items, i => ((string)i.Start).EndsWith(" 09:00 Europe/Berlin", StringComparison.Ordinal));
        Assert.Equal(writes, Seed.Writes(_f.Host));
        Assert.Equal(before, _home.Snapshot());
        Assert.Equal("SyncNotFound", Assert.Single(Run("Get-CalSyncPlan -Name Nope").ErrorIds));
    }

    [Fact]
    public void Pipeline_Get_CalSync_into_Start_CalSync_runs_each_and_Name_star_runs_all()
    {
        _f.ConnectBitrix24Calendar("home");
        Run("New-CalSync -Name Work; New-CalSync -Name Home -Bitrix24Connection home -Direction OutlookToBitrix24").Ok();
        var piped = Run("Get-CalSync | Start-CalSync -InitialMerge None").Ok();
        Assert.Equal(new[] { "Home", "Work" }, piped.Output.Select(o => (string)((dynamic)o).SyncName).OrderBy(s => s));
        var star = Run("Start-CalSync -Name *").Ok();
        Assert.Equal(2, star.Output.Count);
        var byValue = Run("'Work' | Start-CalSync").Ok();
        Assert.Equal("Work", (string)byValue.First.SyncName);
        var history = Run("Get-CalSync -Name Work | Get-CalSyncHistory -Last 5").Ok();
        Assert.Equal(3, history.Output.Count);
        Assert.All(history.Output, h => Assert.Equal("Work", (string)((dynamic)h).SyncName));
        var two = Run("Get-CalSyncHistory -Name Work -Last 2").Ok();
        Assert.Equal(history.Output.Skip(1).Select(o => ((dynamic)o).RunId.ToString()), two.Output.Select(o => ((dynamic)o).RunId.ToString()));
        var since = Run("Get-CalSyncHistory -Name * -Since ([datetime]::Now.AddMinutes(5))").Ok();
        Assert.Empty(since.Output);
        Assert.Equal(5, Run("Get-CalSyncHistory").Ok().Output.Count);
        Assert.Equal("SyncNotFound", Assert.Single(Run("Start-CalSync -Name Nope").ErrorIds));
        Assert.Equal("SyncNotFound", Assert.Single(Run("Get-CalSyncHistory -Name Nope").ErrorIds));
    }

    /// <summary>
    /// Issue 18, case 9: -Debug on a compiled cmdlet made verbose lines and warnings Inquire, which a host that cannot
    /// prompt (this one throws) turned into a failed command. Now it shows them, and the debug lines, without asking.
    /// </summary>
    [Fact]
    public void Debug_shows_debug_verbose_and_warning_lines_without_asking()
    {
        Seed.Outlook(_f.Host, "A", 9);
        var r = Run("""
            Connect-OutlookCalendar -Name dbg -Endpoint $graph -AccessToken $token -Debug | Out-Null
            New-CalSync -Name Work -OutlookConnection dbg -Debug | Out-Null
            Set-CalSync -Name Work -Interval 30 -Debug
            Start-CalSync -Name Work -InitialMerge TwoWay -Debug
            """).Ok();
        Assert.Equal("Succeeded", r.First.Outcome.ToString());
        Assert.Contains(r.Verbose, v => v.StartsWith("Saved the Outlook connection 'dbg'", StringComparison.Ordinal));
        Assert.Contains(r.Verbose, v => v.StartsWith("Plan (InitialMerge:TwoWay)", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.Contains("Register-CalSyncSchedule", StringComparison.Ordinal));
        Assert.DoesNotContain("never prompts", r.HostText);
    }

    [Fact]
    public void Progress_and_verbose_come_from_the_run()
    {
        Seed.Outlook(_f.Host, "A", 9);
        var r = Run("New-CalSync -Name Work | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay -Verbose").Ok();
        Assert.Contains(r.Progress, p => p.StatusDescription.Contains("Reading both calendars"));
        Assert.Contains(r.Progress, p => p.StatusDescription.Contains("Writing 1 change(s) to Bitrix24"));
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Contains(r.Verbose, v => v.StartsWith("Plan (InitialMerge:TwoWay)", StringComparison.Ordinal));
        Assert.DoesNotContain(_f.Host.Graph.AccessToken, string.Join("\n", r.Verbose) + r.HostText);
    }

    [Fact]
    public void Empty_side_guard_is_an_error_with_its_id_terminating_under_ErrorAction_Stop_and_only_AllowEmptySide_overrides()
    {
        Seed.Outlook(_f.Host, "A", 9);
        Seed.Outlook(_f.Host, "B", 11);
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(2, _f.Host.Bitrix24.GetEvents().Count);
        _f.Host.Graph.Reset(clearEvents: true);
        _f.Host.Bitrix24.Journal.Clear();

        var soft = Run("Start-CalSync -Name Work");
        Assert.Equal("EmptySideGuard", Assert.Single(soft.ErrorIds));
        Assert.Equal("Aborted", soft.First.Outcome.ToString()); // the history record is still the output
        Assert.Equal("Work", soft.Errors[0].TargetObject);
        Assert.Contains("Start-CalSync -Name 'Work' -AllowEmptySide", soft.Errors[0].ToString());
        var stop = Run("Start-CalSync -Name Work -ErrorAction Stop; 'not reached'");
        Assert.Equal("EmptySideGuard", stop.TerminatingId);
        Assert.DoesNotContain(stop.Output, o => o.ToString() == "not reached");
        Assert.Equal(0, _f.Host.Bitrix24.Journal.WriteCount);
        Assert.Equal(2, _f.Host.Bitrix24.GetEvents().Count);

        // -Force, a switch scripts add by habit, no longer overrides the guard (issue 18, case 7): it is no parameter.
        var habit = Run("Start-CalSync -Name Work -Force");
        Assert.Equal("NamedParameterNotFound", habit.TerminatingId);
        Assert.Equal(0, _f.Host.Bitrix24.Journal.WriteCount);
        var allowed = Run("Start-CalSync -Name Work -AllowEmptySide").Ok();
        Assert.Equal(2, (int)allowed.First.Deleted);
    }

    [Fact]
    public void A_needed_sign_in_is_a_SignInRequired_error_naming_the_command_that_reconnects_this_connection()
    {
        Run("New-CalSync -Name Work").Ok();
        _f.Host.Graph.ExpireAccessTokens();
        var r = Run("Start-CalSync -Name Work; 'reached'");
        Assert.Null(r.Terminating);
        var error = Assert.Single(r.Errors);
        Assert.Equal("SignInRequired", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("Work", error.TargetObject);
        Assert.Contains("Connect-OutlookCalendar", error.ToString());
        Assert.Equal("AuthenticationError", error.CategoryInfo.Category.ToString());
        Assert.Equal("Failed", r.First.Outcome.ToString());
        Assert.Equal("reached", r.Output.Last().ToString());
        var stop = Run("Start-CalSync -Name Work -ErrorAction Stop; 'not reached'");
        Assert.Equal("SignInRequired", stop.TerminatingId);

        // Another process has no session token: the same error, before any request, naming this connection. (Session
        // tokens are kept per process and store; a copy of the store at another path is what another process would see.)
        using var other = new StoreHome();
        foreach (var file in Directory.EnumerateFiles(_home.Root, "*.json", SearchOption.AllDirectories))
        {
            var target = Path.Combine(other.Root, Path.GetRelativePath(_home.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        _f.Host.Graph.Journal.Clear();
        var fresh = _f.Ps.Run("Start-CalSync -Name Work");
        Assert.Equal("SignInRequired", Assert.Single(fresh.ErrorIds));
        Assert.Contains("Connect-OutlookCalendar -Name outlook", fresh.Errors[0].ToString());
        Assert.Empty(_f.Host.Graph.Journal.Requests);
    }

    /// <summary>Issue 18, case 1: three syncs, the middle one's Bitrix24 credentials revoked.</summary>
    [Fact]
    public void One_syncs_failure_never_stops_the_others_and_ErrorAction_Stop_stops_at_it()
    {
        ColleagueCalendar("team", "Team");
        ColleagueCalendar("team2", "Team2");
        Run("New-CalSync -Name A -Bitrix24Connection team; New-CalSync -Name B; New-CalSync -Name C -Bitrix24Connection team2").Ok();
        Run("Start-CalSync -Name * -InitialMerge None").Ok();
        _f.Host.Bitrix24.RevokeWebhook();

        foreach (var script in new[] { "Start-CalSync -Name *", "Get-CalSync | Start-CalSync" })
        {
            var r = Run(script + "; 'reached'");
            Assert.Null(r.Terminating);
            Assert.Equal("SignInRequired", Assert.Single(r.ErrorIds));
            Assert.Equal("B", r.Errors[0].TargetObject);
            Assert.Contains("Connect-Bitrix24 -Name 'bitrix24'", r.Errors[0].ToString());
            var runs = r.Output.Where(o => o.BaseObject is not string).Select(o => ((dynamic)o).SyncName + ":" + ((dynamic)o).Outcome).ToList();
            Assert.Equal(["A:NoChanges", "B:Failed", "C:NoChanges"], runs);
            Assert.Equal("reached", r.Output.Last().ToString());
        }

        var stop = Run("Start-CalSync -Name * -ErrorAction Stop; 'not reached'");
        Assert.Equal("SignInRequired", stop.TerminatingId);
        // A ran a fourth time, C did not.
        Assert.Equal([4, 3], new[] { "A", "C" }.Select(n => Run($"Get-CalSyncHistory -Name {n}").Ok().Output.Count));
    }

    /// <summary>Issue 18, case 2.</summary>
    [Fact]
    public void WhatIf_when_a_sign_in_is_needed_is_an_error_and_writes_nothing_not_even_history()
    {
        Run("New-CalSync -Name Work; Start-CalSync -Name Work -InitialMerge None").Ok();
        _f.Host.Bitrix24.RevokeWebhook();
        var before = _home.Snapshot();

        var r = Run("Start-CalSync -Name Work -WhatIf; $?");

        Assert.Equal("SignInRequired", Assert.Single(r.ErrorIds));
        Assert.DoesNotContain("no plan", r.HostText);
        Assert.False((bool)r.Output.Last().BaseObject);
        Assert.Equal(before, _home.Snapshot());
        Assert.Single(Run("Get-CalSyncHistory -Name Work").Ok().Output);
    }

    [Fact]
    public void A_held_lock_is_an_error_with_the_store_id_and_a_Failed_line_in_the_history()
    {
        Run("New-CalSync -Name Work").Ok();
        Directory.CreateDirectory(_home.File("locks"));
        using (new FileStream(_home.File("locks", "work.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var r = Run("Start-CalSync -Name Work -LockTimeout 0");
            Assert.Equal("CalSync.Store.Locked", Assert.Single(r.ErrorIds));
            Assert.Equal("ResourceBusy", r.Errors[0].CategoryInfo.Category.ToString());
            // Issue 18: the refused run is an attempt like any other; its record is the output, as for a run that failed later.
            Assert.Equal("Failed", r.First.Outcome.ToString());
            Assert.Equal("CalSync.Store.Locked", (string)r.First.ErrorId);
        }
        var history = Run("Get-CalSyncHistory -Name Work").Ok();
        var line = Assert.Single(history.Output);
        Assert.Equal("Failed", ((dynamic)line).Outcome.ToString());
        Assert.Equal("CalSync.Store.Locked", (string)((dynamic)line).ErrorId);
        Assert.Contains("work.lock", (string)((dynamic)line).Message);
    }

    /// <summary>Issue 18: every attempt leaves a history line, also one that cannot start, and says why; -WhatIf still writes nothing.</summary>
    [Fact]
    public void Runs_that_cannot_start_are_recorded_with_their_error_id_and_message()
    {
        ColleagueCalendar("other", "Other");
        ColleagueCalendar("spare", "Spare");
        Run("New-CalSync -Name Work; New-CalSync -Name Damaged -Bitrix24Connection other; New-CalSync -Name Orphan -Bitrix24Connection spare").Ok();
        Run("Start-CalSync -Name * -InitialMerge None").Ok();
        File.WriteAllText(_home.File("state", "damaged.json"), "{ not json");
        File.Delete(_home.File("connections", "spare.json"));

        var before = _home.Snapshot();
        Run("Start-CalSync -Name Damaged, Orphan -WhatIf");
        Assert.Equal(before, _home.Snapshot());

        var r = Run("Start-CalSync -Name Damaged, Orphan");
        Assert.Equal(new[] { "CalSync.Store.Corrupt", "ConnectionNotFound" }, r.ErrorIds);
        Assert.Equal(new[] { "Damaged:Failed", "Orphan:Failed" }, r.Output.Select(o => ((dynamic)o).SyncName + ":" + ((dynamic)o).Outcome));
        var damaged = (dynamic)Run("Get-CalSyncHistory -Name Damaged -Last 1").Ok().Output[0];
        Assert.Equal("CalSync.Store.Corrupt", (string)damaged.ErrorId);
        Assert.Contains("damaged.json", (string)damaged.Message);
        var orphan = (dynamic)Run("Get-CalSyncHistory -Name Orphan -Last 1").Ok().Output[0];
        Assert.Equal("ConnectionNotFound", (string)orphan.ErrorId);
        Assert.Contains("Connect-Bitrix24 -Name 'spare'", (string)orphan.Message);

        // Another process has no session token: a needed sign-in before the run starts, naming the calendar.
        using var other = new StoreHome();
        foreach (var file in Directory.EnumerateFiles(_home.Root, "*.json", SearchOption.AllDirectories))
        {
            var target = Path.Combine(other.Root, Path.GetRelativePath(_home.Root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Assert.Equal("SignInRequired", Assert.Single(_f.Ps.Run("Start-CalSync -Name Work").ErrorIds));
        var signIn = (dynamic)_f.Ps.Run("Get-CalSyncHistory -Name Work -Last 1").Ok().Output[0];
        Assert.Equal("SignInRequired", (string)signIn.ErrorId);
        Assert.Equal("Outlook", signIn.FailedSide.ToString());
        Assert.DoesNotContain(_f.Host.Graph.AccessToken, other.AllText());
    }

    /// <summary>Issue 18: Get-CalSyncStatus, one object per sync, from the store alone, usable for monitoring.</summary>
    [Fact]
    public void Get_CalSyncStatus_shows_each_syncs_last_attempt_failures_in_a_row_next_due_links_and_connection_health()
    {
        Seed.Outlook(_f.Host, "A", 9);
        ColleagueCalendar("weekend", "Weekend");
        Run("New-CalSync -Name Work -Interval 15; New-CalSync -Name Weekend -Bitrix24Connection weekend; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();

        var fresh = Run("Get-CalSyncStatus").Ok().Output.Select(o => (dynamic)o).ToList();
        Assert.Equal(new[] { "Weekend", "Work" }, fresh.Select(s => (string)s.Name));
        var never = fresh[0];
        Assert.Null(never.LastRun);
        Assert.Null(never.NextDue);
        Assert.Equal(0, (int)never.ConsecutiveFailures);
        Assert.Equal(0, (int)never.Links);
        var work = fresh[1];
        Assert.Equal("Succeeded", work.LastOutcome.ToString());
        Assert.Equal((DateTimeOffset)work.LastRun, (DateTimeOffset)work.LastSuccess);
        Assert.Equal(((DateTimeOffset)work.LastRun).AddMinutes(15), (DateTimeOffset)work.NextDue);
        Assert.Equal(1, (int)work.Links);
        Assert.Equal("SessionOnly", work.OutlookHealth.ToString()); // the fixture's Outlook connection is an access token
        Assert.Equal("Ready", work.Bitrix24Health.ToString());
        Assert.Null(work.LastError);

        _f.Host.Bitrix24.RevokeWebhook();
        Run("Start-CalSync -Name Work; Start-CalSync -Name Work");
        var failing = Run("Get-CalSyncStatus | Where-Object ConsecutiveFailures -gt 1").Ok();
        var status = (dynamic)Assert.Single(failing.Output);
        Assert.Equal("Work", (string)status.Name);
        Assert.Equal(2, (int)status.ConsecutiveFailures);
        Assert.Equal("Failed", status.LastOutcome.ToString());
        Assert.Equal("SignInRequired", (string)status.LastErrorId);
        Assert.Contains("Bitrix24", (string)status.LastError);
        Assert.Equal("SignInRequired", status.Bitrix24Health.ToString());
        Assert.Equal((DateTimeOffset)work.LastSuccess, (DateTimeOffset)status.LastSuccess);
        var table = Run("Get-CalSyncStatus -Name Work | Out-Default").Ok().HostText;
        Assert.Matches(@"(?m)^Name\s+LastRun\s+LastOutcome\s+Failures\s+LastSuccess\s+NextDue\s+Links\s+Outlook\s+Bitrix24\s+LastError", table);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(table, @"(?m)^Work\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Failed\s+2\s"), table);

        _f.Host.Bitrix24.RestoreWebhook();
        Run("Start-CalSync -Name Work").Ok();
        File.Delete(_home.File("connections", "outlook.json"));
        var healed = (dynamic)Run("Get-CalSync -Name Wo* | Get-CalSyncStatus").Ok().Output.Single();
        Assert.Equal(0, (int)healed.ConsecutiveFailures);
        Assert.Equal("Ready", healed.Bitrix24Health.ToString());
        Assert.Equal("Missing", healed.OutlookHealth.ToString());
        Assert.Equal("SyncNotFound", Assert.Single(Run("Get-CalSyncStatus -Name Nope").ErrorIds));
    }

    /// <summary>Issue 21: the status says when runs come further apart than the interval (the resident mode pacing syncs that share a portal).</summary>
    [Fact]
    public void Get_CalSyncStatus_shows_the_achieved_interval_and_whether_the_sync_is_paced()
    {
        Run("New-CalSync -Name Work -Interval 1; Start-CalSync -Name Work").Ok();
        // The history as the runs of an hour would leave it: the one real record, repeated at the starts given.
        var path = Directory.EnumerateFiles(_home.File("history")).Single();
        var record = JsonNode.Parse(File.ReadLines(path).Single())!.AsObject();
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        void Runs(int count, TimeSpan apart)
        {
            for (var i = 0; i < count; i++, start += apart)
            {
                record["start"] = start.ToString("o");
                record["end"] = start.AddSeconds(2).ToString("o");
                record["runId"] = Guid.NewGuid().ToString();
                File.AppendAllText(path, record.ToJsonString() + "\n");
            }
        }

        Runs(6, TimeSpan.FromMinutes(1));
        var onTime = (dynamic)Run("Get-CalSyncStatus -Name Work").Ok().Output.Single();
        Assert.Equal(TimeSpan.FromMinutes(1), (TimeSpan)onTime.AchievedInterval);
        Assert.False((bool)onTime.Paced);

        Runs(6, TimeSpan.FromMinutes(4));
        var paced = (dynamic)Run("Get-CalSyncStatus -Name Work").Ok().Output.Single();
        Assert.Equal(TimeSpan.FromMinutes(4), (TimeSpan)paced.AchievedInterval);
        Assert.True((bool)paced.Paced);
        Assert.Single(Run("Get-CalSyncStatus | Where-Object Paced").Ok().Output);
    }

    [Fact]
    public void StopProcessing_cancels_the_run_and_the_next_run_completes_without_duplicates()
    {
        for (var i = 0; i < 6; i++) Seed.Outlook(_f.Host, "Meeting " + i, 6 + i);
        Run("New-CalSync -Name Work").Ok();
        _f.Host.Bitrix24.Journal.Clear();
        _f.Host.Bitrix24.Faults.Latency = TimeSpan.FromMilliseconds(1000);
        var r = _f.Ps.Run("Start-CalSync -Name Work -InitialMerge TwoWay", _f.Vars(), ps =>
        {
            // Stop while the run's Bitrix24 write is held in the stand-in's latency (it is journaled on arrival, before
            // the delay): the run cannot have finished, whatever the machine's speed.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (!_f.Host.Bitrix24.Journal.Requests.Any(q => q.IsWrite) && DateTime.UtcNow < deadline) Thread.Sleep(5);
            ps.Stop();
        });
        _f.Host.Bitrix24.Faults.Latency = TimeSpan.Zero;
        Assert.IsType<PipelineStoppedException>(r.Terminating);
        var stopped = (dynamic)Assert.Single(Run("Get-CalSyncHistory -Name Work").Ok().Output);
        Assert.Equal("Aborted", stopped.Outcome.ToString());
        Assert.Equal("RunStopped", (string)stopped.ErrorId);

        var next = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(6, _f.Host.Bitrix24.GetEvents().Count);
        Assert.Equal(6, _f.Host.Bitrix24.GetEvents().Select(e => e.Name).Distinct().Count());
        Assert.Contains(next.First.Outcome.ToString(), new[] { "Succeeded", "NoChanges" });
    }
}
