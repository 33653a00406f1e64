using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using Xunit;
using static CalSync.Engine.Tests.Support.SyncHarness;

namespace CalSync.Engine.Tests.Mapping;

public sealed class MappingProfileTests
{
    private static readonly CalEvent Private = Meeting("Therapy – Dr X", hour: 14, location: "Praxis Mitte", body: "Bring the referral") with
    {
        Sensitivity = Sensitivity.Confidential,
        ShowAs = ShowAs.Tentative,
        Importance = Importance.High,
        ReminderMinutes = 15,
        Categories = new[] { "Health" },
        Attendees = new[] { new Attendee("Anna Berg", "anna@example.com") },
    };

    [Fact]
    public void Fingerprint_ChangesWithWhatViewsDependOn_NotWithFilters()
    {
        var text = MappingLoader.BuiltInText("default");
        var fingerprint = new Projector(MappingLoader.Parse(text, "a")).Fingerprint;
        Assert.Equal(fingerprint, new Projector(MappingLoader.BuiltIn("default")).Fingerprint);
        Assert.NotEqual(fingerprint, new Projector(MappingLoader.BuiltIn("busy-only")).Fingerprint);
        Assert.Equal(fingerprint, new Projector(MappingLoader.Parse(text.Replace("exclude: []", "exclude:\n    - { field: subject, contains: x }"), "b")).Fingerprint);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("  Weekly \t\t team\r\n sync  ")]
    [InlineData("Jour\u00A0\u2003fixe\u2028x\u0085y\u000Bz\u000Cw")]
    [InlineData("no-space")]
    [InlineData("")]
    public void Titles_are_matched_with_white_space_collapsed_as_the_regex_did(string title)
    {
        // Match keys are stored in the journal: the collapsing must stay what Regex \s+ did.
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(title.Trim(), @"\s+", " "), Projector.CollapseSpaces(title.Trim()));
        var key = new Projector(MappingLoader.BuiltIn("default")).MatchKey(Meeting(title, hour: 9), Side.Outlook);
        Assert.EndsWith("|" + System.Text.RegularExpressions.Regex.Replace(title.Trim(), @"\s+", " ").ToLowerInvariant(), key);
    }

    [Fact]
    public void Default_CarriesEveryCommonFieldBothWays()
    {
        var projector = new Projector(MappingLoader.BuiltIn("default"));
        var copy = projector.Apply(Private, Side.Outlook, null);
        Assert.Equal("Therapy – Dr X", copy.Title);
        Assert.Equal("Praxis Mitte", copy.Location);
        Assert.Equal("Bring the referral", copy.Description);
        Assert.Equal(ShowAs.Tentative, copy.ShowAs); // tentative -> quest
        Assert.Equal(Sensitivity.Private, copy.Sensitivity); // confidential -> private=true
        Assert.Equal(Importance.High, copy.Importance);
        Assert.Equal(15, copy.ReminderMinutes);
        Assert.Equal(Private.Start, copy.Start);
        Assert.Empty(copy.Attendees); // attendees are Bitrix24 user ids: not carried (README)

        var back = projector.Apply(copy, Side.Bitrix24, null);
        Assert.Equal(Sensitivity.Private, back.Sensitivity); // the way back takes the first match
        Assert.Equal(projector.View(copy, Side.Bitrix24).Fields["subject"], projector.View(Private, Side.Outlook).Fields["subject"]);
    }

    [Theory]
    [InlineData("busy-only")]
    [InlineData("busy-only-one-way")]
    public void BusyOnly_ProjectionCarriesNoSourceText(string name)
    {
        var projector = new Projector(MappingLoader.BuiltIn(name));
        var view = projector.View(Private, Side.Outlook);
        var copy = projector.Apply(Private, Side.Outlook, null);
        var everything = string.Join("|", view.Fields.Values) + "|" + System.Text.Json.JsonSerializer.Serialize(copy);
        foreach (var text in new[] { "Therapy", "Dr X", "Praxis", "referral", "Health", "anna", "Anna" })
            Assert.DoesNotContain(text, everything);
        Assert.Equal("Busy", copy.Title);
        Assert.Equal(Sensitivity.Private, copy.Sensitivity);
        Assert.Equal(ShowAs.Tentative, copy.ShowAs);
        Assert.Equal(new[] { "allDay", "end", "sensitivity", "showAs", "start" }, view.Fields.Keys);
    }

    [Fact]
    public void BusyOnly_IgnoresTextFieldsEvenWhenTheFileListsThem()
    {
        var profile = MappingLoader.Parse("""
            schema: 1
            carry: busy-only
            placeholder: Blocked
            fields:
              - { outlook: subject, bitrix24: name }
              - { outlook: body, bitrix24: description }
              - { outlook: showAs, bitrix24: accessibility }
            """, "test.yaml");
        Assert.Equal(new[] { MeetingField.ShowAs }, profile.Fields.Select(f => f.Outlook));
        var copy = new Projector(profile).Apply(Private, Side.Outlook, null);
        Assert.Equal("Blocked", copy.Title);
        Assert.Equal("", copy.Description);
    }

    [Fact]
    public void Marks_ArePutOnCopiesAndTakenOffOnTheWayBack()
    {
        var profile = MappingLoader.Parse(MappingLoader.BuiltInText("default").Replace("marks: []", """
            marks:
              - { field: subject, to-bitrix24: { prefix: '[Outlook] ' } }
            """.Replace("            ", "")), "marks.yaml");
        var projector = new Projector(profile);
        var source = Private with { Sensitivity = Sensitivity.Private };
        var copy = projector.Apply(source, Side.Outlook, null);
        Assert.Equal("[Outlook] Therapy – Dr X", copy.Title);
        Assert.Equal(projector.View(source, Side.Outlook).Hash, projector.View(copy, Side.Bitrix24).Hash);
        // Back to Outlook: the prefix goes, so a two-way sync can never prepend it twice.
        Assert.Equal("Therapy – Dr X", projector.Apply(copy, Side.Bitrix24, null).Title);
    }

    [Fact]
    public void Filters_IncludeAndExclude()
    {
        var profile = MappingLoader.Parse("""
            schema: 1
            fields: [ { outlook: subject, bitrix24: name } ]
            filters:
              exclude:
                - { field: categories, contains: priv }
                - { field: subject, matches: '^\[draft\]' }
              include:
                - { field: showAs, in: [busy, oof] }
                - { field: isAllDay, equals: 'true' }
            """, "filters.yaml");
        var p = new Projector(profile);
        Assert.True(p.IsSynced(Meeting("Plan"), Side.Outlook));
        Assert.False(p.IsSynced(Meeting("Plan") with { Categories = new[] { "Private" } }, Side.Outlook));
        Assert.False(p.IsSynced(Meeting("[Draft] Plan"), Side.Outlook));
        Assert.False(p.IsSynced(Meeting("Plan") with { ShowAs = ShowAs.Free }, Side.Outlook));
        Assert.True(p.IsSynced(AllDay("Trip", new DateTime(2025, 3, 3)) with { ShowAs = ShowAs.Free }, Side.Outlook));
    }

    [Fact]
    public void ExportedBuiltInsLoadBackUnchanged()
    {
        foreach (var name in MappingProfile.BuiltInNames)
        {
            var builtIn = MappingLoader.BuiltIn(name);
            var path = Path.Combine(Path.GetTempPath(), $"calsync-{Guid.NewGuid():N}.yaml");
            File.WriteAllText(path, MappingLoader.BuiltInText(name));
            try
            {
                var loaded = MappingLoader.LoadFile(path);
                Assert.Equal(builtIn.Fields.Count, loaded.Fields.Count);
                Assert.Equal(builtIn.Carry, loaded.Carry);
                Assert.Equal(builtIn.Direction, loaded.Direction);
                Assert.Equal(Path.GetFullPath(path), loaded.Source);
            }
            finally { File.Delete(path); }
        }
    }

    public static TheoryData<string, int, int, string> BadFiles => new()
    {
        { "schema: 1\nname: [unclosed", 3, 1, "not valid YAML" },
        { "schema: 1\nfields:\n  - outlook: subjekt\n    bitrix24: name\n", 3, 14, "unknown Outlook field 'subjekt'" },
        { "schema: 1\ncolour: red\n", 2, 1, "unknown key 'colour'" },
        { "name: x\n", 1, 1, "'schema: 1' is required" },
        { "schema: 2\n", 1, 9, "schema 2 is not supported" },
        { "schema: 1\nfields:\n  - { outlook: subject, bitrix24: name }\n  - { outlook: subject, bitrix24: description }\n", 4, 16, "mapped twice" },
        { "schema: 1\nfields:\n  - { outlook: showAs, bitrix24: name }\n", 3, 34, "cannot be mapped onto" },
        { "schema: 1\nfields:\n  - { outlook: showAs, bitrix24: accessibility, values: { busy: maybe } }\n", 3, 65, "'maybe' is not a Bitrix24 value" },
        { "schema: 1\nfields: [ { outlook: subject, bitrix24: name } ]\nmarks:\n  - { field: subject, to-bitrix24: { set: Busy } }\n", 4, 43, "'set' cannot be undone" },
        { "schema: 1\nfilters:\n  exclude:\n    - { field: subject, matches: '(' }\n", 4, 34, "not a valid regular expression" },
        { "schema: 1\nfilters:\n  exclude:\n    - { field: subject }\n", 4, 7, "exactly one of" },
        { "schema: 1\ncarry: sometimes\n", 2, 8, "'sometimes' is not a valid carry" },
        { "schema: 1\ndirection: sideways\n", 2, 12, "'sideways' is not a valid direction" },
        { "- just\n- a list\n", 1, 1, "one YAML document" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFiles_NameFileLineAndColumn(string yaml, int line, int column, string problem)
    {
        var e = Assert.Throws<MappingException>(() => MappingLoader.Parse(yaml, "work.yaml"));
        Assert.Equal("work.yaml", e.File);
        Assert.Contains(problem, e.Message);
        Assert.Equal((line, column), ((int)e.Line, (int)e.Column));
        Assert.StartsWith($"work.yaml({line},{column}): ", e.Message);
    }

    [Fact]
    public void SetIsAllowedOnAOneWayField()
    {
        var profile = MappingLoader.Parse("schema: 1\nfields: [ { outlook: subject, bitrix24: name, direction: to-bitrix24 } ]\nmarks:\n  - { field: subject, to-bitrix24: { set: Blocked } }\n", "oneway.yaml");
        Assert.Equal("Blocked", new Projector(profile).Apply(Private, Side.Outlook, null).Title);
    }

    [Fact]
    public void MissingFileOrUnknownBuiltInIsAClearError()
    {
        var e = Assert.Throws<MappingException>(() => MappingLoader.Resolve("/nowhere/work.yaml"));
        Assert.Contains("no such mapping file", e.Message);
        Assert.Contains("busy-only", e.Message);
    }
}
