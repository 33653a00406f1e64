using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CalSync.Engine.Store;

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
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
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

    /// <summary>Reads a whole-file document; null when the file does not exist.</summary>
    internal static T? ReadFile<T>(string path, int currentSchema, string advice) where T : class
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = File.ReadAllBytes(path);
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
        return Parse<T>(bytes, path, currentSchema, advice, null);
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

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Corrupt(path, $"The CalSync file {where} is not valid JSON (damaged or truncated near line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}).", advice, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Corrupt(path, $"The CalSync file {where} does not hold a JSON object.", advice);
            if (!root.TryGetProperty("schema", out var schemaElement) || schemaElement.ValueKind != JsonValueKind.Number
                || !schemaElement.TryGetInt32(out var schema) || schema < 1)
                throw Corrupt(path, $"The CalSync file {where} has no valid \"schema\" number.", advice);
            if (schema > currentSchema)
                throw new StoreException(StoreErrorKind.NewerSchema,
                    $"The CalSync file {where} was written by a newer version of CalSync (schema {schema}; this version reads up to {currentSchema}). " +
                    "Update the CalSync module, or restore an older copy of the file. CalSync did not change it.", path);
            try
            {
                var value = root.Deserialize<T>(Compact);
                if (value is null) throw Corrupt(path, $"The CalSync file {where} holds no value.", advice);
                return value;
            }
            catch (JsonException e)
            {
                throw Corrupt(path, $"The CalSync file {where} does not have the expected content (at {e.Path ?? "$"}).", advice, e);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                throw Corrupt(path, $"The CalSync file {where} does not have the expected content.", advice, e);
            }
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
