using System.Text.Json;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Takes the items of the results a batch streams (a window read's rows: megabytes) as the answer is read, so the REST
/// layer needs no idea what a row is. <see cref="TryRead"/> returns false, keeping nothing, when the data ends inside
/// the item: it is offered again from its start with more data.
/// </summary>
internal interface IRowSink
{
    /// <summary>Whether the result of the command with this key is streamed here (a list, or a map whose values are the items).</summary>
    bool Wants(string key);

    /// <summary>The items that follow belong to <paramref name="key"/> (again from the start when a batch is sent again).</summary>
    void Begin(string key);

    /// <summary>Reads one item from the reader (on its start) and leaves the reader on its end.</summary>
    bool TryRead(ref Utf8JsonReader reader);
}
