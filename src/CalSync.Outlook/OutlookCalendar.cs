using System;
using System.Collections.Generic;
using System.Linq;

namespace CalSync.Outlook;

/// <summary>One calendar of the account, as <c>GET /me/calendars</c> lists it.</summary>
public sealed record OutlookCalendar(string Id, string Name, bool IsDefault, bool CanEdit)
{
    /// <summary>
    /// The calendar named (case-insensitive) or with the given id. Throws <see cref="ArgumentException"/> naming the
    /// available calendars when there is none, several of that name, or it is read-only (CalSync writes its copies there).
    /// </summary>
    public static OutlookCalendar Choose(IReadOnlyList<OutlookCalendar> calendars, string nameOrId)
    {
        if (calendars is null) throw new ArgumentNullException(nameof(calendars));
        var wanted = (nameOrId ?? "").Trim();
        var chosen = calendars.FirstOrDefault(c => c.Id == wanted);
        if (chosen is null)
        {
            var named = calendars.Where(c => string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
            if (named.Count == 0)
                throw new ArgumentException($"Outlook has no calendar named '{wanted}'. Available: {Describe(calendars)}. Give one of these names with -Calendar.");
            if (named.Count > 1)
                throw new ArgumentException($"Outlook has {named.Count} calendars named '{wanted}'; give one by id with -Calendar ({string.Join(", ", named.Select(c => c.Id))}).");
            chosen = named[0];
        }
        if (!chosen.CanEdit)
            throw new ArgumentException($"The Outlook calendar '{chosen.Name}' is read-only, so CalSync cannot write to it. Available for writing: {Describe(calendars.Where(c => c.CanEdit))}.");
        return chosen;
    }

    private static string Describe(IEnumerable<OutlookCalendar> calendars) =>
        string.Join(", ", calendars.Select(c => "'" + c.Name + "'" + (c.IsDefault ? " (default)" : "")));
}
