using EngineKind = CalSync.Engine.Store.ConnectionKind;
using System;
using System.IO;
using System.Linq;
using CalSync.Engine.Mapping;
using CalSync.Engine.Store;
using CalSync.Engine.Sync;
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

    public static void ValidateConnections(CalSyncStore store, SyncDefinition definition)
    {
        var factory = new SideFactory(store);
        factory.Connection(definition.OutlookConnection, EngineKind.Outlook);
        factory.Connection(definition.Bitrix24Connection, EngineKind.Bitrix24);
    }

    public static void ValidateNumbers(SyncDefinition d)
    {
        if (d.Interval < TimeSpan.FromMinutes(1))
            throw new CalSyncException(ErrorIds.InvalidSetting, $"The interval must be at least one minute (it is {d.Interval}). Give minutes (-Interval 15) or a time span (-Interval '00:15:00').");
        if (d.WindowPastDays < 0 || d.WindowFutureDays < 0 || d.WindowPastDays + d.WindowFutureDays > 3660)
            throw new CalSyncException(ErrorIds.InvalidSetting, "PastDays and FutureDays must not be negative, and together at most 3660 days.");
    }
}
