using System.Security.Cryptography;
using System.Text;
using CalSync.Engine.Mapping;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using CalSync.Engine.Sync;
using Xunit;

namespace CalSync.Engine.Tests.Mapping;

/// <summary>
/// Hashes, match keys and transaction ids are stored in state files and journals: the projection must give what it gave
/// before it was made faster (values taken from the code at 9612b99, the sorted-dictionary and format-string projection).
/// </summary>
public sealed class ProjectionStabilityTests
{
    private const string GoldenProfile = """
        schema: 1
        name: golden
        carry: details
        fields:
          - { outlook: subject, bitrix24: name }
          - { outlook: body, bitrix24: location }
          - { outlook: location, bitrix24: description }
          - { outlook: showAs, bitrix24: accessibility, direction: to-bitrix24 }
          - { outlook: sensitivity, bitrix24: private }
          - { outlook: importance, bitrix24: importance }
          - { outlook: reminderMinutesBeforeStart, bitrix24: remind }
          - { outlook: attendees, bitrix24: attendees }
        marks:
          - { field: subject, to-bitrix24: { prefix: '[O] ' }, to-outlook: { suffix: ' (B24)' } }
        """;

    private static MappingProfile Profile(string name) => name == "golden" ? MappingLoader.Parse(GoldenProfile, "golden.yaml") : MappingLoader.BuiltIn(name);

    private static CalEvent Event(string name)
    {
        var timed = new CalEvent
        {
            Id = "t1", Version = "v1", Title = "  Weekly \t Sync  ", Description = "Line 1\r\nLine 2\n\n", Location = "Room 4",
            Start = EventTime.FromLocal(new DateTime(2026, 3, 29, 1, 30, 5), "W. Europe Standard Time"),
            End = EventTime.FromLocal(new DateTime(2026, 3, 29, 3, 45, 0), "Europe/Berlin"),
            ShowAs = ShowAs.Tentative, Sensitivity = Sensitivity.Confidential, Importance = Importance.High, ReminderMinutes = 15,
            Categories = new[] { "b", "A" }, Attendees = new[] { new Attendee("Anna", "Anna@Example.com"), new Attendee("Bo", "bo@example.com", false) },
        };
        return name switch
        {
            "timed" => timed,
            "allday" => new CalEvent { Id = "a1", Title = "", Start = EventTime.AllDay(new DateTime(2026, 12, 31)), End = EventTime.AllDay(new DateTime(2027, 1, 1)), ShowAs = ShowAs.Free },
            "series" => timed with
            {
                Id = "s1",
                Title = "[O] Stand-up (B24)",
                Start = EventTime.FromLocal(new DateTime(2026, 1, 5, 9, 0, 0), "America/New_York"),
                End = EventTime.FromLocal(new DateTime(2026, 1, 5, 9, 15, 0), "America/New_York"),
                Recurrence = new Recurrence
                {
                    Kind = RecurrenceKind.Weekly, Interval = 2, DaysOfWeek = new[] { DayOfWeek.Wednesday, DayOfWeek.Monday }, FirstDayOfWeek = DayOfWeek.Monday,
                    Until = new DateTime(2026, 6, 30), Cancelled = new[] { new DateTime(2026, 2, 2), new DateTime(2026, 1, 19) },
                    Exceptions = new[]
                    {
                        new OccurrenceException(new DateTime(2026, 3, 2), new CalEvent
                        {
                            Title = "Stand-up moved", Description = "x\ny", Location = "Hall",
                            Start = EventTime.FromLocal(new DateTime(2026, 3, 2, 10, 0, 0), "America/New_York"),
                            End = EventTime.FromLocal(new DateTime(2026, 3, 2, 10, 30, 0), "America/New_York"),
                            ShowAs = ShowAs.Oof, ReminderMinutes = 0,
                        }),
                    },
                },
            },
            "edges" => new CalEvent
            {
                Id = "e1", Title = "ÄÖÜ ß – 日本", Description = "tab\tend ", Location = "",
                Start = EventTime.Timed(new DateTime(999, 2, 3, 4, 5, 6, DateTimeKind.Utc), "UTC"),
                End = EventTime.Timed(new DateTime(9999, 12, 31, 23, 59, 59, DateTimeKind.Utc), "Etc/GMT-14"),
                ShowAs = ShowAs.WorkingElsewhere, Sensitivity = Sensitivity.Personal, Importance = Importance.Low,
            },
            _ => throw new ArgumentException(name),
        };
    }


