using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CalSync.Sandbox.Bitrix24;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>Request journal, fault knobs, seeding and the /_sandbox control API.</summary>
public sealed class JournalAndControlTests
{
    private static object AddBody(string name) => new { type = "user", ownerId = 1, name, from = "2025-01-02", to = "2025-01-02", skip_time = "Y" };

    [Fact]
    public async Task Journal_records_requests_and_fires_after_each_applied_write_including_batch_sub_writes()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var seenAtWrite = new List<(string Path, int Events)>();
        b24.Service.Journal.WriteHandled += r => seenAtWrite.Add((r.PathAndQuery, b24.Service.GetEvents().Count));

        await b24.CallAsync("calendar.section.get", new { type = "user" });
        await b24.AddAsync(AddBody("single"));
        await b24.CallAsync("batch", new
        {
            cmd = new Dictionary<string, string>
            {
                ["a"] = "calendar.event.add?type=user&ownerId=1&name=a&from=2025-01-03&to=2025-01-03",
                ["read"] = "calendar.event.get?type=user&ownerId=1",
                ["b"] = "calendar.event.add?type=user&ownerId=1&name=b&from=2025-01-04&to=2025-01-04",
            },
        });

        var requests = b24.Service.Journal.Requests;
        Assert.Equal([false, true, true, true, true], requests.Select(r => r.IsWrite).ToArray());
        Assert.Contains("\"name\":\"single\"", requests[1].Body);
        Assert.Equal("BATCH", requests[3].Method);
        Assert.StartsWith("calendar.event.add?", requests[3].PathAndQuery);
        Assert.Equal(3, b24.Service.Journal.WriteCount);
        // Each write had been applied when the hook ran.
        Assert.Equal([1, 2, 3], seenAtWrite.Select(s => s.Events).ToArray());
    }

    [Fact]
    public async Task Fail_after_writes_refuses_further_writes_but_not_reads()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.Faults.FailAfterWrites = 1;
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.event.add", AddBody("first"))).Status);
        var refused = await b24.CallAsync("calendar.event.add", AddBody("second"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal("INTERNAL_SERVER_ERROR", refused.Error);
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1 })).Status);

        b24.Service.Faults.FailAfterWrites = 2;
        var batch = (await b24.CallAsync("batch", new { cmd = new[] {
            "calendar.event.add?type=user&ownerId=1&name=x&from=2025-01-05&to=2025-01-05",
            "calendar.event.add?type=user&ownerId=1&name=y&from=2025-01-05&to=2025-01-05" } })).Result!;
        // PHP keys: result holds only key 0 (a list), result_error only key 1 (an object).
        Assert.Single(batch["result"]!.AsArray());
        Assert.Equal("INTERNAL_SERVER_ERROR", (string?)batch["result_error"]!["1"]!["error"]);
        Assert.Equal(2, b24.Service.GetEvents().Count);
    }

    [Fact]
    public async Task Seeding_uses_the_add_path_and_validates_like_it()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = b24.Service.SeedEvent(new Dictionary<string, object?>
        {
            ["name"] = "Standup", ["from"] = "2024-12-02 09:30:00", ["to"] = "2024-12-02 09:45:00", ["timezone_from"] = "Europe/Berlin",
            ["rrule"] = new Dictionary<string, object?> { ["FREQ"] = "WEEKLY", ["BYDAY"] = new[] { "MO", "TU" } },
        });
        var stored = b24.Service.GetEvents().Single();
        Assert.Equal(id, stored.Id);
        Assert.Equal(b24.Service.DefaultSectionId, stored.SectionId);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday], stored.RecurrenceRule!.ByDay);
        var error = Assert.Throws<Bitrix24RestException>(() => b24.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "x" }));
        Assert.Equal("", error.Code);
        Assert.Empty(b24.Service.Journal.Requests); // in-process calls are not API traffic
    }

    [Fact]
    public async Task Control_api_reads_and_sets_knobs_resets_and_expires_tokens()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var control = b24.Service.BaseUrl + "/_sandbox/";
        var knobs = await b24.GetAsync(control + "faults");
        Assert.Equal(50, (int)knobs.Body!["burstLimit"]!);

        var set = await b24.SendAsync(HttpMethod.Post, control + "faults",
            new StringContent("""{"leakyBucketEnabled":true,"burstLimit":1,"latencyMs":5,"culture":"de"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(5), b24.Service.Faults.Latency);
        Assert.Equal("de", b24.Service.Culture);
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.section.get", new { type = "user" })).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await b24.CallAsync("calendar.section.get", new { type = "user" })).Status);

        await b24.CallAsync("calendar.event.add", AddBody("refused by the bucket"));
        var journal = await b24.GetAsync(control + "requests");
        Assert.Equal(3, journal.Body!.AsArray().Count); // control calls are not journaled
        Assert.Equal(HttpStatusCode.NoContent, (await b24.SendAsync(HttpMethod.Post, control + "reset", null)).Status);
        Assert.Equal("en", b24.Service.Culture);
        Assert.Empty(b24.Service.Journal.Requests);
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.section.get", new { type = "user" })).Status);

        var tokens = await b24.SendAsync(HttpMethod.Post, control + "oauth-tokens", null);
        var access = (string)tokens.Body!["access_token"]!;
        await b24.SendAsync(HttpMethod.Post, control + "expire-tokens", null);
        Assert.Equal("expired_token", (await b24.GetAsync(b24.Service.OAuthRestUrl + "calendar.section.get?type=user&auth=" + access)).Error);
    }

    [Fact]
    public async Task Server_error_knob_hits_the_api_but_not_the_control_api()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.Faults.ServerErrorRate = 1;
        var reply = await b24.CallAsync("calendar.section.get", new { type = "user" });
        Assert.Equal(HttpStatusCode.InternalServerError, reply.Status);
        Assert.Equal("""{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}""", reply.Body!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await b24.GetAsync(b24.Service.BaseUrl + "/_sandbox/faults")).Status);
    }

    [Fact]
    public async Task Dropped_connections_surface_as_transport_errors_and_form_bodies_are_journaled_decoded()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.Faults.DropRate = 1;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => b24.CallAsync("calendar.section.get", new { type = "user" }));
        b24.Service.Faults.DropRate = 0;

        await b24.PostFormAsync(b24.Service.WebhookUrl + "calendar.event.add", "type=user&ownerId=1&name=Caf%C3%A9+time&from=2025-01-02&to=2025-01-02");
        Assert.Equal("""{"type":"user","ownerId":"1","name":"Café time","from":"2025-01-02","to":"2025-01-02"}""", b24.Service.Journal.Requests[^1].Body);
    }

    [Fact]
    public async Task User_settings_report_the_user_zone_and_default_section()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var settings = (await b24.CallAsync("calendar.user.settings.get")).Result!;
        Assert.Equal("Europe/Berlin", (string?)settings["timezoneName"]);
        Assert.Equal(3600, (int)settings["timezoneOffsetUTC"]!);
        Assert.Equal(b24.Service.DefaultSectionId.ToString(), (string?)settings["meetSection"]);
    }
}
