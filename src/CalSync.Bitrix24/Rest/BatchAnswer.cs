using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Bitrix24.Rest;

/// <summary>
/// Reads a <c>batch</c> answer in one pass as it arrives: the results of row commands (event lists, megabytes in a
/// window read) go to an <see cref="IRowSink"/> as they are read and stand as <c>[]</c> in the envelope; everything
/// else (errors, totals, times, other results: small) is kept as it came, in a small document of its own. Only the
/// unread tail of the answer is held (a buffer of <see cref="BufferSize"/>, larger only for a longer single value).
/// Hand-written because the window answer is 16.5 MB at 10,000 links (docs/benchmarks.md, third round) and must not be
/// held whole; each row in it is read by the <see cref="Wire.Bitrix24Json"/> contract.
/// </summary>
internal sealed class BatchAnswer
{
    public const int BufferSize = 128 * 1024;

    /// <summary>The first bytes of the answer, for the message when it is not JSON.</summary>
    public const int HeadSize = 800;

    private enum Level { Root, Outer, Results, Rows }

    /// <summary>An object or array the reader is inside: the answer, its <c>result</c>, the results map, a row list.</summary>
    private sealed class Frame(Level level, bool isArray)
    {
        public readonly Level Level = level;
        public readonly bool IsArray = isArray;
        /// <summary>Entries of an array-shaped results map read so far (their keys are their positions).</summary>
        public int Index;
    }

    private readonly IRowSink _rows;
    private readonly int _gather;
    private readonly List<Frame> _frames = new();
    private readonly MemoryStream _output = new();
    private readonly Utf8JsonWriter _writer;
    private JsonReaderState _state;
    private bool _started;
    private bool _done;
    private long _read;

    private BatchAnswer(IRowSink rows, int gather = BufferSize / 2)
    {
        _rows = rows;
        _gather = gather;
        _writer = new Utf8JsonWriter(_output);
    }

    /// <summary>The first <see cref="HeadSize"/> bytes read (also when the answer turned out not to be JSON).</summary>
    public byte[] Head { get; private set; } = Array.Empty<byte>();

    /// <exception cref="JsonException">The answer is not JSON (as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> would refuse it).</exception>
    public static JsonElement Read(ReadOnlySpan<byte> json, IRowSink rows)
    {
        var answer = new BatchAnswer(rows);
        answer.Feed(json, final: true);
        return answer.Result();
    }

    /// <summary>An answer to read with <see cref="ReadAsync"/>, parsed whenever <paramref name="gather"/> bytes have come (and at the end).</summary>
    public static BatchAnswer For(IRowSink rows, int gather = BufferSize / 2) => new(rows, gather);

