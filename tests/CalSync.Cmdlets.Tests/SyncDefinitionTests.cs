using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>New-, Get-, Set-, Remove-CalSync and the mapping cmdlets.</summary>
public sealed class SyncDefinitionTests : IClassFixture<SandboxFixture>, IDisposable
{
    private readonly SandboxFixture _f;
    private readonly StoreHome _home = new();

    public SyncDefinitionTests(SandboxFixture f)
    {
        _f = f;
        f.Reset();
        f.ConnectBoth();
    }

    public void Dispose() => _home.Dispose();

    [Fact]
    public void New_CalSync_has_the_documented_defaults()
    {
        var r = _f.Ps.Run("New-CalSync -Name Work").Ok();
        var d = r.First;
        Assert.Equal(TimeSpan.FromMinutes(10), (TimeSpan)d.Interval);
        Assert.Equal("TwoWay", d.Direction.ToString());
        Assert.True((bool)d.AllowDelete);
        Assert.True((bool)d.AvoidDuplicates);
        Assert.False((bool)d.ProceedOnError);
        Assert.Equal(30, (int)d.PastDays);
        Assert.Equal(365, (int)d.FutureDays);
        Assert.Equal("Newest", d.ConflictPolicy.ToString());
        Assert.Equal("default", (string)d.Mapping);
        Assert.Equal("outlook", (string)d.OutlookConnection);
        Assert.True(File.Exists(_home.File("syncs", "work.json")));
    }

