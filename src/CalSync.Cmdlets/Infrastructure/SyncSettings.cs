using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.IO;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Store;
using CalSync.Engine.Sync;
using CalSync.Outlook;
using CalSync.PowerShell.Sides;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>Checks shared by New-CalSync and Set-CalSync before a definition is saved.</summary>
internal static class SyncSettings
{
    /// <summary>
    /// The mapping value to store: a built-in name as is, a file as its full path after it loaded without error
    /// (a <see cref="MappingException"/> names the file, line and column otherwise).
    /// </summary>
    public static string ValidateMapping(string? builtIn, string? path, string currentDirectory)
    {
        if (path is not null)
        {
            var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(currentDirectory, path));
            if (!File.Exists(full)) throw new MappingException(full, 0, 0, "no such mapping file");
            MappingLoader.LoadFile(full);
            return full;
        }
        var name = builtIn ?? "default";
        var canonical = MappingProfile.BuiltInNames.FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new MappingException(name, 0, 0, $"no built-in profile '{name}'; choose one of {string.Join(", ", MappingProfile.BuiltInNames)}, or give a file with -MappingPath");
        return canonical;
    }

    /// <summary>
    /// Both connections exist and are of their kind (ConnectionNotFound / ConnectionKindMismatch otherwise), and two syncs
    /// cannot own one pair of calendars' meetings: refused, naming the other sync, when another
    /// sync has the same Outlook calendar and the same Bitrix24 calendar, whatever its connections are called. One shared
    /// side is allowed: each sync's Outlook copies carry its name (docs/architecture.md, "One sync per pair of calendars").
    /// </summary>
    public static void ValidateCalendarPair(CalSyncStore store, SyncDefinition definition)
    {
        var factory = new SideFactory(store);
        var outlook = factory.Connection(definition.OutlookConnection, EngineKind.Outlook);
        var bitrix24 = factory.Connection(definition.Bitrix24Connection, EngineKind.Bitrix24);
        foreach (var other in store.Definitions.List(null, _ => { }))
        {
            if (other.Name.Equals(definition.Name, StringComparison.OrdinalIgnoreCase)
                || !SameCalendar(store, other.OutlookConnection, outlook) || !SameCalendar(store, other.Bitrix24Connection, bitrix24)) continue;
            throw new CalSyncException(ErrorIds.CalendarPairInUse,
                $"The sync '{other.Name}' already syncs this pair of calendars (the Outlook calendar of the connection '{definition.OutlookConnection}' and the Bitrix24 calendar of '{definition.Bitrix24Connection}'); " +
                $"two syncs on one pair would both own its meetings. Change '{other.Name}' with Set-CalSync -Name '{other.Name}' instead, or give this sync another calendar: " +
                "connect one under a new name (Connect-Bitrix24 -Name <name> -Calendar <calendar> -CreateCalendar, or Connect-OutlookCalendar -Name <name> -Calendar <calendar>, signing in as for the first) " +
                "and give it with -Bitrix24Connection or -OutlookConnection.");
        }
    }

    private static bool SameCalendar(CalSyncStore store, string otherName, ConnectionRecord mine)
    {
        if (otherName.Equals(mine.Name, StringComparison.OrdinalIgnoreCase)) return true;
        ConnectionRecord? other;
        try { other = store.Connections.Get(otherName); }
        catch (StoreException) { return false; }
        return other is not null && other.Kind == mine.Kind && CalendarKey(other) is { } key && key == CalendarKey(mine);
    }

    /// <summary>
    /// What names a calendar whatever the connection's name: the Outlook mailbox (endpoint and account) and calendar (none:
    /// the default one), or the Bitrix24 portal and section (a section id is the portal's). Null when the record does not
    /// say (an Outlook connection whose account is not known): then only the connection's name does.
    /// </summary>
    private static string? CalendarKey(ConnectionRecord c) => c.Kind == EngineKind.Outlook
        ? string.IsNullOrEmpty(c.Account) ? null
            : $"{(string.IsNullOrEmpty(c.Endpoint) ? OutlookConnectionOptions.DefaultEndpoint : c.Endpoint).TrimEnd('/').ToLowerInvariant()}|{c.Account.ToLowerInvariant()}|{c.CalendarId}"
        : string.IsNullOrEmpty(c.Portal) || string.IsNullOrEmpty(c.CalendarId) ? null : $"{c.Portal.ToLowerInvariant()}|{c.CalendarId}";

    /// <summary>A one-way mapping with the opposite -Direction is refused now, not at the next run.</summary>
    public static void ValidateDirection(SyncDefinition d)
    {
        try { Planner.EffectiveDirection(d, MappingLoader.Resolve(d.Mapping)); }
        catch (InvalidOperationException e) { throw new CalSyncException(ErrorIds.InvalidSetting, e.Message, e); }
    }

    public static void ValidateNumbers(SyncDefinition d)
    {
        if (d.Interval < TimeSpan.FromMinutes(1))
            throw new CalSyncException(ErrorIds.InvalidSetting, $"The interval must be at least one minute (it is {d.Interval}). Give minutes (-Interval 15) or a time span (-Interval '00:15:00').");
        if (d.WindowPastDays < 0 || d.WindowFutureDays < 0 || d.WindowPastDays + d.WindowFutureDays > 3660)
            throw new CalSyncException(ErrorIds.InvalidSetting, "PastDays and FutureDays must not be negative, and together at most 3660 days.");
    }
}
