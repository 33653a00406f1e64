using System;
using System.Collections.Generic;
using System.Globalization;

namespace CalSync.Bitrix24.Wire;

/// <summary>
/// Bitrix24 date strings. DATE_FROM/DATE_TO/TIMESTAMP_X/EXDATE/UNTIL follow the portal's regional format
/// (en <c>MM/DD/YYYY hh:mi:ss am</c>, de/ru <c>DD.MM.YYYY HH:MI:SS</c>); *_FORMATTED is always
/// <c>ddd MMM dd yyyy HH:mm:ss</c>. The separator tells the culture apart: '/' month first, '.' day first.
/// </summary>
internal static class Bitrix24Dates
{
    private static readonly string[] Formatted = { "ddd MMM dd yyyy HH:mm:ss", "ddd MMM d yyyy HH:mm:ss", "ddd MMM dd yyyy", "ddd MMM d yyyy" };

    private static readonly string[] MonthFirst =
    {
        "MM/dd/yyyy hh:mm:ss tt", "M/d/yyyy h:mm:ss tt", "MM/dd/yyyy hh:mm tt", "MM/dd/yyyy HH:mm:ss", "M/d/yyyy H:mm:ss", "MM/dd/yyyy HH:mm", "MM/dd/yyyy", "M/d/yyyy",
    };

    private static readonly string[] DayFirst =
    {
        "dd.MM.yyyy HH:mm:ss", "d.M.yyyy H:mm:ss", "dd.MM.yyyy HH:mm", "dd.MM.yyyy", "d.M.yyyy",
    };

    private static readonly string[] Iso =
    {
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    };

    /// <summary>A locale-independent *_FORMATTED value (<c>Wed Dec 11 2024 17:59:00</c>).</summary>
    public static DateTime? ParseFormatted(string? text) => ParseFormatted(text.AsSpan());

    /// <inheritdoc cref="ParseFormatted(string?)"/>
    public static DateTime? ParseFormatted(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty) return null;
        return DateTime.TryParseExact(text, Formatted, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d) ? d : null;
    }

    /// <summary>A culture-formatted date or date-time as wall clock (kind Unspecified).</summary>
    public static DateTime? ParseCulture(string? text) => ParseCulture(text.AsSpan());

    /// <inheritdoc cref="ParseCulture(string?)"/>
    public static DateTime? ParseCulture(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty) return null;
        // A date is short: read from the stack, not a string per value (a window read has several per row).
        Span<char> upper = text.Length <= 64 ? stackalloc char[text.Length] : new char[text.Length];
        text.ToUpperInvariant(upper);
        string[] formats = upper.IndexOf('/') >= 0 ? MonthFirst : upper.IndexOf('.') >= 0 ? DayFirst : Iso;
        if (DateTime.TryParseExact(upper, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d)) return d;
        return ParseFormatted(text);
    }

    /// <summary>EXDATE: <c>;</c>-separated culture short dates.</summary>
    public static IReadOnlyList<DateTime> ParseDateList(string? text)
    {
        var list = new List<DateTime>();
        if (string.IsNullOrWhiteSpace(text)) return list;
        foreach (var part in text!.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries))
            if (ParseCulture(part) is { } d) list.Add(d.Date);
        return list;
    }

    /// <summary>Naive wall clock for add/update (<c>2025-07-01 12:00:00</c>); zone goes in timezone_from/to.</summary>
    public static string Naive(DateTime wall) => wall.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
