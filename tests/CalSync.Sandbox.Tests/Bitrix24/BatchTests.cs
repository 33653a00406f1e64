using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>batch (docs/bitrix24-api.md, "Batch"): parse_str decoding, references, halt, the PHP-shaped result maps, limits.</summary>
public sealed class BatchTests
{
    [Fact]
    public async Task References_resolve_and_empty_maps_are_json_arrays()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var outlook = b24.Service.SeedSection("Outlook");
        b24.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "default", ["from"] = "2025-01-10", ["to"] = "2025-01-10", ["skip_time"] = "Y" });
        // The seeded section is second in section.get, so reference index 1.
        b24.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "outlook", ["from"] = "2025-01-10", ["to"] = "2025-01-10", ["skip_time"] = "Y", ["section"] = outlook });

        var reply = await b24.CallAsync("batch", new
        {
            halt = 0,
            cmd = new Dictionary<string, string>
            {
                ["sections"] = "calendar.section.get?type=user&ownerId=1",
                ["events"] = "calendar.event.get?type=user&ownerId=1&from=2025-01-01&to=2025-01-31&section[]=$result[sections][1][ID]",
            },
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var result = reply.Result!.AsObject();
        Assert.Equal(["result", "result_error", "result_total", "result_next", "result_time"], result.Select(p => p.Key).ToArray());
        Assert.Equal(["outlook"], result["result"]!["events"]!.AsArray().Select(e => (string)e!["NAME"]!).ToArray());
        Assert.Equal("[]", result["result_error"]!.ToJsonString());
        Assert.Equal("[]", result["result_total"]!.ToJsonString());
        Assert.Equal("[]", result["result_next"]!.ToJsonString());
        Assert.Equal(["start", "finish", "duration", "processing", "date_start", "date_finish"],
            result["result_time"]!["events"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.NotNull(reply.Body!["time"]);
    }

    [Fact]
    public async Task Plus_in_a_command_is_a_space_and_percent_2B_is_a_plus()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.CallAsync("batch", new
        {
            cmd = new Dictionary<string, string>
            {
                ["raw"] = "calendar.event.add?type=user&ownerId=1&name=A+B&from=2025-03-20T15:00:00+02:00&to=2025-03-20T16:00:00+02:00",
                ["encoded"] = "calendar.event.add?type=user&ownerId=1&name=A%2BB&from=2025-03-20T15%3A00%3A00%2B02%3A00&to=2025-03-20T16%3A00%3A00%2B02%3A00&color=%239cbe1c",
            },
        });

        var result = reply.Result!;
        JsonAssert.String("", result["result_error"]!["raw"]!["error"]);
        JsonAssert.String("Invalid parameter value for \"from\"", result["result_error"]!["raw"]!["error_description"]);
        var id = result["result"]!["encoded"]!.GetValue<int>();
        var e = (await b24.GetByIdAsync(id))!;
        JsonAssert.String("A+B", e["NAME"]);
        JsonAssert.String("#9cbe1c", e["COLOR"]);
        // 13:00Z shifted by Berlin's current (December) offset.
        JsonAssert.String("03/20/2025 02:00:00 pm", e["DATE_FROM"]);
    }

    [Fact]
    public async Task Numeric_keys_give_json_array_maps()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.CallAsync("batch", new { cmd = new[] { "calendar.section.get?type=user", "calendar.event.getbyid?id=999999" } });
        var result = reply.Result!;
        JsonAssert.Kind(JsonValueKind.Array, result["result"]);
        Assert.Equal(2, result["result"]!.AsArray().Count);
        JsonAssert.Kind(JsonValueKind.Null, result["result"]![1]);
        JsonAssert.Kind(JsonValueKind.Array, result["result_time"]);
    }

    [Fact]
    public async Task Halt_stops_at_the_first_error_and_later_commands_are_absent()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var cmd = new Dictionary<string, string>
        {
            ["bad"] = "calendar.event.add?type=user&ownerId=1&from=2025-01-01&to=2025-01-01",
            ["good"] = "calendar.section.get?type=user",
        };

        var halted = (await b24.CallAsync("batch", new { halt = 1, cmd })).Result!;
        Assert.Equal("[]", halted["result"]!.ToJsonString());
        Assert.Equal(["bad"], halted["result_error"]!.AsObject().Select(p => p.Key).ToArray());
        Assert.Equal("", (string?)halted["result_error"]!["bad"]!["error"]);

        var continued = (await b24.CallAsync("batch", new { halt = 0, cmd })).Result!;
        Assert.Equal(["good"], continued["result"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task More_than_50_commands_and_nested_batch_are_refused_per_command()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var cmd = Enumerable.Range(0, 52).ToDictionary(i => "c" + i, _ => "calendar.section.get?type=user");
        cmd["c1"] = "batch?cmd[x]=calendar.section.get";
        var result = (await b24.CallAsync("batch", new { cmd })).Result!;

        Assert.Equal(49, result["result"]!.AsObject().Count);
        Assert.Equal("ERROR_BATCH_METHOD_NOT_ALLOWED", (string?)result["result_error"]!["c1"]!["error"]);
        Assert.Equal("""{"error":"ERROR_BATCH_LENGTH_EXCEEDED","error_description":"Max batch length exceeded"}""", result["result_error"]!["c50"]!.ToJsonString());
        Assert.NotNull(result["result_error"]!["c51"]);
    }

    [Fact]
    public async Task Form_encoded_batch_is_double_decoded()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var inner = Uri.EscapeDataString("calendar.event.add?type=user&ownerId=1&name=" + Uri.EscapeDataString("x+y") + "&from=2025-01-02&to=2025-01-02&skip_time=Y");
        var reply = await b24.PostFormAsync(b24.Service.WebhookUrl + "batch", "HALT=1&CMD[add]=" + inner);
        var id = reply.Result!["result"]!["add"]!.GetValue<int>();
        JsonAssert.String("x+y", (await b24.GetByIdAsync(id))!["NAME"]);
    }

    [Fact]
    public async Task Inner_calls_inherit_the_scope_check()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.WebhookScopes = ["user"];
        var result = (await b24.CallAsync("batch", new { cmd = new { get_events = "calendar.event.get?type=user" } })).Result!;
        Assert.Equal("insufficient_scope", (string?)result["result_error"]!["get_events"]!["error"]);
    }
}
