using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Issue 19, cases 2 and 5, through the cmdlets against the stand-ins: Set-CalSync says what the next run does to the
/// copies, Start-CalSync -WhatIf shows it, the run does it (judged by reading both calendars); two syncs on one pair of
/// calendars are refused.
/// </summary>
public sealed class SettingsChangeTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public SettingsChangeTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    private PsResult Run(string script) => _f.Ps.Run(script, _f.Vars());

    /// <summary>Two meetings on each side, merged two-way: each calendar then holds its two originals and two copies.</summary>
    private void MergeTwoWay(string settings = "")
    {
        Seed.Outlook(_f.Host, "Planning", 8);
        Seed.Outlook(_f.Host, "Review", 10);
        Seed.Bitrix24(_f.Host, "Board", 12);
        Seed.Bitrix24(_f.Host, "Offsite", 14);
        Run($"New-CalSync -Name Work {settings} | Out-Null; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.OutlookSubjects(_f.Host));
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.Bitrix24Names(_f.Host));
    }

    [Fact]
    public void A_direction_change_removes_the_copies_that_flowed_the_other_way_and_says_so_first()
    {
        MergeTwoWay();
        var set = Run("Set-CalSync -Name Work -Direction OutlookToBitrix24").Ok();
        var line = Assert.Single(set.Warnings);
        Assert.StartsWith("The next run removes 2 copies that flowed from Bitrix24 to Outlook", line);

        // -WhatIf and Get-CalSyncPlan show those writes and make none.
        var writes = Seed.Writes(_f.Host);
        var whatIf = Run("Start-CalSync -Name Work -WhatIf").Ok();
        Assert.Contains("Outlook: 0 create, 0 update, 2 delete", whatIf.HostText);
        var plan = Run("Get-CalSyncPlan -Name Work").Ok().Output.Select(o => (dynamic)o).ToList();
        Assert.Equal(["Delete Outlook Board", "Delete Outlook Offsite"],
            plan.Where(i => i.Action.ToString() == "Delete").Select(i => $"{i.Action} {i.TargetSide} {i.Title}").Cast<string>().Order().ToArray());
        Assert.Equal(writes, Seed.Writes(_f.Host));

        var bitrix24Writes = _f.Host.Bitrix24.Journal.WriteCount;
        var run = Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(2, (int)run.First.Outlook.Deleted);
        // Outlook keeps its originals only; Bitrix24 (the originals of the removed copies) is not written at all.
        Assert.Equal(["Planning", "Review"], Seed.OutlookSubjects(_f.Host));
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.Bitrix24Names(_f.Host));
        Assert.Equal(bitrix24Writes, _f.Host.Bitrix24.Journal.WriteCount);
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        Assert.Equal(bitrix24Writes, _f.Host.Bitrix24.Journal.WriteCount);
    }

    [Fact]
    public void Without_allow_delete_the_copies_stay_and_are_no_longer_synced()
    {
        MergeTwoWay("-AllowDelete:$false");
        var set = Run("Set-CalSync -Name Work -Direction Bitrix24ToOutlook").Ok();
        Assert.StartsWith("The next run keeps 2 copies that flowed from Outlook to Bitrix24 as they are but no longer syncs them", Assert.Single(set.Warnings));
        var writes = Seed.Writes(_f.Host);
        var run = Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(0, (int)run.First.Deleted);
        Assert.Equal(writes, Seed.Writes(_f.Host));
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.OutlookSubjects(_f.Host));
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.Bitrix24Names(_f.Host));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        Assert.Equal(writes, Seed.Writes(_f.Host));

        // Said once: a later change that keeps the direction says nothing of them; turning allow-delete on removes them.
        Assert.Empty(Run("Set-CalSync -Name Work -PastDays 20").Ok().Warnings);
        Assert.StartsWith("The next run removes 2 copies that flowed from Outlook to Bitrix24", Assert.Single(Run("Set-CalSync -Name Work -AllowDelete $true").Ok().Warnings));
        // And back to two-way instead: the kept copies sync again, nothing is copied twice.
        var back = Run("Set-CalSync -Name Work -AllowDelete:$false -Direction TwoWay").Ok();
        Assert.StartsWith("The next run syncs the 2 copies kept from Outlook meetings again and starts copying the Outlook meetings not linked yet to Bitrix24", Assert.Single(back.Information));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.Bitrix24Names(_f.Host));
    }

    [Fact]
    public void A_mapping_change_is_announced_as_re_projected_copies_and_an_unrelated_change_says_nothing()
    {
        MergeTwoWay();
        var quiet = Run("Set-CalSync -Name Work -PastDays 20").Ok();
        Assert.Empty(quiet.Warnings);
        Assert.Empty(quiet.Information);

        // Marks only: every copy is made again, none leaves (information, not a warning).
        var marked = Profile("marks: []", "marks:\n  - field: subject\n    to-bitrix24: { prefix: '[Outlook] ' }");
        var mark = _f.Ps.Run("Set-CalSync -Name Work -MappingPath $p", new Dictionary<string, object?> { ["p"] = marked }).Ok();
        Assert.Empty(mark.Warnings);
        Assert.Equal("The next run makes 2 copies on Bitrix24 and 2 copies on Outlook again under the mapping 'default'.", Assert.Single(mark.Information));
        Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(["Board", "Offsite", "[Outlook] Planning", "[Outlook] Review"], Seed.Bitrix24Names(_f.Host));

        // -WhatIf says it too, and saves nothing.
        var whatIf = Run("Set-CalSync -Name Work -Mapping busy-only -WhatIf").Ok();
        Assert.Contains("What if: Change the settings of sync 'Work'. The next run makes 2 copies on Bitrix24", whatIf.HostText);
        Assert.Empty(whatIf.Warnings);
        Assert.EndsWith(".yaml", (string)Run("Get-CalSync -Name Work").Ok().First.Mapping);
        // Busy-only also brings a filter (free time is not synced): copies of such meetings would leave, so it warns.
        var set = Run("Set-CalSync -Name Work -Mapping busy-only").Ok();
        Assert.Empty(set.Information);
        Assert.StartsWith("The next run makes 2 copies on Bitrix24 and 2 copies on Outlook again under the mapping 'busy-only', as busy blocks titled 'Busy' with no details; applies the mapping's new filters",
            Assert.Single(set.Warnings));
        Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(["Board", "Busy", "Busy", "Offsite"], Seed.Bitrix24Names(_f.Host));
        Assert.Equal(["Busy", "Busy", "Planning", "Review"], Seed.OutlookSubjects(_f.Host));
    }

    /// <summary>A copy of the default profile with <paramref name="from"/> replaced, as a file in the store's directory.</summary>
    private string Profile(string from, string to)
    {
        var path = Path.Combine(_home.Root, Guid.NewGuid().ToString("N") + ".yaml");
        _f.Ps.Run("Export-CalSyncMapping -Name default -Path $p | Out-Null", new Dictionary<string, object?> { ["p"] = path }).Ok();
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
        return path;
    }

    [Fact]
    public void A_new_filter_removes_the_copy_of_the_meeting_it_leaves_out_and_never_its_original()
    {
        MergeTwoWay();
        var path = Profile("  exclude: []", "  exclude:\n    - { field: subject, contains: Review }");

        var set = _f.Ps.Run("Set-CalSync -Name Work -MappingPath $p", new Dictionary<string, object?> { ["p"] = path }).Ok();
        Assert.StartsWith("The next run applies the mapping's new filters: the copies of meetings they leave out are removed", Assert.Single(set.Warnings));
        var run = Run("Start-CalSync -Name Work").Ok();
        Assert.Equal(1, (int)run.First.Bitrix24.Deleted);
        Assert.Equal(0, (int)run.First.Outlook.Deleted);
        Assert.Equal(["Board", "Offsite", "Planning"], Seed.Bitrix24Names(_f.Host));
        Assert.Equal(["Board", "Offsite", "Planning", "Review"], Seed.OutlookSubjects(_f.Host));
        Assert.Equal("NoChanges", Run("Start-CalSync -Name Work").Ok().First.Outcome.ToString());
    }

    [Fact]
    public void A_one_way_mapping_against_the_direction_is_refused_when_set_not_at_the_next_run()
    {
        Run("New-CalSync -Name Work").Ok();
        var r = Run("Set-CalSync -Name Work -Direction Bitrix24ToOutlook -Mapping busy-only-one-way");
        Assert.Equal("InvalidSetting", Assert.Single(r.ErrorIds));
        Assert.Contains("-Direction OutlookToBitrix24", r.Errors[0].ToString());
        Assert.Equal("TwoWay", Run("Get-CalSync -Name Work").Ok().First.Direction.ToString());
        Run("Set-CalSync -Name Work -Direction OutlookToBitrix24 -Mapping busy-only-one-way").Ok();
    }

    /// <summary>Case 5.</summary>
    [Fact]
    public void A_second_sync_on_the_same_pair_of_calendars_is_refused_naming_the_first_whatever_the_connections_are_called()
    {
        Run("New-CalSync -Name Work").Ok();
        var before = _home.Snapshot();
        var same = Run("New-CalSync -Name Home -Mapping busy-only-one-way -Direction OutlookToBitrix24");
        Assert.Equal("CalendarPairInUse", Assert.Single(same.ErrorIds));
        Assert.Equal("ResourceExists", same.Errors[0].CategoryInfo.Category.ToString());
        Assert.Contains("The sync 'Work' already syncs this pair of calendars", same.Errors[0].ToString());
        Assert.Equal(before, _home.Snapshot());

        // Another connection name for the same Bitrix24 calendar (the webhook user's only calendar) is the same calendar.
        Run("Connect-Bitrix24 -Name again -WebhookUrl $webhook -AllowPlaintextSecretStore | Out-Null").Ok();
        Assert.Equal("CalendarPairInUse", Assert.Single(Run("New-CalSync -Name Home -Bitrix24Connection again").ErrorIds));

        // The advice works: another calendar under a new connection name.
        _f.ConnectBitrix24Calendar("home");
        Run("New-CalSync -Name Home -Bitrix24Connection home").Ok();
        // Set-CalSync cannot move it onto Work's pair either.
        var moved = Run("Set-CalSync -Name Home -Bitrix24Connection again");
        Assert.Equal("CalendarPairInUse", Assert.Single(moved.ErrorIds));
        Assert.Equal("home", (string)Run("Get-CalSync -Name Home").Ok().First.Bitrix24Connection);
    }

    /// <summary>Case 5: one shared Outlook calendar, two Bitrix24 calendars; neither sync links onto or copies the other's copies.</summary>
    [Fact]
    public void Two_syncs_sharing_the_Outlook_calendar_leave_each_others_copies_alone()
    {
        Seed.Outlook(_f.Host, "Own meeting", 8);
        Seed.Bitrix24(_f.Host, "Stand-up", 10);
        _f.ConnectBitrix24Calendar("home");
        var homeSection = _f.Host.Bitrix24.GetSections().Single(s => s.Name == "home").Id;
        var workSection = _f.Host.Bitrix24.DefaultSectionId;
        Run("New-CalSync -Name Work; New-CalSync -Name Home -Bitrix24Connection home; Start-CalSync -Name Work -InitialMerge TwoWay").Ok();
        // The same stand-up on Home's calendar: Work's Outlook copy of it must not pass for Home's.
        _f.Host.Bitrix24.SeedEvent(new Dictionary<string, object?>
        {
            ["name"] = "Stand-up", ["section"] = homeSection,
            ["from"] = Seed.Day.AddHours(10).ToString("yyyy-MM-dd HH:mm:ss"), ["to"] = Seed.Day.AddHours(11).ToString("yyyy-MM-dd HH:mm:ss"),
            ["timezone_from"] = "Europe/Berlin", ["timezone_to"] = "Europe/Berlin",
        });

        var plan = Run("Get-CalSyncPlan -Name Home -InitialMerge TwoWay").Ok().Output.Select(o => (dynamic)o).ToList();
        Assert.Contains(plan, i => i.Action.ToString() == "Skip" && ((string)i.Reason).Contains("a copy made by the sync 'Work'"));
        var home = Run("Start-CalSync -Name Home -InitialMerge TwoWay").Ok();
        Assert.Equal(1, (int)home.First.Bitrix24.Created); // Own meeting only, not Work's copy of Stand-up
        Assert.Equal(1, (int)home.First.Outlook.Created);  // its own copy of Stand-up
        Assert.Equal(0, (int)home.First.Matched);
        Assert.Equal(["Own meeting", "Stand-up", "Stand-up"], Seed.OutlookSubjects(_f.Host));
        string[] Names(int section) => _f.Host.Bitrix24.GetEvents().Where(e => e.SectionId == section).Select(e => e.Name).Order().ToArray();
        Assert.Equal(["Own meeting", "Stand-up"], Names(workSection));
        Assert.Equal(["Own meeting", "Stand-up"], Names(homeSection));

        var writes = Seed.Writes(_f.Host);
        Assert.Equal(["NoChanges", "NoChanges"], Run("Start-CalSync -Name Work, Home").Ok().Output.Select(o => ((dynamic)o).Outcome.ToString()).Cast<string>().ToArray());
        Assert.Equal(writes, Seed.Writes(_f.Host));
    }
}
