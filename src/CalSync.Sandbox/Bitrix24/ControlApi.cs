using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// <c>/_sandbox/</c> on the service's port, for tests that drive the stand-in from another process:
/// <c>GET|POST faults</c> (JSON of all knobs; POST changes only the keys it names), <c>GET requests</c>,
/// <c>GET events</c>, <c>GET info</c>, <c>POST reset</c>, <c>POST expire-tokens</c>, <c>POST revoke-refresh-tokens</c>,
/// <c>POST revoke-webhook</c>, <c>POST restore-webhook</c>, <c>POST oauth-tokens</c>.
/// Not subject to faults, limits or the journal.
/// </summary>
internal sealed class ControlApi(Bitrix24Service service)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task HandleAsync(HttpContext context, string action)
    {
        var method = context.Request.Method;
        switch (action, method)
        {
            case ("faults", "GET"):
                await Bitrix24Service.WriteAsync(context, 200, Knobs());
                break;
            case ("faults", "POST"):
                try
                {
                    var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
                    Apply(body ?? new JsonObject());
                }
                catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
                {
                    await Bitrix24Service.WriteAsync(context, 400, new JsonObject { ["error"] = e.Message });
                    break;
                }
                await Bitrix24Service.WriteAsync(context, 200, Knobs());
                break;
            case ("sections", "GET"):
                await Bitrix24Service.WriteAsync(context, 200, new JsonArray(service.GetSections().Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["name"] = s.Name }).ToArray()));
                break;
            case ("requests", "GET"):
                await Bitrix24Service.WriteAsync(context, 200, JsonSerializer.SerializeToNode(service.Journal.Requests, Json));
                break;
            case ("events", "GET"):
                var includeDeleted = context.Request.Query["includeDeleted"] is var d && (d == "true" || d == "1");
                await Bitrix24Service.WriteAsync(context, 200, JsonSerializer.SerializeToNode(service.GetEvents(includeDeleted), Json));
                break;
            case ("info", "GET"):
                await Bitrix24Service.WriteAsync(context, 200, new JsonObject
                {
                    ["webhookUrl"] = service.WebhookUrl,
                    ["userId"] = service.UserId,
                    ["defaultSectionId"] = service.DefaultSectionId,
                    ["clientId"] = service.ClientId,
                    ["clientSecret"] = service.ClientSecret,
                    ["oauthRestUrl"] = service.OAuthRestUrl,
                    ["oauthTokenUrl"] = service.OAuthTokenUrl,
                });
                break;
            case ("oauth-tokens", "POST"):
                var (access, refresh) = service.IssueOAuthTokens();
                await Bitrix24Service.WriteAsync(context, 200, new JsonObject { ["access_token"] = access, ["refresh_token"] = refresh });
                break;
            case ("reset", "POST"):
                service.Reset();
                await NoContent(context);
                break;
            case ("expire-tokens", "POST"):
                service.ExpireAccessTokens();
                await NoContent(context);
                break;
            case ("revoke-refresh-tokens", "POST"):
                service.RevokeRefreshTokens();
                await NoContent(context);
                break;
            case ("revoke-webhook", "POST"):
                service.RevokeWebhook();
                await NoContent(context);
                break;
            case ("restore-webhook", "POST"):
                service.RestoreWebhook();
                await NoContent(context);
                break;
            default:
                await Bitrix24Service.WriteAsync(context, 404, new JsonObject { ["error"] = $"unknown control endpoint {method} /_sandbox/{action}" });
                break;
        }
    }

    private static Task NoContent(HttpContext context)
    {
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private JsonObject Knobs()
    {
        var f = service.Faults;
        var l = service.Limits;
        return new JsonObject
        {
            ["latencyMs"] = f.Latency.TotalMilliseconds,
            ["serverErrorRate"] = f.ServerErrorRate,
            ["stallRate"] = f.StallRate,
            ["stallDurationMs"] = f.StallDuration.TotalMilliseconds,
            ["dropRate"] = f.DropRate,
            ["failAfterWrites"] = f.FailAfterWrites,
            ["leakyBucketEnabled"] = l.LeakyBucketEnabled,
            ["burstLimit"] = l.BurstLimit,
            ["drainPerSecond"] = l.DrainPerSecond,
            ["operatingLimitEnabled"] = l.OperatingLimitEnabled,
            ["operatingLimitSeconds"] = l.OperatingLimit.TotalSeconds,
            ["simulatedProcessingMs"] = l.SimulatedProcessingTime.TotalMilliseconds,
            ["authErrorStatus"] = l.AuthErrorStatus,
            ["forceQueryLimit"] = service.ForcedQueryLimitRemaining,
            ["culture"] = service.Culture,
            ["serverTimeZone"] = service.ServerTimeZone,
            ["webhookRevoked"] = service.WebhookRevoked,
            ["webhookScopes"] = new JsonArray(service.WebhookScopes.Select(s => (JsonNode)s).ToArray()),
            ["browserSignInDeclines"] = service.BrowserSignInDeclines,
            ["updateKeepsSkipTime"] = service.UpdateKeepsSkipTime,
            ["updateKeepsZones"] = service.UpdateKeepsZones,
            ["thisModeTakesRemind"] = service.ThisModeTakesRemind,
            ["timestampXZone"] = service.TimestampXZone,
            ["eventDateFormat"] = service.EventDateFormat,
            ["batchIgnoresResultReferences"] = service.BatchIgnoresResultReferences,
            ["queryLimitAs429"] = service.QueryLimitAs429,
        };
    }

    private void Apply(JsonObject body)
    {
        var f = service.Faults;
        var l = service.Limits;
        foreach (var (key, value) in body)
        {
            switch (key)
            {
                case "latencyMs": f.Latency = TimeSpan.FromMilliseconds(Number(value)); break;
                case "serverErrorRate": f.ServerErrorRate = Number(value); break;
                case "stallRate": f.StallRate = Number(value); break;
                case "stallDurationMs": f.StallDuration = TimeSpan.FromMilliseconds(Number(value)); break;
                case "dropRate": f.DropRate = Number(value); break;
                case "failAfterWrites": f.FailAfterWrites = value is null ? null : (int)Number(value); break;
                case "leakyBucketEnabled": l.LeakyBucketEnabled = value!.GetValue<bool>(); break;
                case "burstLimit": l.BurstLimit = (int)Number(value); break;
                case "drainPerSecond": l.DrainPerSecond = Number(value); break;
                case "operatingLimitEnabled": l.OperatingLimitEnabled = value!.GetValue<bool>(); break;
                case "operatingLimitSeconds": l.OperatingLimit = TimeSpan.FromSeconds(Number(value)); break;
                case "simulatedProcessingMs": l.SimulatedProcessingTime = TimeSpan.FromMilliseconds(Number(value)); break;
                case "authErrorStatus": l.AuthErrorStatus = (int)Number(value); break;
                case "forceQueryLimit": service.ForceQueryLimit((int)Number(value)); break;
                case "culture": service.Culture = value!.GetValue<string>(); break;
                case "serverTimeZone": service.ServerTimeZone = value!.GetValue<string>(); break;
                case "webhookRevoked": if (value!.GetValue<bool>()) service.RevokeWebhook(); else service.RestoreWebhook(); break;
                case "webhookScopes": service.WebhookScopes = value!.AsArray().Select(s => s!.GetValue<string>()).ToArray(); break;
                case "browserSignInDeclines": service.BrowserSignInDeclines = value!.GetValue<bool>(); break;
                case "updateKeepsSkipTime": service.UpdateKeepsSkipTime = value!.GetValue<bool>(); break;
                case "updateKeepsZones": service.UpdateKeepsZones = value!.GetValue<bool>(); break;
                case "thisModeTakesRemind": service.ThisModeTakesRemind = value!.GetValue<bool>(); break;
                case "timestampXZone": service.TimestampXZone = value?.GetValue<string>(); break;
                case "eventDateFormat": service.EventDateFormat = value?.GetValue<string>(); break;
                case "batchIgnoresResultReferences": service.BatchIgnoresResultReferences = value!.GetValue<bool>(); break;
                case "queryLimitAs429": service.QueryLimitAs429 = value!.GetValue<bool>(); break;
                default: throw new ArgumentException($"unknown knob '{key}'");
            }
        }
    }

    private static double Number(JsonNode? value) => value?.GetValue<double>() ?? 0;
}