    private static string Digest(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();

    [Theory]
    [InlineData("default", "timed", Side.Outlook, "5eb380f5c23c5e68f6f3c9c13b1c80d5", "a7d71bbfbeae141cee6a11c4d2725a2c", "63c7400bf8c9bc20")]
    [InlineData("default", "timed", Side.Bitrix24, "a7d71bbfbeae141cee6a11c4d2725a2c", "a7d71bbfbeae141cee6a11c4d2725a2c", "362b52042416fea7")]
    [InlineData("default", "allday", Side.Outlook, "e2b2539bea67cd6a82a50e0a0624daa6", "e2b2539bea67cd6a82a50e0a0624daa6", "a5f9c981d2d50728")]
    [InlineData("default", "allday", Side.Bitrix24, "e2b2539bea67cd6a82a50e0a0624daa6", "e2b2539bea67cd6a82a50e0a0624daa6", "a5f9c981d2d50728")]
    [InlineData("default", "series", Side.Outlook, "f97a8f3436def06d9beb14d0486a9497", "357ca186645c4400f6efeb281c6449ab", "9eba559dcef06eaa")]
    [InlineData("default", "series", Side.Bitrix24, "357ca186645c4400f6efeb281c6449ab", "357ca186645c4400f6efeb281c6449ab", "4f1329b77d2d652e")]
    [InlineData("default", "edges", Side.Outlook, "3538e21464bdf20e0735f1c0c36d9a97", "2a283917fdf762f3ffc8b4a582edfc49", "f7dcd71bdc766b66")]
    [InlineData("default", "edges", Side.Bitrix24, "2a283917fdf762f3ffc8b4a582edfc49", "2a283917fdf762f3ffc8b4a582edfc49", "229a68a234994e84")]
    [InlineData("busy-only", "timed", Side.Outlook, "a302a5a4a70fc0e048c7512888d4f856", "167a2a08f12ce4ba102029979a154cf3", "89af75d8682a411a")]
    [InlineData("busy-only", "timed", Side.Bitrix24, "167a2a08f12ce4ba102029979a154cf3", "167a2a08f12ce4ba102029979a154cf3", "493bd51829001827")]
    [InlineData("busy-only", "allday", Side.Outlook, "f2af8aeb2b9a02d37586facfbe822170", "f2af8aeb2b9a02d37586facfbe822170", "a03b26f5cabdb3af")]
    [InlineData("busy-only", "allday", Side.Bitrix24, "f2af8aeb2b9a02d37586facfbe822170", "f2af8aeb2b9a02d37586facfbe822170", "a03b26f5cabdb3af")]
    [InlineData("busy-only", "series", Side.Outlook, "5eaedad4c8601306783e773b1dadb797", "6ed2f03accb09f4a635fb094262ed704", "c63b7bf5476a557e")]
    [InlineData("busy-only", "series", Side.Bitrix24, "6ed2f03accb09f4a635fb094262ed704", "6ed2f03accb09f4a635fb094262ed704", "8cbbe4abd084ba06")]
    [InlineData("busy-only", "edges", Side.Outlook, "625ea0846f6edbf4dddbbd86f1af7f02", "f48ef1b4dab1742024fd785adb028df3", "c68cd1f82bf0e77d")]
    [InlineData("busy-only", "edges", Side.Bitrix24, "f48ef1b4dab1742024fd785adb028df3", "f48ef1b4dab1742024fd785adb028df3", "c6edad4172c70cd4")]
    [InlineData("golden", "timed", Side.Outlook, "1d45cf07796dd043037b2578acae2fcf", "221708a5653c7c3d66846e2047ed0202", "741b808de77b00bc")]
    [InlineData("golden", "timed", Side.Bitrix24, "50e73f6262b9527742b02a0e2ab8be9e", "a6b51cf28d4f0fcf01ee3d18ab7368a6", "e79c058c4a1a7075")]
    [InlineData("golden", "allday", Side.Outlook, "713d08b0c88a2571a238f69d1cb9cc03", "2843dea3293645fc30e664756a97ad5a", "7d094251133cc4b9")]
    [InlineData("golden", "allday", Side.Bitrix24, "05dd47df8c94a82c9b4f5ae78bc48e11", "df23d9c0f2cc4efde838ecc72e8bd43b", "6860254a022aeb90")]
    [InlineData("golden", "series", Side.Outlook, "a260327b9d6c2393b33ee9a0851211c9", "a63293118776d40fef31dae5a2f59e0e", "b0a75f758d8e01f3")]
    [InlineData("golden", "series", Side.Bitrix24, "7c5ebdd2cf7ba200825f1feccfce844f", "9b94d98ef01eeab974997ff3755bab2d", "444c602edb68bf5c")]
    [InlineData("golden", "edges", Side.Outlook, "172d1b4cf40b4bbf7e81a9b2d28a15f2", "cafab6de4456de3dfee6987cdae156d2", "a21456ad0ba1f121")]
    [InlineData("golden", "edges", Side.Bitrix24, "55d54db3c014ca124a7e14f2c806fad4", "4f5f91eb55f86a206a542dcbc6d5f461", "47c9afc131bfb0ba")]
    public void Views_copies_and_match_keys_are_what_they_were(string profile, string name, Side side, string viewHash, string copyHash, string textDigest)
    {
        var projector = new Projector(Profile(profile));
        var e = Event(name);
        var view = projector.View(e, side);
        var copy = projector.Apply(e, side, null);
        var copyView = projector.View(copy, side.Other());
        var over = projector.Apply(e, side, Event("timed"));
        Assert.Equal(viewHash, view.Hash);
        Assert.Equal(viewHash, projector.Hash(e, side));
        Assert.Equal(copyHash, copyView.Hash);
        var text = string.Join("\n", view.Fields.Select(f => f.Key + "=" + f.Value)) + "\n" + view.MatchKey + "\n" + copyView.MatchKey + "\n"
            + System.Text.Json.JsonSerializer.Serialize(copy) + "\n" + System.Text.Json.JsonSerializer.Serialize(over) + "\n" + view + "\n" + e.Start + e.End;
        Assert.Equal(textDigest, Digest(text));
    }

    [Fact]
    public void Planned_creates_keep_their_transaction_ids_hashes_and_text()
    {
        var plan = Planner.Decide(new PlanInput
        {
            Definition = new SyncDefinition { Name = "golden" },
            Projector = new Projector(Profile("default")),
            Outlook = new[] { Event("timed"), Event("series") },
            Bitrix24 = new[] { Event("allday") with { Id = "17" }, Event("edges") with { Id = "18" } },
            Window = new SyncWindow(new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            Merge = InitialMerge.TwoWay,
        });
        var expected = new Dictionary<string, (string TransactionId, string DesiredHash, string TextDigest)>
        {
        ["Bitrix24:create:s1"] = ("4f3a5973-1395-4f77-60c1-33a37d39d9c9", "357ca186645c4400f6efeb281c6449ab", "b387ed62a6283005"),
        ["Bitrix24:create:t1"] = ("0c5fd457-330f-7d86-3be9-91451fc135b6", "a7d71bbfbeae141cee6a11c4d2725a2c", "ab3a57c33433a454"),
        ["Outlook:create:18"] = ("2d1ca069-2af2-a693-829f-c42cdd200631", "2a283917fdf762f3ffc8b4a582edfc49", "2fd17d205c9c7122"),
        ["Outlook:create:17"] = ("09ba72fe-8c4f-c6c0-0a26-68fe78ab3b6e", "e2b2539bea67cd6a82a50e0a0624daa6", "99ff88c8c8f33570"),
        };
        Assert.Equal(expected.Count, plan.Writes.Count);
        foreach (var write in plan.Writes)
            Assert.Equal(expected[write.OperationId], (write.TransactionId!, write.DesiredHash, Digest(write.ToString())));
        Assert.Equal("57cee1308b724d1f", Digest(plan.ToString()));
    }

    [Theory]
    [InlineData(2026, 3, 29, 1, 30, 5)]
    [InlineData(1, 1, 1, 0, 0, 0)]
    [InlineData(999, 2, 3, 4, 5, 6)]
    [InlineData(1970, 12, 31, 23, 59, 59)]
    [InlineData(9999, 12, 31, 23, 59, 59)]
    public void Times_are_written_as_the_format_strings_wrote_them(int year, int month, int day, int hour, int minute, int second)
    {
        var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", invariant) + " Asia/Kathmandu", EventTime.Timed(utc, "Asia/Kathmandu").ToString());
        Assert.Equal(utc.ToString("yyyy-MM-dd", invariant), EventTime.AllDay(utc).ToString());
    }
}
