using System;
using System.Collections.Generic;
using System.Text.Json;
using CalSync.Bitrix24.Rest;

namespace CalSync.Bitrix24.Mapping;

/// <summary>Event rows of the batch results that <c>wants</c> accepts, read straight from the answer (<see cref="EventRow.TryRead"/>).</summary>
internal sealed class EventRows(Func<string, bool> wants) : IRowSink
{
    private readonly EventRow.Fields _fields = new();
    private List<EventRow>? _current;

    public Dictionary<string, List<EventRow>> ByKey { get; } = new(StringComparer.Ordinal);

    public bool Wants(string key) => wants(key);

    public void Begin(string key) => ByKey[key] = _current = new List<EventRow>();

    public bool TryRead(ref Utf8JsonReader reader)
    {
        var row = EventRow.TryRead(ref reader, _fields);
        if (row is null) return false;
        _current!.Add(row);
        return true;
    }
}
