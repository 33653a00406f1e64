using System.Diagnostics;
using System.Text.Json.Nodes;
using CalSync.Reliability.Tests.Safety;
using CalSync.Reliability.Tests.Support;

namespace CalSync.Reliability.Tests.BadInput;

/// <summary>
/// The bad-input catalogue (docs/reliability.md lists every case): each input gives its stable error id and a
/// message naming what to fix; the calendars are not changed by it (nothing lost, nothing duplicated) and no store file
/// is half-written (no temp file left, the damaged file kept as it was).
/// </summary>
public sealed class BadInputTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _rig;
    private readonly StoreHome _home;

    public BadInputTests(SandboxFixture rig)
    {
        _rig = rig;
        rig.Reset();
        _home = new StoreHome();
        rig.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script, IDictionary<string, object?>? more = null) => _rig.Run(script, more);

    private static string IdOf(PsResult r) => r.TerminatingId ?? string.Join(",", r.ErrorIds);

    private static string MessageOf(PsResult r) => r.Terminating?.Message ?? string.Join("\n", r.Errors.Select(e => e.ToString()));

    private long Writes => Seed.Writes(_rig.Host);

    /// <summary>A synced pair to prove the calendars are untouched by the bad input.</summary>
    private void SyncedPair()
    {
        Meetings.Outlook(_rig.Host, "Anchor O", Meetings.Start(1));
        Meetings.Bitrix24(_rig.Host, "Anchor B", Meetings.Start(2));
        Run("New-CalSync -Name Work | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();
    }

    private void AssertCalendarsUntouched()
    {
        Assert.Equal(0, Writes);
        Assert.Empty(Invariants.Check(_rig.Host, _home.Root, new[] { "Anchor O", "Anchor B" }));
        Assert.Empty(Invariants.Leftovers(_home.Root));
    }

    // ---- mapping ------------------------------------------------------------------------------------------

    [Fact]
    public void C01_malformed_mapping_YAML_is_MappingInvalid_with_file_and_line_and_no_sync_is_saved()
    {
        var path = _home.File("bad.yaml");
        File.WriteAllText(path, "schema: 1\nname: bad\nfields:\n  - outlook: subject\n    bitrix24: [name\n");
        var r = Run("New-CalSync -Name Work -MappingPath $p", new Dictionary<string, object?> { ["p"] = path });
        Assert.Equal("MappingInvalid", IdOf(r));
        Assert.Matches(@"bad\.yaml\(\d+,\d+\)", MessageOf(r)); // file(line,column)
        Assert.False(File.Exists(_home.File("syncs", "work.json")));
    }

    [Fact]
    public void C02_unknown_mapping_field_is_MappingInvalid_naming_the_field_and_the_choices()
    {
        var path = _home.File("typo.yaml");
        File.WriteAllText(path, "schema: 1\nname: typo\ncarry: details\nfields:\n  - outlook: subjekt\n    bitrix24: name\n");
        var r = Run("New-CalSync -Name Work -MappingPath $p", new Dictionary<string, object?> { ["p"] = path });
        Assert.Equal("MappingInvalid", IdOf(r));
        Assert.Contains("subjekt", MessageOf(r));
        Assert.Contains("subject", MessageOf(r).Replace("subjekt", "", StringComparison.Ordinal));
        Assert.False(File.Exists(_home.File("syncs", "work.json")));
    }

    [Fact]
    public void C03_a_mapping_file_broken_after_the_sync_was_defined_stops_the_run_before_any_request()
    {
        var path = _home.File("mine.yaml");
        Run("Export-CalSyncMapping -Name default -Path $p | Out-Null", new Dictionary<string, object?> { ["p"] = path }).Ok();
        Meetings.Outlook(_rig.Host, "Anchor O", Meetings.Start(1));
        Meetings.Bitrix24(_rig.Host, "Anchor B", Meetings.Start(2));
        Run("New-CalSync -Name Work -MappingPath $p | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay", new Dictionary<string, object?> { ["p"] = path }).Ok();
        var state = File.ReadAllBytes(_home.File("state", "work.json"));
        File.AppendAllText(path, "\nbogus-key: 1\n");
        _rig.Host.Graph.Journal.Clear();
        _rig.Host.Bitrix24.Journal.Clear();
        var r = Run("Start-CalSync -Name Work");
        Assert.Equal("MappingInvalid", IdOf(r));
        Assert.Contains("bogus-key", MessageOf(r));
        Assert.Contains("mine.yaml", MessageOf(r));
        Assert.Empty(_rig.Host.Graph.Journal.Requests);
        Assert.Empty(_rig.Host.Bitrix24.Journal.Requests);
        Assert.Equal(state, File.ReadAllBytes(_home.File("state", "work.json")));
        AssertCalendarsUntouched();
    }

    // ---- store files --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("truncated", "CalSync.Store.Corrupt")]
    [InlineData("garbage", "CalSync.Store.Corrupt")]
    [InlineData("newer", "CalSync.Store.NewerSchema")]
    [InlineData("wrong-shape", "CalSync.Store.Corrupt")]
    public void C04_to_C07_a_damaged_or_newer_state_file_stops_the_run_names_the_file_and_is_kept_as_it_was(string damage, string id)
    {
        SyncedPair();
        var path = _home.File("state", "work.json");
        var good = File.ReadAllText(path);
        var bad = damage switch
        {
            "truncated" => good[..(good.Length / 2)],
            "garbage" => "\u0000\u0001PK\u0003\u0004 not json at all",
            "newer" => good.Replace("\"schema\":1", "\"schema\":99", StringComparison.Ordinal),
            _ => "{\"schema\":1,\"links\":\"should be a list\"}",
        };
        Assert.NotEqual(good, bad);
        File.WriteAllText(path, bad);
        var r = Run("Start-CalSync -Name Work");
        Assert.Equal(id, IdOf(r));
        Assert.Contains(path, MessageOf(r));
        Assert.Contains(damage == "newer" ? "newer" : "backup", MessageOf(r), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(bad, File.ReadAllText(path));
        Assert.Equal(0, _rig.Host.Graph.Journal.Requests.Count + _rig.Host.Bitrix24.Journal.Requests.Count);
        File.WriteAllText(path, good);
        AssertCalendarsUntouched();
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
    }

    [Theory]
    [InlineData("syncs", "work.json")]
    [InlineData("connections", "outlook.json")]
    public void C08_C09_a_damaged_definition_or_connection_file_is_Corrupt_naming_the_file(string dir, string file)
    {
        SyncedPair();
        var path = _home.File(dir, file);
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length - 7)]);
        var r = Run("Start-CalSync -Name Work");
        Assert.Equal("CalSync.Store.Corrupt", IdOf(r));
        Assert.Contains(path, MessageOf(r));
        Assert.Equal(text[..(text.Length - 7)], File.ReadAllText(path));
        Assert.Equal(0, _rig.Host.Graph.Journal.Requests.Count(q => q.IsWrite) + _rig.Host.Bitrix24.Journal.Requests.Count(q => q.IsWrite));
        File.WriteAllText(path, text);
        AssertCalendarsUntouched();
    }

    [Fact]
    public void C10_a_torn_last_history_line_is_skipped_and_the_next_record_starts_on_its_own_line()
    {
        SyncedPair();
        var path = _home.File("history", "work.jsonl");
        File.AppendAllText(path, "{\"schema\":1,\"syncName\":\"Work\",\"runId\":\"3f");
        Assert.Single(Run("Get-CalSyncHistory -Name Work").Ok().Output);
        Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(2, Run("Get-CalSyncHistory -Name Work").Ok().Output.Count);
        Assert.EndsWith("\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    // ---- names and connections ------------------------------------------------------------------------------

    [Fact]
    public void C11_a_missing_sync_name_is_SyncNotFound_naming_the_commands_and_an_empty_one_is_refused_by_binding()
    {
        var r = Run("Start-CalSync -Name Nope");
        Assert.Equal("SyncNotFound", IdOf(r));
        Assert.Contains("'Nope'", MessageOf(r));
        Assert.Contains("New-CalSync", MessageOf(r));
        var empty = Run("Start-CalSync -Name ''");
        Assert.StartsWith("ParameterArgumentValidationError", IdOf(empty), StringComparison.Ordinal);
        Assert.Equal(0, Writes);
    }

    [Fact]
    public void C12_an_invalid_sync_name_is_InvalidName_saying_which_characters_are_allowed()
    {
        var r = Run("New-CalSync -Name '../etc/passwd'");
        Assert.Equal("CalSync.Store.InvalidName", IdOf(r));
        Assert.Contains("../etc/passwd", MessageOf(r));
        Assert.DoesNotContain(Directory.GetFiles(_home.Root, "*", SearchOption.AllDirectories), f => f.Contains("passwd", StringComparison.Ordinal));
    }

    [Fact]
    public void C13_a_sync_naming_a_missing_connection_is_ConnectionNotFound_naming_Connect_Bitrix24()
    {
        var r = Run("New-CalSync -Name Work -Bitrix24Connection nope");
        Assert.Equal("ConnectionNotFound", IdOf(r));
        Assert.Contains("Connect-Bitrix24", MessageOf(r));
        Assert.False(File.Exists(_home.File("syncs", "work.json")));
    }

    // ---- Bitrix24 credentials ----------------------------------------------------------------------------------

    [Theory]
    [InlineData("not a url")]
    [InlineData("https://portal.example.com/rest/")]
    [InlineData("ftp://portal.example.com/rest/1/abcdef/")]
    public void C14_a_malformed_webhook_URL_is_WebhookUrlInvalid_showing_the_expected_shape(string url)
    {
        var r = Run("Connect-Bitrix24 -Name hook2 -WebhookUrl $u -AllowPlaintextSecretStore", new Dictionary<string, object?> { ["u"] = SandboxFixture.Secure(url) });
        Assert.Equal("WebhookUrlInvalid", IdOf(r));
        Assert.Contains("/rest/<user>/<secret>/", MessageOf(r));
        Assert.False(File.Exists(_home.File("connections", "hook2.json")));
    }

    [Fact]
    public void C15_a_wrong_webhook_secret_is_Bitrix24ConnectFailed_without_echoing_it_and_saves_nothing()
    {
        var wrong = _rig.Host.Bitrix24.WebhookUrl.Replace(_rig.Host.Bitrix24.WebhookSecret, "wrong" + _rig.Host.Bitrix24.WebhookSecret, StringComparison.Ordinal);
        var r = Run("Connect-Bitrix24 -Name hook2 -WebhookUrl $u -AllowPlaintextSecretStore", new Dictionary<string, object?> { ["u"] = SandboxFixture.Secure(wrong) });
        Assert.Equal("Bitrix24ConnectFailed", IdOf(r));
        Assert.Contains("webhook", MessageOf(r));
        Assert.DoesNotContain("wrong" + _rig.Host.Bitrix24.WebhookSecret, MessageOf(r));
        Assert.False(File.Exists(_home.File("connections", "hook2.json")));
    }

    [Fact]
    public void C16_a_webhook_revoked_after_connecting_stops_the_run_with_SignInRequired_and_deletes_nothing()
    {
        SyncedPair();
        _rig.Host.Bitrix24.RevokeWebhook();
        var r = Run("Start-CalSync -Name Work");
        Assert.Equal("SignInRequired", IdOf(r));
        Assert.True(MessageOf(r).Contains("Connect-Bitrix24", StringComparison.Ordinal), MessageOf(r));
        _rig.Host.Bitrix24.RestoreWebhook();
        AssertCalendarsUntouched();
    }

    [Fact]
    public void C17_a_revoked_refresh_token_stops_the_run_with_SignInRequired_naming_Connect_Bitrix24_and_deletes_nothing()
    {
        _rig.ConnectOAuth();
        SyncedPair();
        _rig.Host.Bitrix24.ExpireAccessTokens();
        _rig.Host.Bitrix24.RevokeRefreshTokens();
        var r = Run("Start-CalSync -Name Work");
        Assert.Equal("SignInRequired", IdOf(r));
        Assert.Contains("Connect-Bitrix24", MessageOf(r));
        AssertCalendarsUntouched();
    }

    // ---- meetings ----------------------------------------------------------------------------------------------

    /// <summary>Two good meetings and one bad one; ProceedOnError on: the good ones travel, the bad one is named and left where it is.</summary>
    private void BadMeeting(Action seedBad, string badTitle, string expectedText, bool badOnOutlook)
    {
        Meetings.Outlook(_rig.Host, "Good O", Meetings.Start(1));
        Meetings.Bitrix24(_rig.Host, "Good B", Meetings.Start(2));
        seedBad();
        Run("New-CalSync -Name Work -ProceedOnError | Out-Null").Ok();
        var r = Run("Start-CalSync -Name Work -InitialMerge TwoWay");
        Assert.Equal("MeetingInvalid", IdOf(r));
        Assert.Equal("InvalidData", r.Errors[0].CategoryInfo.Category.ToString());
        Assert.Equal("CompletedWithErrors", r.First.Outcome.ToString());
        Assert.Contains(expectedText, MessageOf(r));
        Assert.Contains(badOnOutlook ? "The Outlook meeting" : "The Bitrix24 meeting", MessageOf(r));
        Assert.Contains("Correct it in", MessageOf(r));
        Assert.Equal(2, (int)r.First.Created);
        // The bad one stays only where it was; nothing lost, nothing duplicated.
        var (source, target) = badOnOutlook ? (Invariants.Outlook(_rig.Host), Invariants.Bitrix24(_rig.Host)) : (Invariants.Bitrix24(_rig.Host), Invariants.Outlook(_rig.Host));
        Assert.Single(source, e => e.Title == badTitle);
        Assert.DoesNotContain(target, e => e.Title == badTitle);
        foreach (var good in new[] { "Good O", "Good B" })
        {
            Assert.Single(Invariants.Outlook(_rig.Host), e => e.Title == good);
            Assert.Single(Invariants.Bitrix24(_rig.Host), e => e.Title == good);
        }
        Assert.Equal(2, Invariants.Links(_home.Root).Count);
        // The next run retries it (and says so again) and writes nothing else.
        var before = Writes;
        var again = Run("Start-CalSync -Name Work");
        Assert.Equal("MeetingInvalid", IdOf(again));
        Assert.Equal(before, Writes);

        // Without proceed-on-error the run stops before any write, naming the meeting.
        Run("Set-CalSync -Name Work -ProceedOnError:$false").Ok();
        var stopped = Run("Start-CalSync -Name Work");
        Assert.Equal("MeetingInvalid", IdOf(stopped));
        Assert.Equal("Failed", stopped.First.Outcome.ToString());
        Assert.Contains(expectedText, MessageOf(stopped));
        Assert.Equal(before, Writes);
    }

    [Fact]
    public void C18_a_meeting_that_ends_before_it_starts_never_reaches_a_calendar()
    {
        // Neither service keeps one: Graph refuses it (ErrorPropertyValidationFailure), Bitrix24 clamps the end to the start.
        var e = Assert.Throws<InvalidOperationException>(() => Meetings.Outlook(_rig.Host, "Backwards O", Meetings.Start(3), minutes: -30));
        Assert.Contains("ErrorPropertyValidationFailure", e.Message);
        Meetings.Bitrix24(_rig.Host, "Backwards B", Meetings.Start(3), minutes: -30);
        var stored = Assert.Single(_rig.Host.Bitrix24.GetEvents());
        Assert.Equal(stored.From, stored.To);
        Run("New-CalSync -Name Work | Out-Null").Ok();
        Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        var copy = Assert.Single(_rig.Host.Graph.GetEvents());
        Assert.Equal(copy["start"]!["dateTime"]!.GetValue<string>(), copy["end"]!["dateTime"]!.GetValue<string>());
        Assert.Empty(Invariants.Check(_rig.Host, _home.Root, new[] { "Backwards B" }));
        // A meeting given to CalSync directly (Test-CalSyncMapping, as the engine checks every write) is refused by name.
        var r = Run("[pscustomobject]@{ Subject = 'Backwards'; Start = '2026-05-01T11:00'; End = '2026-05-01T10:00'; TimeZone = 'Europe/Berlin' } | Test-CalSyncMapping -Mapping default");
        Assert.Equal("MeetingInvalid", IdOf(r));
        Assert.Contains("ends before it starts", MessageOf(r));
        var ctl = Run("[pscustomobject]@{ Subject = \"Tab`tok but ESC`e[31m not\"; Start = '2026-05-01T10:00'; End = '2026-05-01T11:00'; TimeZone = 'Europe/Berlin' } | Test-CalSyncMapping -Mapping default");
        Assert.Equal("MeetingInvalid", IdOf(ctl));
        Assert.Contains("U+001B", MessageOf(ctl));
    }

    [Fact]
    public void C19_a_10_MB_description_is_MeetingInvalid_and_is_not_copied()
    {
        BadMeeting(() => Meetings.Outlook(_rig.Host, "Huge", Meetings.Start(3), body: new string('x', 10 * 1024 * 1024)), "Huge",
            "its description is 10,485,760 characters long; at most 1,000,000 are copied", badOnOutlook: true);
    }

    [Fact]
    public void C20_control_characters_in_a_title_are_MeetingInvalid_naming_the_character_and_position()
    {
        BadMeeting(() => Meetings.Bitrix24(_rig.Host, "Bell\u0007 and NUL\u0000", Meetings.Start(3)), "Bell\u0007 and NUL\u0000",
            "its title contains the control character U+0007 at position 5", badOnOutlook: false);
    }

    [Fact]
    public void C21_an_unknown_time_zone_is_refused_where_it_enters_Graph_at_the_source_and_Test_CalSyncMapping_with_MeetingInvalid()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Meetings.Outlook(_rig.Host, "Mars", Meetings.Start(3), more: x =>
        {
            x["start"]!["timeZone"] = "Mars/Olympus";
            x["end"]!["timeZone"] = "Mars/Olympus";
        }));
        Assert.Contains("TimeZoneNotSupportedException", e.Message);
        var r = Run("[pscustomobject]@{ Subject = 'Mars'; Start = '2026-05-01T10:00'; End = '2026-05-01T11:00'; TimeZone = 'Mars/Olympus' } | Test-CalSyncMapping -Mapping default");
        Assert.Equal("MeetingInvalid", IdOf(r));
        Assert.Contains("Mars/Olympus", MessageOf(r));
    }

    [Fact]
    public void C22_a_recurrence_Bitrix24_cannot_express_travels_as_its_single_occurrences_never_as_a_wrong_series()
    {
        var start = Meetings.Start(3);
        Meetings.Outlook(_rig.Host, "Second Tuesday", start, more: e => e["recurrence"] = JsonNode.Parse(
            "{\"pattern\":{\"type\":\"relativeMonthly\",\"interval\":1,\"daysOfWeek\":[\"tuesday\"],\"index\":\"second\"},\"range\":{\"type\":\"numbered\",\"startDate\":\"" + start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "\",\"numberOfOccurrences\":3}}"));
        Run("New-CalSync -Name Work | Out-Null").Ok();
        var r = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        var copies = _rig.Host.Bitrix24.GetEvents().Where(e => e.Name == "Second Tuesday").ToList();
        Assert.Equal(3, copies.Count);
        Assert.All(copies, c => Assert.Null(c.RecurrenceRule));
        Assert.All(copies, c => Assert.Equal(DayOfWeek.Tuesday, c.From.DayOfWeek));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        Assert.Single(_rig.Host.Graph.GetEvents());
    }

    [Fact]
    public void C23_hostile_titles_round_trip_literally_and_inject_nothing()
    {
        string[] hostile =
        {
            "'; DROP TABLE b_calendar_event; --", "<script>alert(1)</script>", "$(Remove-Item -Recurse -Force ~)", "${env:HOME} `$x @(1)",
            "[url=http://evil.example]click[/url] [b]x[/b]", "a&fields[SECTION]=1&id=1&auth=x", "%00%0d%0aSet-Cookie: x=1", "\u202Eevil\u202C rtl",
            "😀 emoji 𝄞", "Ünïcødé — “quotes” ‘x’", "{{7*7}} #{7*7} %s %n", "..\\..\\windows\\system32",
        };
        for (var i = 0; i < hostile.Length; i++)
        {
            if (i % 2 == 0) Meetings.Outlook(_rig.Host, hostile[i], Meetings.Start(i));
            else Meetings.Bitrix24(_rig.Host, hostile[i], Meetings.Start(i));
        }
        var sections = _rig.Host.Bitrix24.GetSections().Count;
        Run("New-CalSync -Name Work | Out-Null").Ok();
        var r = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(hostile.Length, (int)r.First.Created);
        Assert.Empty(Invariants.Check(_rig.Host, _home.Root, hostile));
        Assert.Equal(sections, _rig.Host.Bitrix24.GetSections().Count);
        Assert.All(_rig.Host.Bitrix24.GetEvents(), e => Assert.Equal(_rig.Host.Bitrix24.DefaultSectionId, e.SectionId));
        Assert.True(Directory.Exists(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
    }

    // ---- full disk -------------------------------------------------------------------------------------------

    /// <summary>
    /// A real full disk: the store on a 1 MiB tmpfs (root and mount needed, as in the store tests; elsewhere the case
    /// says so and returns). The disk fills up right after the first write reaches Bitrix24, so the final state save
    /// fails: CalSync.Store.Io "the disk is full", the state file before the run (with the create journal) stays whole,
    /// no temp file is left; once space is freed the next run recovers the copies from the journal: no duplicate.
    /// </summary>
    [Fact]
    public void C24_a_full_disk_when_saving_state_is_Store_Io_keeps_the_old_file_and_the_next_run_duplicates_nothing()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return;
        var mount = Directory.CreateTempSubdirectory("calsync-tiny-").FullName;
        if (Sh("mount", $"-t tmpfs -o size=1m tmpfs {mount}") != 0) return;
        var previous = Environment.GetEnvironmentVariable("CALSYNC_HOME");
        try
        {
            var root = Path.Combine(mount, "calsync");
            Environment.SetEnvironmentVariable("CALSYNC_HOME", root);
            _rig.ConnectBoth();
            var titles = Meetings.SeedMerge(_rig.Host, 20);
            Run("New-CalSync -Name Work | Out-Null").Ok();
            var filler = Path.Combine(mount, "filler.bin");
            var filled = false;
            void Fill(Sandbox.RecordedRequest _)
            {
                if (filled) return;
                filled = true;
                var statePath = Path.Combine(root, "state", "work.json");
                // Leave less room than one more state file needs (the journal-only state is already on disk).
                var free = new DriveInfo(mount).AvailableFreeSpace;
                using var f = File.Create(filler);
                f.Write(new byte[Math.Max(0, free - 2048)]); // real pages (a SetLength file would be sparse)
            }
            _rig.Host.Bitrix24.Journal.WriteHandled += Fill;
            _rig.Host.Graph.Journal.WriteHandled += Fill;
            PsResult r;
            try { r = Run("Start-CalSync -Name Work -InitialMerge TwoWay"); }
            finally
            {
                _rig.Host.Bitrix24.Journal.WriteHandled -= Fill;
                _rig.Host.Graph.Journal.WriteHandled -= Fill;
            }
            Assert.True(filled);
            Assert.Equal("CalSync.Store.Io", IdOf(r));
            Assert.Contains("the disk is full", MessageOf(r));
            Assert.Contains("work.json", MessageOf(r));
            Assert.Empty(Invariants.Leftovers(root));
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "state", "work.json")))!; // whole, parseable
            Assert.NotEmpty(state["journal"]!.AsArray());

            File.Delete(filler);
            var again = Run("Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
            Assert.True((int)again.First.Recovered > 0);
            Assert.Empty(Invariants.Check(_rig.Host, root, titles));
            Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("CALSYNC_HOME", previous);
            Sh("umount", mount);
            try { Directory.Delete(mount, recursive: true); } catch (IOException) { }
        }
    }

    private static int Sh(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
