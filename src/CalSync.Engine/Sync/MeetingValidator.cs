using System;
using System.Globalization;
using System.Text;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;

namespace CalSync.Engine.Sync;

/// <summary>
/// What a meeting must be before CalSync copies it to the other side: an end not before its start, text without
/// control characters (other than tab and line breaks in the description), and text sizes both services take
/// (255 characters for title and location, 1,000,000 for the description: Graph refuses requests over 4 MB and
/// Bitrix24 would cut the text, and a cut copy written back would lose the rest). A write whose meeting breaks one of
/// these is not sent: it fails as an item with <see cref="RunErrorIds.MeetingInvalid"/> and a message naming the meeting and what to fix,
/// so nothing half-valid reaches a calendar and nothing is deleted or overwritten because of it.
/// </summary>
public static class MeetingValidator
{
    public const int MaxTitleLength = 255;
    public const int MaxLocationLength = 255;
    public const int MaxDescriptionLength = 1_000_000;

    /// <summary>Why <paramref name="write"/> must not be sent (null: it may). Deletes are always fine.</summary>
    public static string? Problem(PlannedWrite write)
    {
        if (write.Kind == WriteKind.Delete || write.Desired is not { } e) return null;
        var problem = Problem(e);
        if (problem is null) return null;
        var from = write.Source?.Side is { } side ? side.ToString() : "source";
        return $"{RunErrorIds.MeetingInvalid}: The {from} meeting '{Printable(e.Title, 60)}' ({e.Start}) was not copied to {write.TargetSide}: {problem}. " +
               $"Correct it in {from}, or exclude it with a filter in the sync's mapping.";
    }

    /// <summary>What is wrong with the meeting, in words (null: nothing).</summary>
    public static string? Problem(CalEvent e)
    {
        if (e.End.IsAllDay == e.Start.IsAllDay && (e.Start.IsAllDay ? e.End.Value <= e.Start.Value : e.End.Value < e.Start.Value))
            return $"it ends ({e.End}) before it starts ({e.Start})";
        if (Length(e.Title, MaxTitleLength, "title") is { } t) return t;
        if (Length(e.Location, MaxLocationLength, "location") is { } l) return l;
        if (Length(e.Description, MaxDescriptionLength, "description") is { } d) return d;
        if (Control(e.Title, lineBreaks: false, "title") is { } ct) return ct;
        if (Control(e.Location, lineBreaks: false, "location") is { } cl) return cl;
        return Control(e.Description, lineBreaks: true, "description");
    }

    private static string? Length(string text, int max, string field) =>
        text.Length > max ? $"its {field} is {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters long; at most {max.ToString("N0", CultureInfo.InvariantCulture)} are copied" : null;

    private static string? Control(string text, bool lineBreaks, string field)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var bad = (c < 0x20 && c != '\t' && !(lineBreaks && (c == '\n' || c == '\r'))) || c == 0x7F
                || (char.IsHighSurrogate(c) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
            if (bad) return $"its {field} contains the control character U+{(int)c:X4} at position {i + 1}";
        }
        return null;
    }

    /// <summary>The text with control characters shown as \uXXXX, cut to <paramref name="max"/> characters (for messages).</summary>
    public static string Printable(string text, int max)
    {
        var s = new StringBuilder();
        foreach (var c in text)
        {
            if (s.Length >= max) { s.Append('…'); break; }
            if (c < 0x20 || c == 0x7F || char.IsSurrogate(c)) s.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else s.Append(c);
        }
        return s.ToString();
    }
}
