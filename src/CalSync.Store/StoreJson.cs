using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CalSync.Store;

/// <summary>
/// The store's JSON: camelCase names, enums as their names, unknown properties ignored (a newer CalSync of the
/// same schema may add some), computed get-only properties not written. Definitions and connections are
/// indented (people read them); state and history lines are compact.
/// </summary>
public static class StoreJson
{
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            IgnoreReadOnlyProperties = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            // Generated code for the store's documents (enums as their names); no reflection.
            TypeInfoResolver = StoreJsonContext.Default,
            // Only what JSON requires is escaped: ids and cursors are base64, and escaping each '+' as \u002B made the
            // state larger and slower to write and read. Older files, escaped, read the same.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly();
        return options;
    }

    internal static void Write<T>(Stream stream, T value, bool indented)
    {
        JsonSerializer.Serialize(stream, value, indented ? Indented : Compact);
        if (indented) stream.WriteByte((byte)'\n');
    }

    internal static byte[] Serialize<T>(T value, bool indented)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, indented ? Indented : Compact);
        if (!indented) return bytes;
        Array.Resize(ref bytes, bytes.Length + 1);
        bytes[bytes.Length - 1] = (byte)'\n';
        return bytes;
    }

    // Files up to this size are read whole; a larger one (a state file: megabytes, read on every run) is
    // deserialised from the stream, without a copy of the file in memory.
    private const int WholeFileLimit = 64 * 1024;
    private const int HeadSize = 4096;

    /// <summary>Reads a whole-file document; null when the file does not exist.</summary>
    internal static T? ReadFile<T>(string path, int currentSchema, string advice) where T : class
    {
        try
        {
            if (!File.Exists(path)) return null;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, FileOptions.SequentialScan);
            if (stream.Length <= WholeFileLimit) return Parse<T>(ReadRest(stream, new byte[0]), path, currentSchema, advice, null);

            var head = new byte[HeadSize];
            head = head.AsSpan(0, ReadFully(stream, head)).ToArray();
            // The schema is checked before the shape (a newer file is reported as such, not as damage). A file whose
            // schema is not near its start (edited by hand) is read whole, where every case has its message.
            if (HeadSchema(head) is not { } schema) return Parse<T>(ReadRest(stream, head), path, currentSchema, advice, null);
            CheckNotNewer(schema, currentSchema, path, $"'{path}'");
            stream.Position = 0;
            try
            {
                return (T?)JsonSerializer.Deserialize(stream, Compact.GetTypeInfo(typeof(T)))
                       ?? throw Corrupt(path, $"The CalSync file '{path}' holds no value.", advice);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                // Read again whole, to say where it is damaged.
                stream.Position = 0;
                var bytes = ReadRest(stream, new byte[0]);
                if (e is JsonException) CheckSyntax(bytes, path, $"'{path}'", advice);
                throw ContentError(path, $"'{path}'", advice, e);
            }
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(StoreErrorKind.AccessDenied, $"Could not read '{path}': access was denied. Check the permissions of the CalSync store.", path, e);
        }
        catch (IOException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not read '{path}': {e.Message}", path, e);
        }
    }

    private static int ReadFully(Stream stream, byte[] buffer)
    {
        var length = 0;
        int n;
        while (length < buffer.Length && (n = stream.Read(buffer, length, buffer.Length - length)) > 0) length += n;
        return length;
    }

    /// <summary><paramref name="head"/> (already read) and the rest of the stream.</summary>
    private static byte[] ReadRest(Stream stream, byte[] head)
    {
        using var all = new MemoryStream((int)Math.Max(head.Length, stream.Length));
        all.Write(head, 0, head.Length);
        stream.CopyTo(all);
        return all.Length == all.Capacity ? all.GetBuffer() : all.ToArray();
    }

    /// <summary>The top-level "schema" number when it stands, valid, among the first properties in <paramref name="head"/>; else null.</summary>
    private static int? HeadSchema(byte[] head)
    {
        var json = head.AsSpan();
        if (json.Length >= 3 && json[0] == 0xEF && json[1] == 0xBB && json[2] == 0xBF) json = json.Slice(3);
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSchema = reader.ValueTextEquals("schema");
                if (!reader.Read()) return null;
                if (isSchema) return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var schema) && schema >= 1 ? schema : null;
                if (!reader.TrySkip()) return null;
            }
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>
    /// Parses one document (a file, or one history line when <paramref name="line"/> is set): checks the
    /// schema first, then the shape. Messages carry positions, never content.
    /// </summary>
    internal static T Parse<T>(ReadOnlyMemory<byte> bytes, string path, int currentSchema, string advice, int? line) where T : class
    {
        var where = line is null ? $"'{path}'" : $"line {line} of '{path}'";
        var span = bytes.Span;
        if (span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF) bytes = bytes.Slice(3);
        if (IsBlank(bytes.Span))
            throw Corrupt(path, $"The CalSync file {where} is empty (a truncated write?).", advice);

        CheckNotNewer(Schema(bytes.Span, path, where, advice), currentSchema, path, where);
        try
        {
            return (T?)JsonSerializer.Deserialize(bytes.Span, Compact.GetTypeInfo(typeof(T)))
                   ?? throw Corrupt(path, $"The CalSync file {where} holds no value.", advice);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            if (e is JsonException) CheckSyntax(bytes.Span, path, where, advice);
            throw ContentError(path, where, advice, e);
        }
    }

    private static void CheckNotNewer(int schema, int currentSchema, string path, string where)
    {
        if (schema > currentSchema)
            throw new StoreException(StoreErrorKind.NewerSchema,
                $"The CalSync file {where} was written by a newer version of CalSync (schema {schema}; this version reads up to {currentSchema}). " +
                "Update the CalSync module, or restore an older copy of the file. CalSync did not change it.", path);
    }

    private static StoreException ContentError(string path, string where, string advice, Exception e) =>
        Corrupt(path, e is JsonException j
            ? $"The CalSync file {where} does not have the expected content (at {j.Path ?? "$"})."
            : $"The CalSync file {where} does not have the expected content.", advice, e);

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>
    /// The document's top-level "schema" number, read before its shape is (a newer schema is reported as such, not as damage).
    /// CalSync writes it first, so only the first few bytes are read; elsewhere the other top-level values are skipped.
    /// </summary>
    private static int Schema(ReadOnlySpan<byte> json, string path, string where, string advice)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                CheckSyntax(json, path, where, advice);
                throw Corrupt(path, $"The CalSync file {where} does not hold a JSON object.", advice);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSchema = reader.ValueTextEquals("schema");
                reader.Read();
                if (isSchema)
                {
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var schema) && schema >= 1) return schema;
                    break;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            CheckSyntax(json, path, where, advice);
        }
        throw Corrupt(path, $"The CalSync file {where} has no valid \"schema\" number.", advice);
    }

    /// <summary>Throws Corrupt naming the position when <paramref name="json"/> is not one whole JSON value (damaged or truncated).</summary>
    private static void CheckSyntax(ReadOnlySpan<byte> json, string path, string where, string advice)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            while (reader.Read()) { } // throws at the first damage, and at the end of an unfinished document
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"The CalSync file {where} is not valid JSON (damaged or truncated near line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}).", advice, e);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n' && b != 0) return false;
        return true;
    }

    private static StoreException Corrupt(string path, string what, string advice, Exception? inner = null) =>
        new(StoreErrorKind.Corrupt, what + " CalSync did not change it. " + advice, path, inner);
}
