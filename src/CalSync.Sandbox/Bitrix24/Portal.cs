namespace CalSync.Sandbox.Bitrix24;

/// <summary>The portal's settings that shape every answer: user, culture, zones and clock.</summary>
internal sealed class Portal(Bitrix24ServiceOptions options)
{
    private TimeZoneInfo _serverZone = Zones.Find(Zones.Normalize(options.ServerTimeZone) ?? "UTC");

    /// <summary>The synced user (the main webhook's owner).</summary>
    public int UserId { get; } = options.UserId;
    public string UserName { get; } = options.UserName;
    public int ColleagueId { get; } = options.ColleagueId;

    /// <summary>
    /// Who the calendar call in progress runs as (set under the state gate for each call): the user, or the colleague
    /// through their own webhook.
    /// </summary>
    public int CallerId { get; set; } = options.UserId;

    public string NameOf(int userId) => userId == ColleagueId ? options.ColleagueName : userId == UserId ? UserName : $"User {userId}";

    public bool IsAdmin(int userId) => userId == UserId && options.UserIsAdmin;
    public TimeProvider Clock { get; } = options.Clock;
    public PortalCulture Culture { get; set; } = PortalCulture.For(options.Culture);
    public string UserZoneId { get; } = Zones.Normalize(options.UserTimeZone) ?? "UTC";
    public TimeZoneInfo UserZone => Zones.Find(UserZoneId);
    /// <summary>Host part of generated DAV_XML_IDs.</summary>
    public string DavHost { get; set; } = "b24-sandbox.local";

    public string ServerZoneId { get; private set; } = Zones.Normalize(options.ServerTimeZone) ?? "UTC";
    public TimeZoneInfo ServerZone => _serverZone;

    public void SetServerZone(string zone)
    {
        var id = Zones.Normalize(zone) ?? throw new ArgumentException($"unknown time zone '{zone}'", nameof(zone));
        _serverZone = Zones.Find(id);
        ServerZoneId = id;
    }

    public DateTime UtcNow => Clock.GetUtcNow().UtcDateTime;

    // Conformance probe knobs (docs/bitrix24-api.md, "Conformance probe"): each a deliberately different behaviour.
    public bool UpdateKeepsSkipTime { get; set; }
    public bool UpdateKeepsZones { get; set; }
    public bool ThisModeTakesRemind { get; set; }
    public string? TimestampXZone { get; set; }
    public string? EventDateFormat { get; set; }
    public bool BatchIgnoresResultReferences { get; set; }
    public bool QueryLimitAs429 { get; set; }

    /// <summary>TIMESTAMP_X: as <see cref="FormatServerTime"/>, or in <see cref="TimestampXZone"/> (probe knob).</summary>
    public string FormatTimestampX(DateTime utc) =>
        TimestampXZone is { } zone ? Culture.FormatDateTime(Zones.ToWall(utc, Zones.Find(Zones.Normalize(zone)!))) : FormatServerTime(utc);

    /// <summary>PHP <c>mktime</c>: a wall clock read in the server zone, as unix seconds.</summary>
    public long ServerTimestamp(DateTime wall) => Zones.Unix(Zones.ToUtc(wall, ServerZone));

    /// <summary>DATE_CREATE / TIMESTAMP_X: culture format, server zone (docs/bitrix24-api.md, "TIMESTAMP_X: server zone").</summary>
    public string FormatServerTime(DateTime utc) => Culture.FormatDateTime(Zones.ToWall(utc, ServerZone));
}
