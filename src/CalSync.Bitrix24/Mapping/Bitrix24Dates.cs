using System;
using System.Collections.Generic;
using System.Globalization;

namespace CalSync.Bitrix24.Mapping;

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
    public static DateTime? ParseFormatted(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return TryFormattedFast(text.AsSpan(), out var fast) ? fast : ParseFormattedExact(text);
    }

    /// <summary>A culture-formatted date or date-time as wall clock (kind Unspecified).</summary>
    public static DateTime? ParseCulture(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return TryCultureFast(text.AsSpan(), out var fast) ? fast : ParseCultureExact(text);
    }

    // DateTime.TryParseExact spent most of a window read (10,000 rows) matching AM/PM and names through the culture's
    // comparer. The shapes Bitrix24 sends (two-digit fields, single spaces) are read by hand below; anything else, and
    // any value those shapes do not make a valid date, goes to TryParseExact as before, so the result is the same.

    /// <summary>
    /// The hand-read shapes only (<see cref="ParseFormatted"/> when <paramref name="formatted"/>, else <see cref="ParseCulture"/>):
    /// for text that never becomes a string. False means: ask those two.
    /// </summary>
    internal static bool TryParseFast(ReadOnlySpan<char> text, bool formatted, out DateTime value) =>
        formatted ? TryFormattedFast(text, out value) : TryCultureFast(text, out value);

    /// <summary><see cref="ParseFormatted"/> by <see cref="DateTime.TryParseExact(string, string[], IFormatProvider, DateTimeStyles, out DateTime)"/> only.</summary>
    internal static DateTime? ParseFormattedExact(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTime.TryParseExact(text!.Trim(), Formatted, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d) ? d : null;
    }

    /// <summary><see cref="ParseCulture"/> by <see cref="DateTime.TryParseExact(string, string[], IFormatProvider, DateTimeStyles, out DateTime)"/> only.</summary>
    internal static DateTime? ParseCultureExact(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var t = text!.Trim().ToUpperInvariant();
        string[] formats = t.IndexOf('/') >= 0 ? MonthFirst : t.IndexOf('.') >= 0 ? DayFirst : Iso;
        if (DateTime.TryParseExact(t, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var d)) return d;
        return ParseFormattedExact(text);
    }

    private static readonly string[] DayNames = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    private static readonly string[] MonthNames = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    /// <summary><c>MM/dd/yyyy[ hh:mm[:ss] AM|PM]</c>, <c>MM/dd/yyyy[ HH:mm[:ss]]</c>, <c>dd.MM.yyyy[ HH:mm[:ss]]</c>, <c>yyyy-MM-dd[ HH:mm[:ss]]</c>, <c>yyyy-MM-ddTHH:mm:ss</c>.</summary>
    private static bool TryCultureFast(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length < 10) return false;
        int year, month, day;
        var monthFirst = false;
        var iso = false;
        if (s[2] == '/' && s[5] == '/')
        {
            monthFirst = true;
            if (!Digits(s, 0, 2, out month) || !Digits(s, 3, 2, out day) || !Digits(s, 6, 4, out year)) return false;
        }
        else if (s[2] == '.' && s[5] == '.')
        {
            if (!Digits(s, 0, 2, out day) || !Digits(s, 3, 2, out month) || !Digits(s, 6, 4, out year)) return false;
        }
        else if (s[4] == '-' && s[7] == '-')
        {
            iso = true;
            if (!Digits(s, 0, 4, out year) || !Digits(s, 5, 2, out month) || !Digits(s, 8, 2, out day)) return false;
        }
        else
        {
            return false;
        }
        int hour = 0, minute = 0, second = 0;
        if (s.Length > 10)
        {
            var t = s[10] == 'T' && iso;
            if (!(s[10] == ' ' || t) || !TryTime(s, 11, out hour, out minute, out second, out var end)) return false;
            if (t && end != 19) return false; // only yyyy-MM-ddTHH:mm:ss
            if (end < s.Length)
            {
                // Only the month-first (en) formats have AM/PM; hh is 1-12 there (others are left to TryParseExact).
                if (!monthFirst || s.Length != end + 3 || s[end] != ' ' || hour < 1 || hour > 12) return false;
                var pm = (s[end + 1] | 0x20) == 'p';
                if (!pm && (s[end + 1] | 0x20) != 'a') return false;
                if ((s[end + 2] | 0x20) != 'm') return false;
                hour = pm ? (hour == 12 ? 12 : hour + 12) : (hour == 12 ? 0 : hour);
            }
            else if (hour > 23)
            {
                return false;
            }
        }
        return TryMake(year, month, day, hour, minute, second, out value);
    }

    /// <summary><c>ddd MMM dd yyyy[ HH:mm:ss]</c> and <c>ddd MMM d yyyy[ HH:mm:ss]</c> with invariant names.</summary>
    private static bool TryFormattedFast(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length < 14 || s[3] != ' ' || s[7] != ' ') return false;
        var dayOfWeek = IndexOf(DayNames, s, 0);
        var month = IndexOf(MonthNames, s, 4) + 1;
        if (dayOfWeek < 0 || month == 0) return false;
        var dayLength = s[9] == ' ' ? 1 : 2;
        var yearAt = 9 + dayLength;
        if (s.Length < yearAt + 4 || s[yearAt - 1] != ' ' || !Digits(s, 8, dayLength, out var day) || !Digits(s, yearAt, 4, out var year)) return false;
        int hour = 0, minute = 0, second = 0;
        if (s.Length > yearAt + 4)
        {
            if (s[yearAt + 4] != ' ' || !TryTime(s, yearAt + 5, out hour, out minute, out second, out var end) || end != s.Length || end != yearAt + 13 || hour > 23) return false;
        }
        // TryParseExact refuses a day name that does not fit the date: leave that (and its message) to it.
        return TryMake(year, month, day, hour, minute, second, out value) && (int)value.DayOfWeek == dayOfWeek;
    }

    /// <summary><c>HH:mm</c> or <c>HH:mm:ss</c> at <paramref name="at"/>; <paramref name="end"/> is the position after it.</summary>
    private static bool TryTime(ReadOnlySpan<char> s, int at, out int hour, out int minute, out int second, out int end)
    {
        minute = second = 0;
        end = at + 5;
        if (s.Length < end || s[at + 2] != ':' || !Digits(s, at, 2, out hour) || !Digits(s, at + 3, 2, out minute)) { hour = 0; return false; }
        if (s.Length >= end + 3 && s[end] == ':')
        {
            if (!Digits(s, end + 1, 2, out second)) return false;
            end += 3;
        }
        return minute < 60 && second < 60;
    }

    private static bool TryMake(int year, int month, int day, int hour, int minute, int second, out DateTime value)
    {
        value = default;
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        value = new DateTime(year, month, day, hour, minute, second);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int at, int count, out int value)
    {
        value = 0;
        for (var i = at; i < at + count; i++)
        {
            var d = s[i] - '0';
            if (d < 0 || d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    private static int IndexOf(string[] names, ReadOnlySpan<char> s, int at)
    {
        for (var i = 0; i < names.Length; i++)
            if (s.Slice(at, 3).SequenceEqual(names[i].AsSpan())) return i;
        return -1;
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
