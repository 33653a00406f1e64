using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>Wire-level fidelity: error bodies, auth, throttling, routing and id escaping, Prefer, $batch, control API.</summary>
public sealed class GraphRawHttpTests(GraphFixture fixture) : IClassFixture<GraphFixture>
{
    private static string Escaped(string id) => Uri.EscapeDataString(id);

    [Fact]
    public async Task Missing_or_expired_bearer_token_gets_401_InvalidAuthenticationToken()
    {
        var anonymous = await fixture.Http.GetAsync("me");
        Assert.Equal(401, (int)anonymous.StatusCode);
        var body = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!;
        Assert.Equal("InvalidAuthenticationToken", body["error"]!["code"]!.GetValue<string>());

        var old = fixture.Service.AccessToken;
        fixture.Service.ExpireAccessTokens();
        using var stale = new HttpRequestMessage(HttpMethod.Get, "me");
        stale.Headers.Authorization = new AuthenticationHeaderValue("Bearer", old);
        var expired = JsonNode.Parse(await (await fixture.Http.SendAsync(stale)).Content.ReadAsStringAsync())!;
        Assert.Equal("Lifetime validation failed, the token is expired.", expired["error"]!["message"]!.GetValue<string>());
        Assert.Equal(200, (await fixture.GetAsync("me")).Status); // the fixture uses the new token
    }

