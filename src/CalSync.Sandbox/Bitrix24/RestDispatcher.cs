using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>A registered REST method: its scope (null: available to every caller) and whether it writes.</summary>
internal sealed record RestMethod(string Name, string? Scope, bool IsWrite, Func<RestParams, Caller, JsonNode?> Handler);

/// <summary>
/// Resolves and runs one method call (top level or inside a batch): method lookup, scope check, the operating limit.
/// </summary>
internal sealed class RestDispatcher
{
    private readonly Dictionary<string, RestMethod> _methods = new(StringComparer.Ordinal);
    private readonly Portal _portal;
    private readonly Bitrix24Limits _limits;
    private readonly OperatingMeter _meter;

    public RestDispatcher(Portal portal, CalendarState state, Bitrix24Limits limits, OperatingMeter meter)
    {
        _portal = portal;
        _limits = limits;
        _meter = meter;
        var sections = new SectionCommands(portal, state);
        var events = new EventCommands(portal, state, sections);
        var query = new EventQuery(portal, state);

        // Every calendar call runs under the state gate, so each sees and leaves a consistent calendar, as its caller.
        void Calendar(string name, bool isWrite, Func<RestParams, JsonNode?> handler) =>
            Register(new RestMethod(name, "calendar", isWrite, (p, caller) =>
            {
                lock (state.Gate)
                {
                    portal.CallerId = caller.UserId;
                    try { return handler(p); }
                    finally { portal.CallerId = portal.UserId; }
                }
            }));

        Calendar("calendar.section.get", false, sections.Get);
        Calendar("calendar.section.add", true, p => sections.Add(p));
        Calendar("calendar.section.update", true, p => sections.Update(p));
        Calendar("calendar.section.delete", true, p => sections.Delete(p));
        Calendar("calendar.event.get", false, query.Get);
        Calendar("calendar.event.getbyid", false, query.GetById);
        Calendar("calendar.event.add", true, p => events.Add(p));
        Calendar("calendar.event.update", true, events.Update);
        Calendar("calendar.event.delete", true, p => events.Delete(p));
        Calendar("calendar.meeting.status.set", true, events.SetMeetingStatus);
        Calendar("calendar.meeting.status.get", false, events.GetMeetingStatus);
        Calendar("calendar.user.settings.get", false, _ => UserSettings(sections));
        Register(new RestMethod("scope", null, false, (_, caller) => new JsonArray(caller.Scopes.Select(s => (JsonNode)s).ToArray())));
        // user.current needs one of the user scopes (docs/bitrix24-api.md, "OAuth authorization code flow").
        Register(new RestMethod("user.current", null, false, (_, caller) =>
        {
            if (!caller.Scopes.Any(s => s is "user" or "user_brief" or "user_basic")) throw InsufficientScope(caller);
            return new JsonObject
            {
                ["ID"] = caller.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ACTIVE"] = true,
                ["NAME"] = portal.NameOf(caller.UserId),
                ["LAST_NAME"] = "",
            };
        }));
        Register(new RestMethod("profile", null, false, (_, caller) => new JsonObject
        {
            ["ID"] = caller.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ADMIN"] = portal.IsAdmin(caller.UserId),
            ["NAME"] = portal.NameOf(caller.UserId),
            ["LAST_NAME"] = "",
            ["TIME_ZONE"] = portal.UserZoneId,
        }));
    }

    private Bitrix24RestException InsufficientScope(Caller caller) =>
        new("insufficient_scope",
            caller.IsWebhook ? "The request requires higher privileges than provided by the webhook token"
                             : "The request requires higher privileges than provided by the access token",
            _limits.AuthErrorStatus);

    public bool IsWrite(string method) => _methods.TryGetValue(method, out var m) && m.IsWrite;

    /// <summary>Writes this returns true for are refused as the portal refuses an event it will not save (HTTP 400, empty code, localized text).</summary>
    public Func<string, JsonObject, bool>? RefuseWrite { get; set; }

    public bool Exists(string method) => _methods.ContainsKey(method);

    /// <summary>Runs a method and returns its result plus the operating figures for the <c>time</c> object.</summary>
    public (JsonNode? Result, double Processing, double Operating, long OperatingResetAt) Invoke(string method, RestParams p, Caller caller)
    {
        if (!_methods.TryGetValue(method, out var m))
            throw new Bitrix24RestException("ERROR_METHOD_NOT_FOUND", "Method not found!", 404);
        if (m.Scope is { } scope && !caller.Scopes.Contains(scope)) throw InsufficientScope(caller);
        if (_limits.OperatingLimitEnabled && _meter.Read(caller.Credential, method).Operating > _limits.OperatingLimit.TotalSeconds)
            throw new Bitrix24RestException("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429);
        if (m.IsWrite && RefuseWrite is { } refuse && refuse(method, p.Values))
            throw _portal.Culture.Error(method.EndsWith(".add", StringComparison.Ordinal) ? CalendarMessage.EventCreateError
                : method.EndsWith(".delete", StringComparison.Ordinal) ? CalendarMessage.EventDeleteError : CalendarMessage.EventUpdateError);

        var started = _portal.Clock.GetUtcNow();
        var watch = Stopwatch.StartNew();
        JsonNode? result;
        double processing;
        try
        {
            result = m.Handler(p, caller);
        }
        finally
        {
            processing = watch.Elapsed.TotalSeconds;
            _meter.Add(caller.Credential, method, processing + _limits.SimulatedProcessingTime.TotalSeconds, started);
        }
        var (operating, resetAt) = _meter.Read(caller.Credential, method);
        return (result, processing, operating, resetAt);
    }

    /// <summary>Runs a method in-process as <paramref name="userId"/>, past auth and limits (seeding and test set-up).</summary>
    public JsonNode? InvokeAs(int userId, string method, JsonObject parameters) =>
        _methods.TryGetValue(method, out var m)
            ? m.Handler(new RestParams(parameters), new Caller("in-process", false, ["calendar"], userId))
            : throw new Bitrix24RestException("ERROR_METHOD_NOT_FOUND", "Method not found!", 404);

    /// <summary>Runs a method in-process as the user, past auth and limits (seeding and test set-up).</summary>
    public JsonNode? InvokeDirect(string method, JsonObject parameters) => InvokeAs(_portal.UserId, method, parameters);

    private JsonObject UserSettings(SectionCommands sections) => new()
    {
        ["timezoneName"] = _portal.UserZoneId,
        ["timezoneOffsetUTC"] = (int)_portal.UserZone.GetUtcOffset(_portal.UtcNow).TotalSeconds,
        ["timezoneDefaultName"] = "",
        ["meetSection"] = sections.DefaultFor("user", _portal.CallerId).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["defaultSections"] = new JsonObject { ["user" + _portal.CallerId] = sections.DefaultFor("user", _portal.CallerId).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["defaultReminders"] = new JsonObject
        {
            ["fullDay"] = new JsonArray(new JsonObject { ["type"] = "min", ["count"] = 15 }),
            ["withTime"] = new JsonArray(new JsonObject { ["type"] = "min", ["count"] = 15 }),
        },
    };

    private void Register(RestMethod method) => _methods[method.Name] = method;
}