    /// <summary>Issue 18, case 7: PowerShell alone reads -Interval 15 as 15 ticks.</summary>
    [Fact]
    public void Interval_is_minutes_when_a_number_and_a_time_span_when_one()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), (TimeSpan)_f.Ps.Run("New-CalSync -Name Work -Interval 15").Ok().First.Interval);
        Assert.Equal(TimeSpan.FromMinutes(30), (TimeSpan)_f.Ps.Run("Set-CalSync -Name Work -Interval '00:30:00' -PassThru -WarningAction SilentlyContinue").Ok().First.Interval);
        Assert.Equal(TimeSpan.FromMinutes(45), (TimeSpan)_f.Ps.Run("Set-CalSync -Name Work -Interval '45' -PassThru -WarningAction SilentlyContinue").Ok().First.Interval);
        Assert.Equal(TimeSpan.FromMinutes(20), (TimeSpan)_f.Ps.Run("Set-CalSync -Name Work -Interval ([TimeSpan]::FromMinutes(20)) -PassThru -WarningAction SilentlyContinue").Ok().First.Interval);

        var words = _f.Ps.Run("New-CalSync -Name Other -Interval soon");
        Assert.Equal("ParameterArgumentTransformationError", words.TerminatingId);
        Assert.Contains("Give minutes (-Interval 15)", words.Terminating!.Message);
        var tooShort = _f.Ps.Run("New-CalSync -Name Other -Interval 0.5");
        Assert.Contains("at least one minute", tooShort.Errors.Concat(tooShort.Terminating is null ? [] : [tooShort.Terminating.ErrorRecord]).Single().ToString());
        Assert.False(File.Exists(_home.File("syncs", "other.json")));
    }

    /// <summary>Issue 18, case 7: -AllowDelete and -AvoidDuplicates state a value; they are no switches that default to on.</summary>
    [Fact]
    public void AllowDelete_and_AvoidDuplicates_take_a_value_and_a_bare_one_asks_for_it()
    {
        var d = _f.Ps.Run("New-CalSync -Name Work -AllowDelete $false -AvoidDuplicates $false").Ok().First;
        Assert.False((bool)d.AllowDelete);
        Assert.False((bool)d.AvoidDuplicates);
        Assert.True((bool)_f.Ps.Run("Set-CalSync -Name Work -AllowDelete $true -PassThru").Ok().First.AllowDelete);
        Assert.False((bool)_f.Ps.Run("Set-CalSync -Name Work -AllowDelete:$false -PassThru").Ok().First.AllowDelete); // scripts written for the switch
        var bare = _f.Ps.Run("Set-CalSync -Name Work -AvoidDuplicates");
        Assert.Equal("MissingArgument", bare.TerminatingId);
        Assert.False((bool)_f.Ps.Run("Get-CalSync -Name Work").Ok().First.AvoidDuplicates);
        var help = _f.Ps.Run("Get-Help New-CalSync -Parameter AllowDelete").Ok().First;
        Assert.Equal("True", help.defaultValue.ToString());
    }

    [Fact]
    public void New_CalSync_takes_every_setting_and_refuses_a_second_sync_of_the_same_name()
    {
        _f.Ps.Run("New-CalSync -Name Busy -Direction OutlookToBitrix24 -Interval ([timespan]'00:30:00') -AllowDelete:$false -ProceedOnError -AvoidDuplicates:$false -PastDays 7 -FutureDays 60 -ConflictPolicy OutlookWins -Mapping busy-only-one-way").Ok();
        var d = _f.Ps.Run("Get-CalSync -Name Busy").Ok().First;
        Assert.Equal("OutlookToBitrix24", d.Direction.ToString());
        Assert.Equal(TimeSpan.FromMinutes(30), (TimeSpan)d.Interval);
        Assert.False((bool)d.AllowDelete);
        Assert.False((bool)d.AvoidDuplicates);
        Assert.True((bool)d.ProceedOnError);
        Assert.Equal(7, (int)d.PastDays);
        Assert.Equal("OutlookWins", d.ConflictPolicy.ToString());
        Assert.Equal("busy-only-one-way", (string)d.Mapping);

        var again = _f.Ps.Run("New-CalSync -Name busy");
        Assert.Equal("SyncExists", Assert.Single(again.ErrorIds));
        Assert.Equal("ResourceExists", again.Errors[0].CategoryInfo.Category.ToString());
        Assert.Equal("busy", again.Errors[0].TargetObject);
    }

    [Fact]
    public void New_CalSync_with_an_invalid_mapping_file_names_file_line_and_column_and_saves_nothing()
    {
        var path = _home.File("bad.yaml");
        File.WriteAllText(path, "schema: 1\nname: bad\nfields:\n  - outlook: subject\n    bitrix24: nonsense\n");
        var r = _f.Ps.Run("New-CalSync -Name Bad -MappingPath $p", new Dictionary<string, object?> { ["p"] = path });
        var error = Assert.Single(r.Errors);
        Assert.Equal("MappingInvalid", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("bad.yaml(5,", error.ToString());
        Assert.Equal("InvalidData", error.CategoryInfo.Category.ToString());
        Assert.False(File.Exists(_home.File("syncs", "bad.json")));
    }

    [Fact]
    public void New_CalSync_with_a_valid_mapping_file_stores_its_full_path_and_Export_then_Set_uses_it()
    {
        var path = _home.File("mine.yaml");
        var export = _f.Ps.Run("Export-CalSyncMapping -Name busy-only -Path $p -PassThru", new Dictionary<string, object?> { ["p"] = path }).Ok();
        Assert.Equal(path, ((FileInfo)export.Output[0].BaseObject).FullName);
        Assert.Contains("carry: busy-only", File.ReadAllText(path));
        Assert.Equal("FileExists", _f.Ps.Run("Export-CalSyncMapping -Name default -Path $p", new Dictionary<string, object?> { ["p"] = path }).ErrorIds.Single());

        _f.Ps.Run("New-CalSync -Name Work; Set-CalSync -Name Work -MappingPath $p", new Dictionary<string, object?> { ["p"] = path }).Ok();
        Assert.Equal(path, (string)_f.Ps.Run("Get-CalSync Work").Ok().First.Mapping);
    }

    [Fact]
    public void New_CalSync_needs_existing_connections_of_the_right_kind()
    {
        var r = _f.Ps.Run("New-CalSync -Name X -OutlookConnection nope");
        Assert.Equal("ConnectionNotFound", Assert.Single(r.ErrorIds));
        Assert.Contains("Connect-OutlookCalendar -Name 'nope'", r.Errors[0].ToString());
        Assert.Equal("ConnectionKindMismatch", Assert.Single(_f.Ps.Run("New-CalSync -Name X -OutlookConnection bitrix24").ErrorIds));
        Assert.Equal("CalSync.Store.InvalidName", Assert.Single(_f.Ps.Run("New-CalSync -Name 'a b'").ErrorIds));
    }

    [Fact]
    public void Get_CalSync_supports_wildcards_and_reports_a_missing_name()
    {
        foreach (var calendar in new[] { "Work", "Weekend", "Home" }) _f.ConnectBitrix24Calendar(calendar);
        _f.Ps.Run("'Work','Weekend','Home' | ForEach-Object { New-CalSync -Name $_ -Bitrix24Connection $_ } | Out-Null").Ok();
        Assert.Equal(new[] { "Weekend", "Work" }, _f.Ps.Run("Get-CalSync -Name W* | ForEach-Object Name").Ok().Output.Select(o => o.ToString()));
        Assert.Equal(3, _f.Ps.Run("Get-CalSync").Ok().Output.Count);
        var missing = _f.Ps.Run("Get-CalSync -Name Nope");
        Assert.Equal("SyncNotFound", Assert.Single(missing.ErrorIds));
        Assert.Equal("ObjectNotFound", missing.Errors[0].CategoryInfo.Category.ToString());
        var stop = _f.Ps.Run("Get-CalSync -Name Nope -ErrorAction Stop");
        Assert.Equal("SyncNotFound", stop.TerminatingId);
    }

    [Fact]
    public void Set_CalSync_changes_only_what_is_given_and_WhatIf_changes_nothing()
    {
        _f.Ps.Run("New-CalSync -Name Work -PastDays 10").Ok();
        var before = _home.Snapshot();
        _f.Ps.Run("Set-CalSync -Name Work -Direction Bitrix24ToOutlook -WhatIf").Ok();
        Assert.Equal(before, _home.Snapshot());

        var r = _f.Ps.Run("Get-CalSync Work | Set-CalSync -Direction Bitrix24ToOutlook -AllowDelete:$false -Interval ([timespan]'00:15:00') -PassThru").Ok();
        Assert.Equal("Bitrix24ToOutlook", r.First.Direction.ToString());
        Assert.False((bool)r.First.AllowDelete);
        Assert.Equal(10, (int)r.First.PastDays);
        Assert.Contains(r.Warnings, w => w.Contains("Register-CalSyncSchedule"));
        Assert.Equal("MappingInvalid", Assert.Single(_f.Ps.Run("Set-CalSync -Name Work -Mapping nonsense").ErrorIds));
        Assert.Equal("SyncNotFound", Assert.Single(_f.Ps.Run("Set-CalSync -Name Nope -PastDays 1").ErrorIds));
    }

    [Fact]
    public void Remove_CalSync_honours_WhatIf_and_removes_definition_state_and_history()
    {
        _f.ConnectBitrix24Calendar("home");
        _f.Ps.Run("New-CalSync -Name Work; New-CalSync -Name Home -Bitrix24Connection home").Ok();
        var before = _home.Snapshot();
        _f.Ps.Run("Remove-CalSync -Name Work -WhatIf").Ok();
        Assert.Equal(before, _home.Snapshot());
        var r = _f.Ps.Run("Get-CalSync -Name Work | Remove-CalSync -PassThru").Ok();
        Assert.Equal("Work", (string)r.First.Name);
        Assert.False(File.Exists(_home.File("syncs", "work.json")));
        Assert.True(File.Exists(_home.File("syncs", "home.json")));
        Assert.Equal("SyncNotFound", Assert.Single(_f.Ps.Run("Remove-CalSync -Name Work").ErrorIds));
    }

    [Fact]
    public void Test_CalSyncMapping_shows_what_busy_only_does_to_given_and_sampled_meetings()
    {
        var r = _f.Ps.Run("""
            @{ Subject = 'Therapy – Dr X'; Start = [datetime]'2025-03-10T14:00:00'; End = [datetime]'2025-03-10T15:00:00'; TimeZone = 'Europe/Berlin';
               Location = 'Praxis'; Body = 'secret notes'; Attendees = 'a@example.com','b@example.com'; Sensitivity = 'Private' },
            @{ Subject = 'Lunch'; Start = [datetime]'2025-03-10T12:00:00'; ShowAs = 'Free' } | Test-CalSyncMapping -Mapping busy-only
            """).Ok();
        Assert.Equal(2, r.Output.Count);
        var therapy = r.Output[0];
        Assert.Equal("Busy", (string)therapy.Properties["CopyTitle"].Value);
        Assert.Equal("", (string)therapy.Properties["CopyLocation"].Value);
        Assert.Equal("", (string)therapy.Properties["CopyDescription"].Value);
        Assert.Equal(0, (int)therapy.Properties["CopyAttendees"].Value);
        Assert.Equal("Private", therapy.Properties["CopySensitivity"].Value.ToString());
        Assert.Equal("2025-03-10 14:00 Europe/Berlin", (string)therapy.Properties["Start"].Value); // its own zone's wall clock
        Assert.False((bool)r.Output[1].Properties["Synced"].Value); // free time is not synced by busy-only

        var details = _f.Ps.Run("@{ Subject = 'Lunch'; Start = [datetime]'2025-03-10T12:00:00'; Location = 'Cafe' } | Test-CalSyncMapping").Ok();
        Assert.Equal("Lunch", (string)details.First.CopyTitle);
        Assert.Equal("Cafe", (string)details.First.CopyLocation);

        var samples = _f.Ps.Run("Test-CalSyncMapping -Mapping default -Sample").Ok();
        Assert.True(samples.Output.Count >= 4);
        Assert.Contains(samples.Output, o => o.Properties["From"].Value.ToString() == "Bitrix24");
        Assert.Equal("MeetingInvalid", Assert.Single(_f.Ps.Run("@{ Subject = 'x' } | Test-CalSyncMapping").ErrorIds));
    }
}
