using System.Globalization;
using System.Text;

namespace CalSync.Fidelity.Tests;

/// <summary>Graph's pattern kinds, named independently of the engine's model.</summary>
public enum PatternKind { Daily, Weekly, AbsoluteMonthly, RelativeMonthly, AbsoluteYearly, RelativeYearly }

/// <summary>A recurrence as a user states it. <see cref="Index"/>: 0..3 first..fourth, 4 last.</summary>
public sealed record Pattern(PatternKind Kind, int Interval, DayOfWeek[] Days, int DayOfMonth, int Month, int Index, DayOfWeek FirstDayOfWeek, int? Count, DateTime? Until);

/// <summary>An occurrence moved and/or edited: its original local date and its new wall-clock times (dates for all-day).</summary>
public sealed record MovedOccurrence(DateTime OriginalDate, DateTime NewStart, DateTime NewEnd, string Title, string Location)
{
    /// <summary>Whether the occurrence has a reminder of its own (<see cref="Reminder"/>) instead of the series' one.</summary>
    public bool OwnReminder { get; init; }
    public int? Reminder { get; init; }
    /// <summary>The occurrence's own show-as (null: the series').</summary>
    public string? ShowAs { get; init; }
}

/// <summary>Which calendar a meeting is first written to.</summary>
public enum Origin { Outlook, Bitrix24 }

/// <summary>
/// One corpus meeting. Times are wall clock in <see cref="Zone"/> (timed) or dates with an exclusive end (all-day).
/// Field values use Graph's words for Outlook-origin meetings and Bitrix24's words for Bitrix24-origin ones
/// (<see cref="ShowAs"/>: busy/tentative/oof/free/workingElsewhere/unknown or busy/quest/absent/free).
/// </summary>
public sealed record Meeting
{
    public required string Tag { get; init; }
    public required Origin Origin { get; init; }
    /// <summary>What the meeting exercises (report grouping).</summary>
    public required string Shape { get; init; }
    public required string Title { get; init; }
    public string Body { get; init; } = "";
    public string Location { get; init; } = "";
    public string ShowAs { get; init; } = "busy";
    public string Sensitivity { get; init; } = "normal";
    public string Importance { get; init; } = "normal";
    public int? ReminderMinutes { get; init; }
    /// <summary>Bitrix24 origin: the reminder's unit as stored (min, hour, day).</summary>
    public string ReminderUnit { get; init; } = "min";
    public string[] Categories { get; init; } = [];
    public (string Name, string Email)[] Attendees { get; init; } = [];
    public bool AllDay { get; init; }
    public string Zone { get; init; } = "UTC";
    public DateTime Start { get; init; }
    public DateTime End { get; init; }
    public Pattern? Recurrence { get; init; }
    public DateTime[] Cancelled { get; init; } = [];
    public MovedOccurrence[] Moved { get; init; } = [];

    /// <summary>Whether the other calendar is expected to hold this series as a series (else: single events).</summary>
    public bool BitrixExpressible { get; init; }
}