    /// <exception cref="JsonException">The answer is not JSON, or it breaks off before its end (the message says after how many bytes).</exception>
    public async Task<JsonElement> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var length = 0; // unread bytes at the start of buffer
            while (true)
            {
                // One value (a row) longer than the buffer: make room for all of it.
                if (length == buffer.Length) buffer = Grow(buffer);
                var count = await stream.ReadAsync(buffer, length, buffer.Length - length, cancellationToken).ConfigureAwait(false);
                if (Head.Length < HeadSize && count > 0)
                {
                    var head = new byte[Math.Min(HeadSize, Head.Length + count)];
                    Buffer.BlockCopy(Head, 0, head, 0, Head.Length);
                    Buffer.BlockCopy(buffer, length, head, Head.Length, head.Length - Head.Length);
                    Head = head;
                }
                length += count;
                // A row cut off at the end of the data is read again with the next: gather some rows first, not
                // every small piece the connection gives.
                if (count > 0 && length < _gather) continue;
                var consumed = Feed(new ReadOnlySpan<byte>(buffer, 0, length), final: count == 0);
                if (count == 0) return Result();
                // Keep only the unread tail (part of a row at most, as a rule).
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A pooled buffer twice the size of the full <paramref name="buffer"/>, with its bytes; the old one goes back to the pool.</summary>
    internal static byte[] Grow(byte[] buffer)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        Buffer.BlockCopy(buffer, 0, larger, 0, buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private JsonElement Result()
    {
        _writer.Flush();
        return JsonDocument.Parse(_output.ToArray()).RootElement;
    }

    /// <summary>Reads what <paramref name="data"/> holds of the answer; returns how many bytes it used (the rest starts a value not complete yet).</summary>
    private int Feed(ReadOnlySpan<byte> data, bool final)
    {
        var reader = new Utf8JsonReader(data, final, _state);
        try
        {
            while (true)
            {
                var before = reader;
                if (!reader.Read() || !Step(ref reader))
                {
                    if (final)
                    {
                        if (!_started) throw new JsonException("The answer is empty.");
                        if (!_done) throw new JsonException("The answer ends before its value does.");
                    }
                    _state = before.CurrentState;
                    _read += before.BytesConsumed;
                    return (int)before.BytesConsumed;
                }
            }
        }
        catch (JsonException e) when (e is not BrokenAnswerException)
        {
            throw new BrokenAnswerException(final
                ? $"Bitrix24's answer ({_read + data.Length} bytes) is not complete JSON: {e.Message}"
                : $"Bitrix24's answer is not valid JSON at byte {_read + reader.BytesConsumed}: {e.Message}", e);
        }
    }

    /// <summary>Handles the token at the reader (with the value after it, for a property); false when the data ends before that is complete.</summary>
    private bool Step(ref Utf8JsonReader reader)
    {
        if (_done) throw new JsonException("The answer goes on after its value.");
        if (_frames.Count == 0)
        {
            _started = true;
            if (reader.TokenType == JsonTokenType.StartObject) return Enter(Level.Root, isArray: false);
            return Copy(ref reader, name: null);
        }
        var frame = _frames[_frames.Count - 1];
        if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _frames.RemoveAt(_frames.Count - 1);
            if (frame.Level != Level.Rows)
            {
                if (frame.IsArray) _writer.WriteEndArray();
                else _writer.WriteEndObject();
            }
            _done = _frames.Count == 0;
            return true;
        }
        switch (frame.Level)
        {
            case Level.Root:
            case Level.Outer:
            {
                var name = reader.GetString()!;
                if (!reader.Read()) return false;
                // The answer's result, and that one's result: the map of results by command key (an object or PHP's []).
                var descend = name == "result" && (reader.TokenType == JsonTokenType.StartObject
                    || (frame.Level == Level.Outer && reader.TokenType == JsonTokenType.StartArray));
                if (!descend) return Copy(ref reader, name);
                _writer.WritePropertyName(name);
                return Enter(frame.Level == Level.Root ? Level.Outer : Level.Results, reader.TokenType == JsonTokenType.StartArray);
            }
            case Level.Results:
            {
                // As Json.MapEntries: an array's entries are keyed by their position.
                string key;
                if (frame.IsArray)
                {
                    key = frame.Index.ToString(CultureInfo.InvariantCulture);
                }
                else
                {
                    key = reader.GetString()!;
                    if (!reader.Read()) return false;
                }
                if (_rows.Wants(key) && reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    if (!frame.IsArray) _writer.WritePropertyName(key);
                    _writer.WriteStartArray();
                    _writer.WriteEndArray();
                    _rows.Begin(key);
                    _frames.Add(new Frame(Level.Rows, reader.TokenType == JsonTokenType.StartArray));
                }
                else if (!Copy(ref reader, frame.IsArray ? null : key))
                {
                    return false;
                }
                frame.Index++;
                return true;
            }
            default:
            {
                // As Json.Items: a list, or a map whose values are the items.
                if (!frame.IsArray && !reader.Read()) return false; // the map's key
                return _rows.TryRead(ref reader);
            }
        }
    }

    private bool Enter(Level level, bool isArray)
    {
        if (isArray) _writer.WriteStartArray();
        else _writer.WriteStartObject();
        _frames.Add(new Frame(level, isArray));
        return true;
    }

    /// <summary>Keeps the value at the reader (and its name) in the envelope as it came.</summary>
    private bool Copy(ref Utf8JsonReader reader, string? name)
    {
        if (!JsonElement.TryParseValue(ref reader, out var value)) return false;
        if (name is not null) _writer.WritePropertyName(name);
        value!.Value.WriteTo(_writer);
        _done = _frames.Count == 0;
        return true;
    }

    /// <summary>An answer that is not JSON or breaks off; the message names where.</summary>
    private sealed class BrokenAnswerException(string message, Exception inner) : JsonException(message, inner);
}
