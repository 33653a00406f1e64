using System;
using System.Collections.Generic;
using System.Text.Json;
using CalSync.Bitrix24.Rest;

namespace CalSync.Bitrix24.Wire;

/// <summary>Event rows of the batch results that <c>wants</c> accepts, read straight from the answer (<see cref="EventRow.Read"/>).</summary>
internal sealed class EventRows(Func<string, bool> wants) : IRowSink
{
    private List<EventRow>? _current;

    public Dictionary<string, List<EventRow>> ByKey { get; } = new(StringComparer.Ordinal);

    public bool Wants(string key) => wants(key);

    public void Begin(string key) => ByKey[key] = _current = new List<EventRow>();

    public bool TryRead(ref Utf8JsonReader reader)
    {
        // A row cut off at the end of the data so far is offered again, from its start, with more.
        var probe = reader;
        if (!probe.TrySkip()) return false;
        _current!.Add(EventRow.Read(ref reader));
        return true;
    }
}
