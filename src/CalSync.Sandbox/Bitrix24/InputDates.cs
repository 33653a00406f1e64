using System.Globalization;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>The date strings the portal accepts (what PHP <c>strtotime</c> and the culture parser read).</summary>
internal static partial class InputDates
{
    private static readonly string[] NaiveFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    // isDateStringContainsTimezone (docs/bitrix24-api.md, "Input dates and zones"): an offset or Z at the end, or an Area/City name.
    [GeneratedRegex(@"([+-]\d{2}:\d{2}|[+-]\d{4}|Z)$")]
    private static partial Regex OffsetSuffix();

    [GeneratedRegex(@"\s*\b([A-Za-z]+(?:/[A-Za-z0-9_+\-]+)+)\s*$")]
    private static partial Regex ZoneNameSuffix();

    [GeneratedRegex(@"([+-])(\d{2})(\d{2})$")]
    private static partial Regex CompactOffset();

    public static bool HasZone(string text) => OffsetSuffix().IsMatch(text.Trim()) || ZoneNameSuffix().IsMatch(text.Trim());

    /// <summary>A datetime with an offset, Z or a zone name, as a UTC instant.</summary>
    public static bool TryParseZoned(PortalCulture culture, string text, out DateTime utc)
    {
        text = text.Trim();
        utc = default;
        var zoneName = ZoneNameSuffix().Match(text);
        if (zoneName.Success && !OffsetSuffix().IsMatch(text))
        {
            if (Zones.Normalize(zoneName.Groups[1].Value) is not { } zone) return false;
            if (!TryParseNaive(culture, text[..zoneName.Index], out var wall)) return false;
            utc = Zones.ToUtc(wall, Zones.Find(zone));
            return true;
        }
        text = CompactOffset().Replace(text, "$1$2:$3");
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)) return false;
        utc = instant.UtcDateTime;
        return true;
    }

    /// <summary>A datetime or date without a zone: ISO-like forms or the culture's own format.</summary>
    public static bool TryParseNaive(PortalCulture culture, string text, out DateTime wall)
    {
        text = text.Trim();
        if (DateTime.TryParseExact(text, NaiveFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out wall)
            || culture.TryParse(text, out wall))
        {
            wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
            return true;
        }
        return false;
    }

    /// <summary>A date (any time part ignored), e.g. <c>current_date_from</c> or <c>rrule.UNTIL</c>.</summary>
    public static bool TryParseDate(PortalCulture culture, string? text, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (TryParseNaive(culture, text, out var wall) || (TryParseZoned(culture, text, out wall)))
        {
            date = DateOnly.FromDateTime(wall);
            return true;
        }
        return false;
    }
}