/// <summary>
/// The seeded corpus: Outlook-origin meetings (everything Graph can say) and Bitrix24-origin meetings (everything
/// Bitrix24 can say). Same seed, same corpus, byte for byte (System.Random with a seed is stable across runtimes).
/// </summary>
public static class CorpusGenerator
{
    /// <summary>The run's "now": the sync window is −30/+365 days around it.</summary>
    public static readonly DateTime Now = new(2026, 1, 10, 0, 0, 0, DateTimeKind.Utc);
    /// <summary>Occurrences are compared in this range (inside the sync window, clear of its edges).</summary>
    public static readonly DateTime CompareFrom = new(2025, 12, 14, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime CompareTo = new(2027, 1, 8, 0, 0, 0, DateTimeKind.Utc);
    internal static readonly DateTime FirstDay = new(2025, 12, 16);
    internal static readonly DateTime LastDay = new(2026, 12, 20);

    /// <summary>Twenty zones: both hemispheres' DST, 30- and 45-minute offsets, a 30-minute DST shift (Lord Howe).</summary>
    public static readonly string[] ZonesUsed =
    [
        "Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Chicago",
        "America/Sao_Paulo", "America/Santiago", "America/St_Johns", "Australia/Sydney", "Australia/Adelaide",
        "Australia/Lord_Howe", "Pacific/Auckland", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo",
        "Asia/Tehran", "Africa/Johannesburg", "Europe/Moscow", "Pacific/Honolulu", "UTC",
    ];

    /// <summary>DST changes inside the window (local dates), per zone, both directions.</summary>
    private static readonly Dictionary<string, DateTime[]> DstDays = new()
    {
        ["Europe/Berlin"] = [new(2026, 3, 29), new(2026, 10, 25)],
        ["Europe/London"] = [new(2026, 3, 29), new(2026, 10, 25)],
        ["America/New_York"] = [new(2026, 3, 8), new(2026, 11, 1)],
        ["America/Los_Angeles"] = [new(2026, 3, 8), new(2026, 11, 1)],
        ["America/Chicago"] = [new(2026, 3, 8), new(2026, 11, 1)],
        ["America/Santiago"] = [new(2026, 4, 5), new(2026, 9, 6)],
        ["America/St_Johns"] = [new(2026, 3, 8), new(2026, 11, 1)],
        ["Australia/Sydney"] = [new(2026, 4, 5), new(2026, 10, 4)],
        ["Australia/Adelaide"] = [new(2026, 4, 5), new(2026, 10, 4)],
        ["Australia/Lord_Howe"] = [new(2026, 4, 5), new(2026, 10, 4)],
        ["Pacific/Auckland"] = [new(2026, 4, 5), new(2026, 9, 27)],
    };

    private static readonly string[] Words =
    [
        "Standup", "Budget review", "Zahnarzt", "Café avec Zoë", "Встреча с командой", "会議 – 週次", "회의", "مراجعة المشروع",
        "פגישת צוות", "Σύσκεψη", "Résumé & naïve façade", "Ünïcödé çhéck", "📅 Planning 🚀", "👩‍💻 Pairing", "Ελληνικά", "Tiếng Việt",
        "Čeština ŽŠ", "Łódź trip", "Größenwahn", "日本語のテキスト", "中文会议", "हिन्दी बैठक", "ภาษาไทย", "Ñandú", "Q3 \"quoted\" <angle>",
        "a & b; c's", "tab\tinside", "Zero\u200Bwidth", "e\u0301 combining", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math", "Emoji 🧪🔬🧬",
    ];

    private static readonly string[] Places =
    [
        "", "Room 1", "Konferenzraum „Süd“", "東京オフィス 3F", "Zoom", "https://example.com/meet/abc?x=1&y=2", "Café Müller, Straße 5",
        "Москва, ул. Ленина 1", "🏢 HQ", "Sala 2 — São Paulo",
    ];

    public static IReadOnlyList<Meeting> Generate(int seed = 20260110, int outlookCount = 760, int bitrixCount = 300)
    {
        var list = new List<Meeting>();
        var random = new Random(seed);
        for (var i = 0; i < outlookCount; i++) list.Add(OutlookMeeting(random, $"O{i:D4}", i));
        for (var i = 0; i < bitrixCount; i++) list.Add(BitrixMeeting(random, $"B{i:D4}", i));
        return list;
    }

    /// <summary>A reproducible subset: every meeting whose index hits the stride, so each shape keeps its share.</summary>
    public static IReadOnlyList<Meeting> Subset(IReadOnlyList<Meeting> corpus, int size)
    {
        if (size >= corpus.Count) return corpus;
        var stride = (double)corpus.Count / size;
        return Enumerable.Range(0, size).Select(k => corpus[(int)(k * stride)]).ToList();
    }

    // ---------------------------------------------------------------- Outlook origin

    private static Meeting OutlookMeeting(Random r, string tag, int i)
    {
        var zone = ZonesUsed[i % ZonesUsed.Length];
        var shape = Pick(r, [
            ("timed", 18), ("all-day", 7), ("multi-day all-day", 5), ("multi-day timed", 4), ("zero-length", 3), ("dst-edge single", 4),
            ("daily", 7), ("weekly", 14), ("monthly", 6), ("monthly 29-31", 5), ("yearly", 4),
            ("relative monthly", 6), ("relative yearly", 3), ("dst-edge series", 6), ("all-day series", 8),
        ]);
        var m = BaseText(r, tag, Origin.Outlook) with { Shape = shape, Zone = zone };
        m = m with
        {
            ShowAs = Pick(r, [("busy", 6), ("tentative", 2), ("oof", 1), ("free", 2), ("workingElsewhere", 1), ("unknown", 1)]),
            Sensitivity = Pick(r, [("normal", 6), ("private", 2), ("personal", 1), ("confidential", 1)]),
            Importance = Pick(r, [("normal", 4), ("low", 1), ("high", 1)]),
            ReminderMinutes = Pick(r, [((int?)null, 2), (0, 1), (5, 1), (15, 3), (60, 1), (1440, 1), (10080, 1)]),
            Categories = r.Next(4) == 0 ? ["Blue category", "Wichtig"] : [],
            Attendees = r.Next(5) == 0 ? [("Ana Núñez", "ana@example.com"), ("李雷", "li.lei@example.org")] : [],
        };
        var day = RandomDay(r);
        switch (shape)
        {
            case "timed": return Timed(r, m, day, Minutes(r));
            case "zero-length": return Timed(r, m, day, 0);
            case "multi-day timed": return Timed(r, m, day, r.Next(20, 72) * 60 + 15 * r.Next(4));
            case "all-day": return m with { AllDay = true, Start = day, End = day.AddDays(1) };
            case "multi-day all-day": return m with { AllDay = true, Start = day, End = day.AddDays(r.Next(2, 15)) };
            case "dst-edge single": return DstSingle(r, m);
            case "dst-edge series": return DstSeries(r, m);
        }
        // Series.
        var allDay = shape == "all-day series";
        m = allDay ? m with { AllDay = true, Start = day, End = day.AddDays(r.Next(4) == 0 ? 2 : 1) } : Timed(r, m, day, Minutes(r));
        var kind = shape switch
        {
            "daily" => PatternKind.Daily,
            "weekly" => PatternKind.Weekly,
            "monthly" or "monthly 29-31" => PatternKind.AbsoluteMonthly,
            "yearly" => PatternKind.AbsoluteYearly,
            "relative monthly" => PatternKind.RelativeMonthly,
            "relative yearly" => PatternKind.RelativeYearly,
            _ => Pick(r, [(PatternKind.Daily, 2), (PatternKind.Weekly, 3), (PatternKind.AbsoluteMonthly, 1), (PatternKind.AbsoluteYearly, 1), (PatternKind.RelativeMonthly, 1)]),
        };
        if (shape == "monthly 29-31")
        {
            var dom = 29 + r.Next(3);
            var month = new DateTime(day.Year, day.Month, 1);
            while (DateTime.DaysInMonth(month.Year, month.Month) < dom) month = month.AddMonths(1);
            var shifted = new DateTime(month.Year, month.Month, dom);
            m = m with { Start = shifted + (m.Start - m.Start.Date), End = shifted + (m.End - m.Start.Date) };
        }
        var pattern = MakePattern(r, kind, m.Start.Date, Origin.Outlook);
        m = m with { Recurrence = pattern };
        return WithExceptions(r, m);
    }

    private static Meeting DstSingle(Random r, Meeting m)
    {
        var zone = DstDays.Keys.ElementAt(r.Next(DstDays.Count));
        var day = DstDays[zone][r.Next(2)];
        // Around the change: the night before, across it, the morning after.
        var start = day.AddHours(Pick(r, [(-1.0, 1), (0.5, 1), (1.0, 1), (3.5, 1), (4.0, 1), (9.0, 1), (23.0, 1)]));
        var minutes = Pick(r, [(60, 2), (180, 2), (24 * 60, 1), (30, 1)]);
        return m with { Zone = zone, Start = start, End = start.AddMinutes(minutes) };
    }

    private static Meeting DstSeries(Random r, Meeting m)
    {
        var zone = DstDays.Keys.ElementAt(r.Next(DstDays.Count));
        var change = DstDays[zone][r.Next(2)];
        // A series that runs across a DST change, at hours near the change (but not inside the skipped hour).
        var start = change.AddDays(-7 * r.Next(1, 4)).Date.AddHours(Pick(r, [(1.0, 1), (4.0, 1), (8.0, 2), (12.5, 1), (23.75, 1)]));
        var m2 = m with { Zone = zone, Start = start, End = start.AddMinutes(Pick(r, [(60, 3), (90, 1), (45, 1)])) };
        var kind = Pick(r, [(PatternKind.Daily, 1), (PatternKind.Weekly, 3)]);
        var pattern = MakePattern(r, kind, start.Date, Origin.Outlook);
        if (pattern.Count is null && pattern.Until is null) pattern = pattern with { Count = 20 };
        return WithExceptions(r, m2 with { Recurrence = pattern });
    }

    // ---------------------------------------------------------------- Bitrix24 origin

    private static Meeting BitrixMeeting(Random r, string tag, int i)
    {
        var zone = ZonesUsed[(i * 7 + 3) % ZonesUsed.Length];
        var shape = Pick(r, [
            ("timed", 20), ("all-day", 8), ("multi-day all-day", 5), ("multi-day timed", 3), ("zero-length", 2),
            ("daily", 10), ("weekly", 18), ("monthly", 8), ("yearly", 5), ("all-day series", 8), ("dst-edge series", 6),
        ]);
        var m = BaseText(r, tag, Origin.Bitrix24) with { Shape = shape, Zone = zone };
        var unit = Pick(r, [("min", 3), ("hour", 1), ("day", 1)]);
        int? reminder = Pick(r, [((int?)null, 2), (0, 1), (10, 2), (30, 1)]);
        if (reminder is { } rm && unit != "min") reminder = unit == "hour" ? (1 + rm % 3) * 60 : 1440;
        m = m with
        {
            ShowAs = Pick(r, [("busy", 5), ("quest", 2), ("absent", 1), ("free", 2)]),
            Sensitivity = r.Next(4) == 0 ? "private" : "normal",
            Importance = Pick(r, [("normal", 4), ("low", 1), ("high", 1)]),
            ReminderMinutes = reminder,
            ReminderUnit = reminder is null ? "min" : unit,
        };
        var day = RandomDay(r);
        switch (shape)
        {
            case "timed": return Timed(r, m, day, Minutes(r));
            case "zero-length": return Timed(r, m, day, 0);
            case "multi-day timed": return Timed(r, m, day, r.Next(20, 72) * 60);
            case "all-day": return m with { AllDay = true, Start = day, End = day.AddDays(1) };
            case "multi-day all-day": return m with { AllDay = true, Start = day, End = day.AddDays(r.Next(2, 10)) };
        }
        var allDay = shape == "all-day series";
        if (shape == "dst-edge series")
        {
            var z = DstDays.Keys.ElementAt(r.Next(DstDays.Count));
            var change = DstDays[z][r.Next(2)];
            var s = change.AddDays(-7 * r.Next(1, 3)).AddHours(Pick(r, [(4.0, 1), (9.0, 2), (18.5, 1)]));
            m = m with { Zone = z, Start = s, End = s.AddMinutes(60) };
        }
        else m = allDay ? m with { AllDay = true, Start = day, End = day.AddDays(1) } : Timed(r, m, day, Minutes(r));
        if (m.Start.Day > 28) m = m with { Start = m.Start.AddDays(-3), End = m.End.AddDays(-3) };
        var kind = shape switch
        {
            "daily" => PatternKind.Daily,
            "weekly" => PatternKind.Weekly,
            "monthly" => PatternKind.AbsoluteMonthly,
            "yearly" => PatternKind.AbsoluteYearly,
            "dst-edge series" => Pick(r, [(PatternKind.Daily, 1), (PatternKind.Weekly, 2)]),
            _ => Pick(r, [(PatternKind.Daily, 1), (PatternKind.Weekly, 2), (PatternKind.AbsoluteMonthly, 1)]),
        };
        var pattern = MakePattern(r, kind, m.Start.Date, Origin.Bitrix24);
        return WithExceptions(r, m with { Recurrence = pattern });
    }

    // ---------------------------------------------------------------- pieces

    private static Pattern MakePattern(Random r, PatternKind kind, DateTime start, Origin origin)
    {
        var interval = kind switch
        {
            PatternKind.Daily => Pick(r, [(1, 4), (2, 1), (3, 1), (7, 1)]),
            PatternKind.Weekly => Pick(r, [(1, 4), (2, 2), (3, 1)]),
            PatternKind.AbsoluteMonthly or PatternKind.RelativeMonthly => Pick(r, [(1, 4), (2, 1), (3, 1)]),
            _ => 1,
        };
        var days = Array.Empty<DayOfWeek>();
        var firstDay = DayOfWeek.Sunday;
        var index = 0;
        if (kind == PatternKind.Weekly)
        {
            var set = new HashSet<DayOfWeek> { start.DayOfWeek };
            var extra = Pick(r, [(0, 3), (1, 2), (2, 2), (4, 1)]);
            for (var k = 0; k < extra; k++) set.Add((DayOfWeek)r.Next(7));
            days = set.OrderBy(d => ((int)d + 6) % 7).ToArray();
            // Outlook users mostly keep Sunday; some set Monday. Bitrix24 weeks start on Monday.
            firstDay = origin == Origin.Bitrix24 ? DayOfWeek.Monday : r.Next(3) == 0 ? DayOfWeek.Monday : DayOfWeek.Sunday;
        }
        if (kind is PatternKind.RelativeMonthly or PatternKind.RelativeYearly)
        {
            days = [start.DayOfWeek];
            var nth = (start.Day - 1) / 7;
            var isLast = start.Day + 7 > DateTime.DaysInMonth(start.Year, start.Month);
            index = isLast && (nth == 4 || r.Next(2) == 0) ? 4 : nth;
            if (r.Next(6) == 0 && start.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                // "The second weekday": the start must be that day (Graph's startDate starts the pattern).
                var weekdays = Enumerable.Range(1, DateTime.DaysInMonth(start.Year, start.Month)).Select(d => new DateTime(start.Year, start.Month, d))
                    .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).ToList();
                var position = weekdays.IndexOf(start.Date);
                if (position == weekdays.Count - 1) { days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]; index = 4; }
                else if (position < 4) { days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]; index = position; }
            }
        }
        var end = Pick(r, [(0, 2), (1, 2), (2, 1)]);
        int? count = null;
        DateTime? until = null;
        if (end == 1) count = kind switch { PatternKind.Daily => r.Next(2, 40), PatternKind.Weekly => r.Next(2, 30), _ => r.Next(2, 8) };
        else if (end == 2)
        {
            until = start.AddDays(kind switch { PatternKind.Daily => r.Next(3, 60), PatternKind.Weekly => r.Next(14, 200), _ => r.Next(60, 330) });
            if (until > LastDay.AddDays(10)) until = LastDay.AddDays(10);
        }
        return new Pattern(kind, interval, days,
            kind is PatternKind.AbsoluteMonthly or PatternKind.AbsoluteYearly ? start.Day : 0,
            kind is PatternKind.AbsoluteYearly or PatternKind.RelativeYearly ? start.Month : 0,
            index, firstDay, count, until);
    }

    /// <summary>Cancels and/or moves some occurrences (chosen from the oracle's expansion of the bare pattern).</summary>
    private static Meeting WithExceptions(Random r, Meeting m)
    {
        var roll = r.Next(8);
        if (roll > 3) return m;
        var dates = IcalOracle.PatternDates(m).Where(d => d >= FirstDay.AddDays(2) && d <= LastDay.AddDays(-2)).ToList();
        if (dates.Count < 3) return m;
        var cancelled = new List<DateTime>();
        var moved = new List<MovedOccurrence>();
        if (roll is 0 or 2) cancelled.Add(dates[1 + r.Next(dates.Count - 2)]);
        if (roll is 1 or 2 or 3)
        {
            var i = 1 + r.Next(dates.Count - 2);
            if (!cancelled.Contains(dates[i])) moved.Add(Move(r, m, dates, i, " (moved ⏰)", "Ersatzraum Ω"));
        }
        return m with { Cancelled = cancelled.ToArray(), Moved = moved.ToArray() };
    }

    /// <summary>
    /// Moves and/or retitles, relocates, lengthens the occurrence on <c>dates[i]</c>, staying clear of its neighbours'
    /// days (Outlook refuses a move onto or past them: ErrorOccurrenceCrossingBoundary).
    /// </summary>
    public static MovedOccurrence Move(Random r, Meeting m, IReadOnlyList<DateTime> dates, int i, string retitle, string relocation)
    {
        var date = dates[i];
        var gapBefore = (date - dates[i - 1]).TotalDays;
        var gapAfter = (dates[i + 1] - date).TotalDays;
        var title = r.Next(2) == 0 ? m.Title : m.Title + retitle;
        var location = r.Next(3) == 0 ? relocation : m.Location;
        if (m.AllDay)
        {
            var shift = gapAfter > 2 && r.Next(2) == 0 ? 1 : 0;
            var days = (m.End - m.Start).Days;
            return new MovedOccurrence(date, date.AddDays(shift), date.AddDays(shift + days), title, location);
        }
        var originalStart = date + m.Start.TimeOfDay;
        var length = m.End - m.Start;
        if (r.Next(3) == 0) length = length.Add(TimeSpan.FromMinutes(30));
        var maxHours = Math.Min(gapBefore, gapAfter) * 24 - length.TotalHours - 3;
        var hours = Pick(r, [(1.0, 2), (-2.0, 1), (5.5, 1), (26.0, 1)]);
        if (maxHours < 1) { hours = 0; length = m.End - m.Start; }
        else hours = Math.Clamp(hours, -maxHours, maxHours);
        var newStart = originalStart.AddHours(Math.Floor(hours * 4) / 4);
        if (newStart.Date <= dates[i - 1] || newStart.Date >= dates[i + 1]) newStart = originalStart;
        return new MovedOccurrence(date, newStart, newStart + length, title, location);
    }

    private static Meeting BaseText(Random r, string tag, Origin origin)
    {
        var title = $"[{tag}] " + Words[r.Next(Words.Length)];
        if (r.Next(10) == 0) title = Pad(r, title, 240);
        var lines = r.Next(6);
        var body = new StringBuilder();
        for (var k = 0; k < lines; k++)
        {
            if (k > 0) body.Append('\n');
            body.Append(Words[r.Next(Words.Length)]).Append(" — ").Append(Words[r.Next(Words.Length)]);
        }
        if (r.Next(12) == 0) body.Append(body.Length > 0 ? "\n" : "").Append(Pad(r, "Long notes:", 6000));
        return new Meeting
        {
            Tag = tag, Origin = origin, Shape = "", Title = title.Replace("\t", " "), Body = body.ToString().Replace("\t", " "),
            Location = Places[r.Next(Places.Length)],
        };
    }

    private static string Pad(Random r, string text, int length)
    {
        var sb = new StringBuilder(text);
        while (sb.Length < length) sb.Append(' ').Append(Words[r.Next(Words.Length)].Replace("\t", " "));
        // Never cut a surrogate pair or a combining sequence in half.
        var info = StringInfo.GetTextElementEnumerator(sb.ToString());
        var result = new StringBuilder();
        while (info.MoveNext() && result.Length + info.GetTextElement().Length <= length) result.Append(info.GetTextElement());
        return result.ToString().TrimEnd();
    }

    private static Meeting Timed(Random r, Meeting m, DateTime day, int minutes)
    {
        var start = day.AddMinutes(Pick(r, [(7 * 60, 1), (9 * 60, 3), (10 * 60 + 30, 2), (13 * 60 + 15, 1), (17 * 60 + 45, 1), (22 * 60 + 30, 1), (0, 1)]));
        return m with { Start = start, End = start.AddMinutes(minutes) };
    }

    private static int Minutes(Random r) => Pick(r, [(30, 2), (60, 4), (90, 1), (45, 1), (15, 1), (240, 1)]);

    private static DateTime RandomDay(Random r) => FirstDay.AddDays(r.Next((LastDay - FirstDay).Days));

    internal static T Pick<T>(Random r, (T Value, int Weight)[] choices)
    {
        var total = choices.Sum(c => c.Weight);
        var x = r.Next(total);
        foreach (var (value, weight) in choices)
        {
            if (x < weight) return value;
            x -= weight;
        }
        return choices[^1].Value;
    }
}
