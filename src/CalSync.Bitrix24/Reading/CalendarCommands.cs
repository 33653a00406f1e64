using System;
using System.Collections.Generic;
using System.Linq;
using CalSync.Bitrix24.Wire;
using CalSync.Bitrix24.Rest;

namespace CalSync.Bitrix24.Reading;

/// <summary>The calendar commands reads and writes both send, for the connection's owner.</summary>
internal sealed class CalendarCommands(string calendarType, Bitrix24RestClient client)
{
    /// <summary><c>calendar.event.get</c> parameters: one section, from/to as dates (the day of <paramref name="to"/> included).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> EventGet(string sectionId, DateTime from, DateTime to) => new List<KeyValuePair<string, object?>>
    {
        new("type", calendarType),
        new("ownerId", client.UserId),
        new("from", Bitrix24Dates.Date(from)),
        new("to", Bitrix24Dates.Date(to)),
        new("section", new List<object?> { sectionId }),
    };

    /// <summary>A <c>calendar.event.getbyid</c> command of a batch, answered under <paramref name="key"/>.</summary>
    public static BatchCommand GetById(string key, string id) =>
        new(key, "calendar.event.getbyid", new List<KeyValuePair<string, object?>> { new("id", id) });

    public static IEnumerable<List<T>> Chunk<T>(IReadOnlyList<T> items, int size)
    {
        for (var i = 0; i < items.Count; i += size) yield return items.Skip(i).Take(size).ToList();
    }
}
