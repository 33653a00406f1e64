using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Graph;

/// <summary>
/// calendarView delta rounds. A round is fixed when it starts (the answer pages are rendered then); its last page
/// hands out a delta token naming the sync state (ids and change keys the client has seen). Tokens are opaque
/// base64url strings carrying the window, calendar, state key and cursor; the states themselves live here, so
/// expiring them (lifetime, capacity, <see cref="ExpireAll"/>) yields 410 SyncStateNotFound, like Exchange's cache.
/// </summary>
internal sealed class DeltaSync
{
    private const int Capacity = 500;

    private readonly Dictionary<long, SyncState> _states = [];
    private readonly Dictionary<long, Round> _rounds = [];
    private long _generation;

    public TimeSpan? TokenLifetime { get; set; }
    public int EmptyPagesPerRound { get; set; }
    /// <summary>Pages name their nextLink/deltaLink after "value" (the documented example has it before; the service's order is unconfirmed for every answer).</summary>
    public bool LinksAfterValue { get; set; }
    /// <summary>Probe knob: items moved out of the window (still existing) get no tombstone.</summary>
    public bool OmitMoveOutTombstones { get; set; }

    private sealed record SyncState(Dictionary<string, string> Known, long Sequence, DateTimeOffset Created);
    private sealed record Round(List<JsonObject> Entries, long NextState, DateTimeOffset Created);

    /// <summary>What a token says: which state or round, the window, the calendar, and the page cursor.</summary>
    public sealed record Token(char Kind, long Key, int Offset, int EmptyLeft, DateTime From, DateTime To, string? CalendarId)
    {
        public string Encode()
        {
            var json = JsonSerializer.Serialize(new object?[] { Kind.ToString(), Key, Offset, EmptyLeft, From.Ticks, To.Ticks, CalendarId });
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        public static Token? Decode(string text)
        {
            try
            {
                var b64 = text.Replace('-', '+').Replace('_', '/');
                b64 += new string('=', (4 - b64.Length % 4) % 4);
                var a = JsonNode.Parse(Convert.FromBase64String(b64))!.AsArray();
                return new Token(a[0]!.GetValue<string>()[0], a[1]!.GetValue<long>(), a[2]!.GetValue<int>(), a[3]!.GetValue<int>(),
                    new DateTime(a[4]!.GetValue<long>(), DateTimeKind.Utc), new DateTime(a[5]!.GetValue<long>(), DateTimeKind.Utc), a[6]?.GetValue<string>());
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or NullReferenceException or IndexOutOfRangeException or ArgumentException)
            {
                return null;
            }
        }
    }

    public void ExpireAll()
    {
        _states.Clear();
        _rounds.Clear();
    }

    /// <summary>Serves one page. Caller holds the mailbox lock.</summary>
    public JsonObject Page(Mailbox mailbox, GraphRequest request, string? calendarId, RenderOptions render, int pageSize, string linkBase, string context)
    {
        var skip = request.Query.Get("$skiptoken");
        var delta = request.Query.Get("$deltatoken");
        Token cursor;
        if (skip is not null) cursor = Resolve(skip, 'r', "$skipToken");
        else if (delta is not null)
        {
            var basis = Resolve(delta, 's', "$deltaToken");
            cursor = StartRound(mailbox, basis.CalendarId, basis.From, basis.To, _states[basis.Key], render);
        }
        else
        {
            var from = EventTime.ParseWindowBound(request.Query.Get("startDateTime"), "startDateTime");
            var to = EventTime.ParseWindowBound(request.Query.Get("endDateTime"), "endDateTime");
            cursor = StartRound(mailbox, calendarId, from, to, null, render);
        }

        var round = _rounds[cursor.Key];
        var value = new JsonArray();
        (string Name, string Url) link;
        if (cursor.EmptyLeft > 0)
        {
            link = ("@odata.nextLink", linkBase + "?$skiptoken=" + (cursor with { EmptyLeft = cursor.EmptyLeft - 1 }).Encode());
        }
        else
        {
            foreach (var entry in round.Entries.Skip(cursor.Offset).Take(pageSize)) value.Add(entry.DeepClone());
            var next = cursor.Offset + pageSize;
            link = next < round.Entries.Count
                ? ("@odata.nextLink", linkBase + "?$skiptoken=" + (cursor with { Offset = next }).Encode())
                : ("@odata.deltaLink", linkBase + "?$deltatoken=" + new Token('s', round.NextState, 0, 0, cursor.From, cursor.To, cursor.CalendarId).Encode());
        }
        // The documented order (docs/graph-api.md, "Delta pages"): context, then the link, then the items; a client can ask for the next
        // page before it has read this one's items.
        var response = new JsonObject { ["@odata.context"] = context };
        if (!LinksAfterValue) response[link.Name] = link.Url;
        response["value"] = value;
        if (LinksAfterValue) response[link.Name] = link.Url;
        return response;
    }

    private Token Resolve(string text, char kind, string parameter)
    {
        var token = Token.Decode(text);
        if (token is null || token.Kind != kind)
            throw new GraphException(400, "InvalidDeltaToken", $"The value '{text}' of parameter '{parameter}' is invalid.");
        var created = kind == 's' ? _states.GetValueOrDefault(token.Key)?.Created : _rounds.GetValueOrDefault(token.Key)?.Created;
        if (created is null || (TokenLifetime is { } lifetime && DateTimeOffset.UtcNow - created > lifetime))
        {
            var highest = _generation;
            throw new GraphException(410, "SyncStateNotFound",
                $"The sync state generation is not found; generation={token.Key};[highest={highest}][{highest}].");
        }
        return token;
    }

    private Token StartRound(Mailbox mailbox, string? calendarId, DateTime from, DateTime to, SyncState? basis, RenderOptions render)
    {
        var view = mailbox.View(calendarId, from, to);
        var current = view.ToDictionary(v => v.Id, v => v.ChangeKey, StringComparer.Ordinal);
        var entries = new List<JsonObject>();
        foreach (var item in view)
            if (basis is null || !basis.Known.TryGetValue(item.Id, out var seen) || seen != item.ChangeKey)
                entries.Add(EventRenderer.Render(item, mailbox, render));
        if (basis is not null)
        {
            // Gone from the window (deleted or moved out), plus this calendar's items added/changed/deleted outside it:
            // all reported as deleted (docs/graph-api.md, "A tombstone is not a deletion"). Other calendars' never.
            var removed = basis.Known.Keys.Where(id => !current.ContainsKey(id))
                .Concat(mailbox.ChangedSince(basis.Sequence, calendarId!).Where(id => !current.ContainsKey(id)))
                .Distinct(StringComparer.Ordinal)
                .Where(id => !OmitMoveOutTombstones || !mailbox.Exists(id));
            foreach (var id in removed)
                entries.Add(new JsonObject
                {
                    ["@odata.type"] = "#microsoft.graph.event",
                    ["id"] = id,
                    ["@removed"] = new JsonObject { ["reason"] = "deleted" },
                });
        }
        var now = DateTimeOffset.UtcNow;
        var stateKey = Add(_states, new SyncState(current, mailbox.Sequence, now));
        var roundKey = Add(_rounds, new Round(entries, stateKey, now));
        return new Token('r', roundKey, 0, EmptyPagesPerRound, from, to, calendarId);
    }

    /// <summary>Stores under a new generation number, evicting the oldest beyond capacity (Exchange's token cache).</summary>
    private long Add<T>(Dictionary<long, T> store, T value)
    {
        var key = ++_generation;
        store[key] = value;
        if (store.Count > Capacity) store.Remove(store.Keys.Min());
        return key;
    }

    public static string FormatWindow(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
