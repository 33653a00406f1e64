using System;
using ConnectionRecord = CalSync.Store.ConnectionRecord;
using SecretProtection = CalSync.Store.SecretProtection;

namespace CalSync.PowerShell;

/// <summary>A saved connection to one calendar (never its secret).</summary>
public sealed class CalSyncConnection
{
    internal CalSyncConnection(ConnectionRecord c, string? calendarName = null)
    {
        Name = c.Name; Kind = EnumMap.To<ConnectionKind>(c.Kind); Auth = c.Auth ?? ""; Account = c.Account ?? ""; Endpoint = c.Endpoint ?? "";
        Portal = c.Portal; ClientId = c.ClientId; CalendarId = c.CalendarId;
        c.Settings.TryGetValue(SettingKeys.CalendarName, out var name);
        Calendar = calendarName ?? name ?? c.CalendarId ?? "(default)";
        Protection = c.Settings.TryGetValue(SettingKeys.KeyStore, out var ks) ? ks : (c.Auth == AuthKinds.AccessToken ? "Session" : SecretProtection.OsKeyStore.ToString());
        Created = c.Created; Modified = c.Modified;
    }

    public string Name { get; }
    public ConnectionKind Kind { get; }
    /// <summary>Interactive, DeviceCode, AccessToken (Outlook); Webhook, OAuth (Bitrix24).</summary>
    public string Auth { get; }
    public string Account { get; }
    public string Endpoint { get; }
    public string? Portal { get; }
    public string? ClientId { get; }
    public string Calendar { get; }
    public string? CalendarId { get; }
    /// <summary>How the connection's secret is kept: OsKeyStore, PlaintextFile (the explicit fallback) or Session (this PowerShell process only).</summary>
    public string Protection { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset Modified { get; }

    public override string ToString() => Name;
}

internal static class SettingKeys
{
    public const string CalendarName = "calendarName";
    /// <summary>"OsKeyStore" or "PlaintextFile": how secrets (and Outlook's sign-in cache) of this connection are kept.</summary>
    public const string KeyStore = "keyStore";
    public const string CalendarType = "calendarType";
}

internal static class AuthKinds
{
    public const string Interactive = "Interactive";
    public const string DeviceCode = "DeviceCode";
    public const string AccessToken = "AccessToken";
    public const string Webhook = "Webhook";
    public const string OAuth = "OAuth";
}