    [Fact]
    public async Task Not_found_body_has_the_documented_shape_and_echoes_client_request_id()
    {
        var clientRequestId = Guid.NewGuid().ToString();
        var (status, body, response) = await fixture.GetAsync("me/events/" + Escaped("AQMkADAwATNiZmYAZC1nope/nope+nope=="),
            r => r.Headers.Add("client-request-id", clientRequestId));
        Assert.Equal(404, status);
        var error = body!["error"]!;
        Assert.Equal("ErrorItemNotFound", error["code"]!.GetValue<string>());
        Assert.Equal("The specified object was not found in the store.", error["message"]!.GetValue<string>());
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$"), error["innerError"]!["date"]!.GetValue<string>());
        Assert.Equal(clientRequestId, error["innerError"]!["client-request-id"]!.GetValue<string>());
        Assert.Equal(response.Headers.GetValues("request-id").Single(), error["innerError"]!["request-id"]!.GetValue<string>());

        var (malformedStatus, malformed, _) = await fixture.GetAsync("me/events/short");
        Assert.Equal(400, malformedStatus);
        Assert.Equal("ErrorInvalidIdMalformed", malformed!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Calendar_view_without_a_window_is_ErrorInvalidParameter_and_unknown_body_properties_are_rejected()
    {
        var (status, body, _) = await fixture.GetAsync("me/calendarView");
        Assert.Equal(400, status);
        Assert.Equal("ErrorInvalidParameter", body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
            body["error"]!["message"]!.GetValue<string>());

        var (badStatus, bad, _) = await fixture.SendAsync(HttpMethod.Post, "me/events", GraphFixture.EventJson("x", new DateTime(2031, 1, 1), extra: "\"colour\":\"red\""));
        Assert.Equal(400, badStatus);
        Assert.Equal("RequestBodyRead", bad!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ids_with_slash_plus_and_equals_survive_escaped_paths_and_unescaped_batch_urls()
    {
        var id = fixture.Service.SeedEvent(GraphFixture.EventJson("escaped", new DateTime(2031, 2, 3, 9, 0, 0)));
        Assert.Matches("[/+=]", id);
        var (status, body, _) = await fixture.GetAsync("me/events/" + Escaped(id));
        Assert.Equal(200, status);
        Assert.Equal(id, body!["id"]!.GetValue<string>());

        // The SDK's batch serializer writes ids unescaped inside inner urls.
        var batch = new JsonObject
        {
            ["requests"] = new JsonArray(
                new JsonObject { ["id"] = "1", ["method"] = "GET", ["url"] = "/me/events/" + id },
                new JsonObject { ["id"] = "2", ["method"] = "PATCH", ["url"] = "/me/events/" + id, ["headers"] = new JsonObject { ["Content-Type"] = "application/json" }, ["body"] = new JsonObject { ["subject"] = "patched in batch" } }),
        };
        var (batchStatus, responses, _) = await fixture.SendAsync(HttpMethod.Post, "$batch", batch.ToJsonString());
        Assert.Equal(200, batchStatus);
        Assert.Equal([200, 200], responses!["responses"]!.AsArray().Select(r => r!["status"]!.GetValue<int>()));
        Assert.Equal("patched in batch", responses["responses"]![1]!["body"]!["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Routes_and_query_names_are_case_insensitive_and_all_delta_spellings_work()
    {
        var calendarId = fixture.Service.GetCalendars()[0].Id;
        var window = "STARTDATETIME=2031-03-01T00:00:00Z&enddatetime=2031-03-02T00:00:00Z";
        foreach (var path in new[]
                 {
                     "ME/CALENDARVIEW/DELTA", "me/calendarView/delta()", "me/calendarView/microsoft.graph.delta",
                     $"me/calendars/{Escaped(calendarId)}/calendarView/delta", $"users/{fixture.Service.UserId}/calendarView/delta",
                 })
        {
            var (status, body, response) = await fixture.GetAsync(path + "?" + window);
            Assert.True(status == 200, path);
            Assert.NotNull(body!["@odata.deltaLink"]);
            Assert.Contains("odata.track-changes", response.Headers.GetValues("Preference-Applied").Single());
        }
        var (selectStatus, _, _) = await fixture.GetAsync("me/calendarView/delta?" + window + "&$select=subject");
        Assert.Equal(400, selectStatus);
        var (topStatus, top, _) = await fixture.GetAsync("me/calendars?%24top=1");
        Assert.Equal(200, topStatus);
        Assert.Single(top!["value"]!.AsArray());
    }

    [Fact]
    public async Task Prefer_header_values_are_split_outside_quotes_and_acknowledged()
    {
        var id = fixture.Service.SeedEvent(GraphFixture.EventJson("prefer", new DateTime(2031, 4, 7, 12, 0, 0)));
        var (_, body, response) = await fixture.GetAsync("me/events/" + Escaped(id),
            r => r.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=5, outlook.timezone=\"W. Europe Standard Time\", outlook.body-content-type=\"text\""));
        Assert.Equal("2031-04-07T14:00:00.0000000", body!["start"]!["dateTime"]!.GetValue<string>());
        Assert.Equal("W. Europe Standard Time", body["start"]!["timeZone"]!.GetValue<string>());
        var applied = response.Headers.GetValues("Preference-Applied").Single();
        Assert.Contains("outlook.timezone=\"W. Europe Standard Time\"", applied);
        Assert.Contains("outlook.body-content-type=\"text\"", applied);
    }

    [Fact]
    public async Task Forced_and_rate_limit_throttling_answer_429_with_integer_retry_after()
    {
        fixture.Service.ThrottleNext(1, 7);
        var (status, body, response) = await fixture.GetAsync("me");
        Assert.Equal(429, status);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("TooManyRequests", body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("429", body["error"]!["innerError"]!["code"]!.GetValue<string>());
        Assert.Equal(200, (await fixture.GetAsync("me")).Status);

        fixture.Service.ThrottleRequestLimit = 3;
        fixture.Service.ThrottleWindow = TimeSpan.FromMinutes(10);
        try
        {
            var statuses = new List<int>();
            for (var i = 0; i < 5; i++) statuses.Add((await fixture.GetAsync("me")).Status);
            Assert.Contains(429, statuses);
            var limited = await fixture.GetAsync("me");
            Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single()) > 500);
        }
        finally
        {
            fixture.Service.ThrottleRequestLimit = 10_000;
            fixture.Service.Reset();
        }
    }

    [Fact]
    public async Task More_than_four_concurrent_requests_get_ApplicationThrottled_and_batches_run_at_most_four_inner_requests()
    {
        // Four requests are held in the service before two more are sent, so a slow machine cannot let one finish first.
        fixture.Service.OperationLatency = TimeSpan.FromSeconds(3);
        try
        {
            var admitted = Enumerable.Range(0, 4).Select(_ => fixture.GetAsync("me")).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (fixture.Service.RequestsInFlight < 4 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.Equal(4, fixture.Service.RequestsInFlight);
            var throttled = (await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => fixture.GetAsync("me")))).ToList();
            Assert.All(await Task.WhenAll(admitted), r => Assert.Equal(200, r.Status));
            Assert.All(throttled, r => Assert.Equal(429, r.Status));
            Assert.All(throttled, r => Assert.Equal("ApplicationThrottled", r.Body!["error"]!["code"]!.GetValue<string>()));
            Assert.Equal("Application is over its MailboxConcurrency limit.", throttled[0].Body!["error"]!["message"]!.GetValue<string>());

            fixture.Service.Reset();
            fixture.Service.OperationLatency = TimeSpan.FromMilliseconds(500);
            var batch = new JsonObject
            {
                ["requests"] = new JsonArray(Enumerable.Range(1, 8).Select(i => (JsonNode)new JsonObject { ["id"] = i.ToString(), ["method"] = "GET", ["url"] = "/me" }).ToArray()),
            };
            var (status, responses, _) = await fixture.SendAsync(HttpMethod.Post, "$batch", batch.ToJsonString());
            Assert.Equal(200, status);
            Assert.All(responses!["responses"]!.AsArray(), r => Assert.Equal(200, r!["status"]!.GetValue<int>()));
            Assert.Equal(4, fixture.Service.MaxObservedConcurrency);
        }
        finally
        {
            fixture.Service.Reset();
        }
    }

    [Fact]
    public async Task Batch_limits_dependencies_and_inner_throttling()
    {
        JsonObject Get(string id, params string[] dependsOn) => new()
        {
            ["id"] = id, ["method"] = "GET", ["url"] = id == "bad" ? "/me/events/AQMkADAwATNiZmYAZC1missing+missing==" : "/me",
            ["dependsOn"] = new JsonArray(dependsOn.Select(d => (JsonNode)d).ToArray()),
        };
        var tooMany = new JsonObject { ["requests"] = new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode)Get("r" + i)).ToArray()) };
        Assert.Equal(400, (await fixture.SendAsync(HttpMethod.Post, "$batch", tooMany.ToJsonString())).Status);
        var duplicate = new JsonObject { ["requests"] = new JsonArray(Get("a"), Get("A")) };
        Assert.Equal(400, (await fixture.SendAsync(HttpMethod.Post, "$batch", duplicate.ToJsonString())).Status);

        var chained = new JsonObject { ["requests"] = new JsonArray(Get("bad"), Get("after", "bad"), Get("free")) };
        var (status, body, _) = await fixture.SendAsync(HttpMethod.Post, "$batch", chained.ToJsonString());
        Assert.Equal(200, status);
        var byId = body!["responses"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!["status"]!.GetValue<int>());
        Assert.Equal(404, byId["bad"]);
        Assert.Equal(424, byId["after"]);
        Assert.Equal(200, byId["free"]);

        fixture.Service.ThrottleNext(1, 3);
        var (_, throttled, _) = await fixture.SendAsync(HttpMethod.Post, "$batch", new JsonObject { ["requests"] = new JsonArray(Get("only")) }.ToJsonString());
        var inner = throttled!["responses"]![0]!;
        Assert.Equal(429, inner["status"]!.GetValue<int>());
        Assert.Equal("3", inner["headers"]!["Retry-After"]!.GetValue<string>());
    }

    [Fact]
    public async Task Journal_marks_writes_including_inner_batch_writes_and_the_control_api_sets_knobs()
    {
        using var control = new HttpClient();
        var handled = new List<string>();
        void OnWrite(CalSync.Sandbox.RecordedRequest r) { lock (handled) handled.Add(r.Method + " " + r.PathAndQuery); }
        fixture.Service.Journal.WriteHandled += OnWrite;
        try
        {
            await fixture.SendAsync(HttpMethod.Post, "me/events", GraphFixture.EventJson("journal", new DateTime(2031, 5, 5, 9, 0, 0)));
            var batch = new JsonObject
            {
                ["requests"] = new JsonArray(new JsonObject
                {
                    ["id"] = "1", ["method"] = "POST", ["url"] = "/me/events", ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    ["body"] = JsonNode.Parse(GraphFixture.EventJson("journal batch", new DateTime(2031, 5, 5, 11, 0, 0))),
                }),
            };
            await fixture.SendAsync(HttpMethod.Post, "$batch", batch.ToJsonString());
            Assert.Equal(["POST /v1.0/me/events", "POST /v1.0/me/events"], handled);

            var journal = JsonNode.Parse(await control.GetStringAsync(fixture.Service.ControlUrl + "/requests"))!.AsArray();
            Assert.Contains(journal, r => r!["pathAndQuery"]!.GetValue<string>() == "/v1.0/$batch" && !r["isWrite"]!.GetValue<bool>());

            // Fail after N writes through the control API: the next write is answered 503.
            var set = await control.PostAsync(fixture.Service.ControlUrl + "/faults", new StringContent($"{{\"failAfterWrites\":{fixture.Service.Journal.WriteCount}}}"));
            Assert.Equal(200, (int)set.StatusCode);
            var (failed, _, _) = await fixture.SendAsync(HttpMethod.Post, "me/events", GraphFixture.EventJson("refused", new DateTime(2031, 5, 6, 9, 0, 0)));
            Assert.Equal(503, failed);
            await control.PostAsync(fixture.Service.ControlUrl + "/reset", null);
            Assert.Null(fixture.Service.Faults.FailAfterWrites);
        }
        finally
        {
            fixture.Service.Journal.WriteHandled -= OnWrite;
            fixture.Service.Reset();
        }
    }

    [Fact]
    public async Task Delta_tokens_expire_by_lifetime_and_thin_occurrences_are_configurable()
    {
        fixture.Service.SeedEvent(GraphFixture.EventJson("series", new DateTime(2031, 6, 2, 9, 0, 0), extra:
            "\"recurrence\":{\"pattern\":{\"type\":\"daily\",\"interval\":1},\"range\":{\"type\":\"numbered\",\"startDate\":\"2031-06-02\",\"numberOfOccurrences\":2}}"));
        fixture.Service.ThinOccurrences = true;
        fixture.Service.DeltaTokenLifetime = TimeSpan.FromMilliseconds(200);
        try
        {
            var (_, body, _) = await fixture.GetAsync("me/calendarView/delta?startDateTime=2031-06-01T00:00:00Z&endDateTime=2031-06-05T00:00:00Z");
            var occurrence = body!["value"]![0]!.AsObject();
            Assert.Equal(["@odata.type", "@odata.etag", "id", "seriesMasterId", "type", "start", "end"], occurrence.Select(p => p.Key));
            await Task.Delay(300);
            var (status, expired, _) = await fixture.GetAsync(body["@odata.deltaLink"]!.GetValue<string>());
            Assert.Equal(410, status);
            Assert.Equal("SyncStateNotFound", expired!["error"]!["code"]!.GetValue<string>());
        }
        finally
        {
            fixture.Service.Reset();
        }
    }

    [Fact]
    public async Task Delta_pages_name_their_link_before_value_as_documented_and_after_it_when_asked()
    {
        for (var day = 1; day <= 3; day++) fixture.Service.SeedEvent(GraphFixture.EventJson("order " + day, new DateTime(2032, 7, day, 9, 0, 0)));
        var first = "me/calendarView/delta?" + GraphFixture.Window(new DateTime(2032, 7, 1), new DateTime(2032, 7, 10));
        async Task<List<string[]>> RoundAsync()
        {
            var shapes = new List<string[]>();
            for (var link = first; link is not null;)
            {
                var (status, body, _) = await fixture.GetAsync(link, r => r.Headers.Add("Prefer", "odata.maxpagesize=2"));
                Assert.Equal(200, status);
                var page = body!.AsObject();
                shapes.Add(page.Select(p => p.Key).ToArray());
                link = page["@odata.nextLink"]?.GetValue<string>();
            }
            return shapes;
        }
        try
        {
            // docs/graph-api.md, "Delta pages": a client can request the next page before it reads this page's items.
            Assert.Equal([["@odata.context", "@odata.nextLink", "value"], ["@odata.context", "@odata.deltaLink", "value"]], await RoundAsync());
            fixture.Service.DeltaLinksAfterValue = true;
            Assert.Equal([["@odata.context", "value", "@odata.nextLink"], ["@odata.context", "value", "@odata.deltaLink"]], await RoundAsync());
        }
        finally
        {
            fixture.Service.Reset();
        }
    }

    [Fact]
    public async Task Open_extensions_round_trip_and_stale_if_match_gets_412_when_enforced()
    {
        var id = Uri.EscapeDataString(fixture.Service.SeedEvent(GraphFixture.EventJson("ext", new DateTime(2031, 7, 7, 9, 0, 0))));
        var (created, extension, _) = await fixture.SendAsync(HttpMethod.Post, $"me/events/{id}/extensions",
            """{"@odata.type":"microsoft.graph.openTypeExtension","extensionName":"Com.CalSync.Link","bitrixId":"42"}""");
        Assert.Equal(201, created);
        Assert.Equal("Microsoft.OutlookServices.OpenTypeExtension.Com.CalSync.Link", extension!["id"]!.GetValue<string>());
        var (_, expanded, _) = await fixture.GetAsync($"me/events/{id}?$expand=extensions($filter=id eq 'Com.CalSync.Link')");
        Assert.Equal("42", expanded!["extensions"]![0]!["bitrixId"]!.GetValue<string>());

        fixture.Service.EnforceIfMatch = true;
        try
        {
            var (status, body, _) = await fixture.SendAsync(HttpMethod.Patch, $"me/events/{id}", """{"subject":"x"}""",
                r => r.Headers.TryAddWithoutValidation("If-Match", "W/\"stale\""));
            Assert.Equal(412, status);
            Assert.Equal("ErrorIrresolvableConflict", body!["error"]!["code"]!.GetValue<string>());
            var etag = expanded["@odata.etag"]!.GetValue<string>();
            var (ok, _, _) = await fixture.SendAsync(HttpMethod.Patch, $"me/events/{id}", """{"subject":"x"}""", r => r.Headers.TryAddWithoutValidation("If-Match", etag));
            Assert.Equal(200, ok);
        }
        finally
        {
            fixture.Service.Reset();
        }
    }
}
