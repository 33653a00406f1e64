using Xunit;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>docs/bitrix24-api.md, "Transport: routes and parameters", "The answer envelope", "Authentication errors".</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task Success_envelope_has_result_and_the_documented_time_object()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.CallAsync("calendar.section.get", new { type = "user", ownerId = 1 });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.Raw.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", reply.Raw.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var time = reply.Body!["time"]!.AsObject();
        Assert.Equal(["start", "finish", "duration", "processing", "date_start", "date_finish", "operating_reset_at", "operating"],
            time.Select(p => p.Key).ToArray());
        JsonAssert.Kind(JsonValueKind.Number, time["start"]);
        Assert.Equal(Bitrix24TestPortal.DefaultNow.ToUnixTimeSeconds(), (long)time["start"]!.GetValue<double>());
        Assert.Equal("2024-12-01T09:00:00+00:00", (string?)time["date_start"]);
        Assert.Null(reply.Body["total"]); // calendar lists are not paged
    }

    [Fact]
    public async Task Date_start_uses_the_server_zone()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(serverZone: "Europe/Moscow");
        var reply = await b24.CallAsync("calendar.section.get", new { type = "user" });
        Assert.Equal("2024-12-01T12:00:00+03:00", (string?)reply.Body!["time"]!["date_start"]);
    }

    [Fact]
    public async Task Calendar_business_error_has_empty_code_status_400_and_no_time()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.CallAsync("calendar.event.add", new { type = "user", ownerId = 1, from = "2024-12-11 10:00:00", to = "2024-12-11 11:00:00" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("", reply.Error);
        Assert.Equal("The mandatory parameter \"name\" is not specified for the method \"calendar.event.add\"", reply.Description);
        Assert.Equal(["error", "error_description"], reply.Body!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task Business_errors_are_localized_for_a_german_portal()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync(culture: "de");
        var reply = await b24.CallAsync("calendar.event.get", new { ownerId = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("", reply.Error);
        Assert.Equal("Der erforderliche Parameter \"type\" für die Methode \"calendar.event.get\" ist nicht angegeben", reply.Description);
    }

    [Fact]
    public async Task Webhook_route_accepts_json_suffix_and_get_with_php_query()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.GetAsync(b24.Service.WebhookUrl + "calendar.section.get.json?type=user&ownerId=1");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Single(reply.Result!.AsArray());
    }

    [Fact]
    public async Task Unknown_method_is_404_method_not_found()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.CallAsync("calendar.event.teleport");
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("ERROR_METHOD_NOT_FOUND", reply.Error);
        Assert.Equal("Method not found!", reply.Description);
    }

    [Fact]
    public async Task Wrong_webhook_secret_or_user_is_invalid_credentials_with_configurable_status()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var wrongSecret = await b24.GetAsync($"{b24.Service.BaseUrl}/rest/1/notthesecret/calendar.section.get?type=user");
        var wrongUser = await b24.GetAsync($"{b24.Service.BaseUrl}/rest/2/{b24.Service.WebhookSecret}/calendar.section.get?type=user");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal("INVALID_CREDENTIALS", wrongSecret.Error);
        Assert.Equal("Invalid request credentials", wrongSecret.Description);
        Assert.Equal("INVALID_CREDENTIALS", wrongUser.Error);

        b24.Service.Limits.AuthErrorStatus = 403;
        var forbidden = await b24.GetAsync($"{b24.Service.BaseUrl}/rest/1/notthesecret/calendar.section.get?type=user");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
    }

    [Fact]
    public async Task Revoked_webhook_stops_working()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await b24.CallAsync("calendar.section.get", new { type = "user" })).Status);
        b24.Service.RevokeWebhook();
        var reply = await b24.CallAsync("calendar.section.get", new { type = "user" });
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("INVALID_CREDENTIALS", reply.Error);
    }

    [Fact]
    public async Task Webhook_without_calendar_scope_gets_insufficient_scope()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        b24.Service.WebhookScopes = ["user", "crm"];
        var reply = await b24.CallAsync("calendar.event.get", new { type = "user", ownerId = 1 });
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("insufficient_scope", reply.Error);
        Assert.Equal("The request requires higher privileges than provided by the webhook token", reply.Description);
    }

    [Fact]
    public async Task Oauth_route_without_auth_is_no_auth_found()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.GetAsync(b24.Service.OAuthRestUrl + "calendar.section.get?type=user");
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("NO_AUTH_FOUND", reply.Error);
        Assert.Equal("Wrong authorization data", reply.Description);
    }

    [Fact]
    public async Task Json_body_is_read_only_for_application_json()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var body = """{"type":"user","ownerId":1,"name":"x","from":"2024-12-11 10:00:00","to":"2024-12-11 11:00:00"}""";

        var asText = await b24.PostRawAsync(b24.Service.WebhookUrl + "calendar.event.add", body, "text/plain");
        Assert.Equal(HttpStatusCode.BadRequest, asText.Status);
        Assert.Equal("The mandatory parameter \"from\" is not specified for the method \"calendar.event.add\"", asText.Description);

        var withCharset = await b24.PostRawAsync(b24.Service.WebhookUrl + "calendar.event.add", body, "application/json; charset=utf-8");
        Assert.Equal(HttpStatusCode.OK, withCharset.Status);
    }

    [Fact]
    public async Task Invalid_json_is_silently_empty_params()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.PostRawAsync(b24.Service.WebhookUrl + "calendar.event.get", "{\"type\":\"user\",", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("", reply.Error);
        Assert.Contains("\"type\"", reply.Description);
    }

    [Fact]
    public async Task Form_body_uses_parse_str_nesting_and_plus_as_space()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var form = "type=user&ownerId=1&name=Team+sync%2B1&from=2024-12-02+10%3A00%3A00&to=2024-12-02+11%3A00%3A00" +
                   "&timezone_from=Europe%2FBerlin&rrule[FREQ]=WEEKLY&rrule[BYDAY][]=MO&rrule[BYDAY][]=WE&rrule[COUNT]=4" +
                   "&remind[0][type]=min&remind[0][count]=15&color=%239cbe1c";
        var reply = await b24.PostFormAsync(b24.Service.WebhookUrl + "calendar.event.add", form);
        Assert.Equal(HttpStatusCode.OK, reply.Status);

        var e = (await b24.GetByIdAsync(reply.Result!.GetValue<int>()))!;
        Assert.Equal("Team sync+1", (string?)e["NAME"]);
        Assert.Equal("#9cbe1c", (string?)e["COLOR"]);
        Assert.Equal("""{"MO":"MO","WE":"WE"}""", e["RRULE"]!["BYDAY"]!.ToJsonString());
        Assert.Equal(4, (int)e["RRULE"]!["COUNT"]!);
        Assert.Equal("""[{"type":"min","count":15}]""", e["REMIND"]!.ToJsonString());
    }

    [Fact]
    public async Task Json_body_overrides_query_parameters()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var reply = await b24.SendAsync(HttpMethod.Post, b24.Service.WebhookUrl + "calendar.section.get?type=group&ownerId=5",
            Bitrix24TestPortal.Json(new { type = "user", ownerId = 1 }));
        Assert.Single(reply.Result!.AsArray());
    }
}
