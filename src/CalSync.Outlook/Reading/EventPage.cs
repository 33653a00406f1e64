using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Outlook.Wire;

namespace CalSync.Outlook.Reading;

/// <summary>
/// One page of events (calendarView/delta, or the stamp listing) read straight from the answer's UTF-8 bytes: the
/// events (and @removed tombstones), the nextLink and the deltaLink. The SDK's model building (a parse node and a
/// backing store per object) cost most of a full read's CPU.
/// </summary>
internal sealed class EventPage
{
    public List<WireEvent> Value { get; } = new();
    public string? NextLink { get; private set; }
    public string? DeltaLink { get; private set; }

    /// <summary>Reads the whole answer into a pooled buffer (a page is ~100–300 KB) and parses it.</summary>
    public static async Task<EventPage> ReadAsync(Stream stream, Action<string>? onNextLink, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, larger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
            return Parse(new ReadOnlySpan<byte>(buffer, 0, length), onNextLink);
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <param name="onNextLink">Called with a non-empty nextLink as soon as it is read, before the items that follow it.</param>
    /// <exception cref="JsonException">The answer is not a delta page (names what was found where).</exception>
    public static EventPage Parse(ReadOnlySpan<byte> json, Action<string>? onNextLink = null)
    {
        var page = new EventPage();
        var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        WireEvent.Next(ref r);
        WireEvent.Expect(ref r, JsonTokenType.StartObject, "the page object");
        while (WireEvent.Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("value"u8))
            {
                if (WireEvent.Next(ref r) == JsonTokenType.Null) continue;
                WireEvent.Expect(ref r, JsonTokenType.StartArray, "the value array");
                while (WireEvent.Next(ref r) != JsonTokenType.EndArray)
                {
                    if (r.TokenType == JsonTokenType.Null) continue;
                    page.Value.Add(WireEvent.Read(ref r));
                }
            }
            else if (r.ValueTextEquals("@odata.nextLink"u8))
            {
                page.NextLink = WireEvent.Str(ref r);
                if (page.NextLink is { Length: > 0 } next) onNextLink?.Invoke(next);
            }
            else if (r.ValueTextEquals("@odata.deltaLink"u8)) page.DeltaLink = WireEvent.Str(ref r);
            else WireEvent.Skip(ref r);
        }
        if (r.Read()) throw new JsonException($"Unexpected content after the page object at byte {r.TokenStartIndex}.");
        return page;
    }
}
