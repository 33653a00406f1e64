using System;
using System.Globalization;

namespace CalSync.Engine.Sides;

/// <summary>
/// The id of one occurrence of a series when it travels on its own: the series id and the occurrence's
/// original local date. Both services key occurrences this way.
/// </summary>
public static class OccurrenceKey
{
    private const string Separator = "@@";

    public static string Make(string seriesId, DateTime originalDate) =>
        seriesId + Separator + originalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static bool TryParse(string id, out string seriesId, out DateTime originalDate)
    {
        var at = id.LastIndexOf(Separator, StringComparison.Ordinal);
        if (at > 0 && DateTime.TryParseExact(id.Substring(at + Separator.Length), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out originalDate))
        {
            seriesId = id.Substring(0, at);
            return true;
        }
        seriesId = "";
        originalDate = default;
        return false;
    }
}
